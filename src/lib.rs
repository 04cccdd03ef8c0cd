//! Encrypted, authenticated HTTP sessions that live entirely in a cookie.
//!
//! A session is any `serde` value, or a map of them. It is serialized (postcard by default),
//! sealed with XChaCha20-Poly1305 under a 32-byte key, bound to the cookie's name, stamped with
//! its start and its deadline, and carried in the cookie: the server stores nothing, and any
//! number of instances that share the keys serve the same user.
//!
//! # With axum
//!
//! ```
//! # #[cfg(feature = "axum")] {
//! use axum::{routing::get, Router};
//! use sealed_session::{Key, KeyRing, Sealer, Session, SessionLayer};
//!
//! async fn visits(session: Session) -> String {
//!     let n: u64 = session.get("visits").ok().flatten().unwrap_or(0) + 1;
//!     match session.insert("visits", n) {
//!         Ok(()) => format!("visit {n}"),
//!         // A value the cookie could not hold, or one that does not encode.
//!         Err(e) => format!("not saved: {e}"),
//!     }
//! }
//!
//! // In an application: KeyRing::from_env("SESSION_KEYS")?, newest key first.
//! let keys = KeyRing::new(Key::generate());
//! let app: Router = Router::new()
//!     .route("/", get(visits))
//!     .layer(SessionLayer::new(Sealer::new(keys)));
//! # }
//! ```
//!
//! # The parts
//!
//! - [`Key`] and [`KeyRing`]: keys, key ids, rotation (the first key seals, every key opens,
//!   found by its id), [`KeyRing::from_env`].
//! - [`Sealer`]: seal and open serde values ([`Sealer::seal`], [`Sealer::open`]), with the
//!   cookie name, lifetimes, idle timeout, clock-skew leeway and revocation cut-off.
//! - [`Session`] and [`TypedSession`]: the change-tracked session a request works with;
//!   [`Flash`] for one-shot messages kept in it.
//! - [`SessionCookie`]: the HTTP cookie layer with no framework. [`SessionCookie::load`] and
//!   [`SessionCookie::save`] on `http` 1 header maps, [`SessionCookie::load_from`] and
//!   [`SessionCookie::set_cookie_lines`] on raw bytes and text for any other framework.
//! - [`CsrfPolicy`] and [`CsrfToken`]: cross-site request forgery protection by Fetch
//!   Metadata, `Origin` and a synchronizer token kept in the session, over plain request
//!   facts ([`CsrfRequest`]); `CsrfLayer` applies it to axum apps.
//! - `SessionLayer`, `CsrfLayer` and the extractors (feature `axum`): sessions opened on first
//!   access (a route that never asks costs no cookie work and sends no cookie), `Session`,
//!   `TypedSession<T>`, `NamedSession<N>`, `Flash`, `CsrfToken`, and `Option<Session>` that is
//!   `Some` only for a session the request brought; the same as actix-web middleware,
//!   `actix::SessionMiddleware` and `actix::CsrfMiddleware`, with the same extractors (feature
//!   `actix`).
//! - `SealedSessionManagerLayer` (feature `tower-sessions`): tower-sessions' `Session`, and
//!   so axum-login, over sealed cookies instead of a store.
//! - `FastifySealer` and `FastifyMigration` (feature `fastify`): the cookies of Node's
//!   `@fastify/secure-session`, for a move from Node.
//!
//! # Cargo features
//!
//! | feature | default | what it adds |
//! | --- | --- | --- |
//! | `ring` | yes | the `ring` cipher backend; building it needs a C compiler |
//! | `pure-rust` | no | the pure-Rust cipher backend; runs only when `ring` is off |
//! | `axum` | yes | the axum layer and extractors |
//! | `actix` | no | the actix-web 4 middleware and extractors, `sealed_session::actix` |
//! | `json` | no | the JSON codec, `Json` |
//! | `bincode` | no | the bincode 2 codec, `Bincode`, for sessions already sealed with it (bincode is unmaintained: RUSTSEC-2025-0141) |
//! | `fastify` | no | the `@fastify/secure-session` format (turns on `json`) |
//! | `tower-sessions` | no | `SealedSessionManagerLayer`: a `tower_sessions::Session` (0.14, as axum-login 0.18 uses) kept in the sealed cookie (turns on `json` and `axum`) |
//!
//! # Seeing why a session was not opened
//!
//! A cookie that does not open (tampered, expired, sealed by a removed key or for another
//! codec) gives a fresh, empty session, and the reason goes to [`tracing`]: nothing shows until
//! the application installs a subscriber, for example `tracing_subscriber::fmt().init()` at the
//! start of `main` (with `RUST_LOG=sealed_session=debug` for the expired and revoked ones,
//! logged at `debug`).
//!
//! # More
//!
//! The package's `README.md` is the guide (key rotation, cookie attributes, chunking,
//! revocation, concurrency, migration from Node, performance); `SECURITY.md` the threat model;
//! `docs/format.md` the wire format byte by byte, enough to implement it elsewhere.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

// The core, bottom up: cipher, keys, codecs, the wire format, the sealer, the session.
mod aead;
mod clock;
mod codec;
mod cookie_expiry;
mod entries;
mod envelope;
mod error;
mod flash;
mod key;
mod keyring;
mod scratch;
mod sealer;
mod sealer_settings;
mod session;
mod session_sealer;
mod typed_session;

// The HTTP cookie layer: no framework.
mod cookie_layer;

// What the framework integrations share: no framework, built with one of them.
#[cfg(any(feature = "axum", feature = "actix"))]
mod named_session;
#[cfg(any(feature = "axum", feature = "actix"))]
mod session_layer;

// Cross-site request forgery protection: no framework.
mod csrf;

// Framework integrations, each behind its feature.
mod integrations;

// The `http` crate (version 1) whose types the HTTP layer takes, for naming them without a
// dependency of one's own.
pub use ::http;

// The @fastify/secure-session format.
#[cfg(feature = "fastify")]
mod fastify;

pub use self::cookie_layer::{SameSite, SessionCookie, MAX_CHUNKS};
#[cfg(feature = "actix")]
#[cfg_attr(docsrs, doc(cfg(feature = "actix")))]
pub use self::integrations::actix;
#[cfg(feature = "tower-sessions")]
#[cfg_attr(docsrs, doc(cfg(feature = "tower-sessions")))]
pub use self::integrations::tower_sessions::{SealedSessionManager, SealedSessionManagerLayer};
#[cfg(any(feature = "axum", feature = "actix"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "axum", feature = "actix"))))]
pub use self::session_layer::{
    CsrfRejection, OnSaveError, SessionExtractor, SessionFuture, SessionLayer, SessionRejection,
    SessionService,
};
pub use clock::{Clock, ManualClock, SystemClock};
#[cfg(feature = "bincode")]
#[cfg_attr(docsrs, doc(cfg(feature = "bincode")))]
pub use codec::Bincode;
#[cfg(feature = "json")]
#[cfg_attr(docsrs, doc(cfg(feature = "json")))]
pub use codec::Json;
pub use codec::{Codec, DefaultCodec, Postcard};
pub use cookie_expiry::CookieExpiry;
pub use csrf::{CsrfCheck, CsrfPolicy, CsrfRefusal, CsrfRequest, CsrfToken};
#[cfg(any(feature = "axum", feature = "actix"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "axum", feature = "actix"))))]
pub use csrf::{CsrfFuture, CsrfLayer, CsrfService};
pub use envelope::{MAX_NAME_LEN, OVERHEAD};
pub use error::{
    CodecError, ConfigError, CsrfError, KeyError, Malformed, OpenError, SealError, SessionError,
    TooLarge, WriteError,
};
#[cfg(feature = "fastify")]
#[cfg_attr(docsrs, doc(cfg(feature = "fastify")))]
pub use fastify::{
    FastifyMigration, FastifySealer, FASTIFY_DEFAULT_EXPIRY, FASTIFY_DEFAULT_SALT, FASTIFY_TS_FIELD,
};
pub use flash::{Flash, FlashMessage, Level};
pub use key::{DeriveParams, Key, KeyId, KEY_LEN, MIN_SECRET_LEN, SALT_LEN};
pub use keyring::KeyRing;
#[cfg(any(feature = "axum", feature = "actix"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "axum", feature = "actix"))))]
pub use named_session::{DefaultName, NamedSession, SessionName};
pub use sealer::{
    is_valid_cookie_name, Opened, Sealer, DEFAULT_COOKIE_NAME, DEFAULT_LEEWAY,
    DEFAULT_MAX_LIFETIME, MAX_COOKIE_SIZE, MAX_LEEWAY,
};
pub use session::Session;
pub use session_sealer::SessionSealer;
pub use typed_session::TypedSession;

/// The README's examples, compiled and run as doctests (the README is the guide in the
/// repository; the crate's front page above is written for docs.rs).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
