#![doc = include_str!("../README.md")]
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
mod key;
mod keyring;
mod sealer;
mod session;
mod session_sealer;
mod typed_session;

// The HTTP cookie layer: no framework.
mod cookie_layer;

// Framework integrations, each behind its feature.
mod integrations;

// The `http` crate (version 1) whose types the HTTP layer takes, for naming them without a
// dependency of one's own.
pub use ::http;

// The @fastify/secure-session format.
#[cfg(feature = "fastify")]
mod fastify;

pub use self::cookie_layer::{
    cookie_values, SameSite, SessionCookie, MAX_CANDIDATES, MAX_CHUNKS, MAX_COOKIE_HEADER_BYTES,
};
#[cfg(feature = "axum")]
pub use self::integrations::axum::{
    DefaultName, NamedSession, OnSaveError, SessionLayer, SessionName, SessionRejection,
    SessionService,
};
pub use clock::{unix_seconds, Clock, ManualClock, SystemClock};
#[cfg(feature = "bincode")]
pub use codec::Bincode;
#[cfg(feature = "json")]
pub use codec::Json;
pub use codec::{Codec, DefaultCodec, Postcard, MAX_DECODE_LEN};
pub use cookie_expiry::CookieExpiry;
pub use entries::{Entries, Iter as EntriesIter};
pub use envelope::{MAX_NAME_LEN, OVERHEAD};
pub use error::{
    CodecError, ConfigError, KeyError, Malformed, OpenError, SealError, SessionError, WriteError,
};
#[cfg(feature = "fastify")]
pub use fastify::{
    FastifyMigration, FastifyOpened, FastifySealer, FASTIFY_DEFAULT_EXPIRY, FASTIFY_DEFAULT_SALT,
    FASTIFY_TS_FIELD,
};
pub use key::{DeriveParams, Key, KeyId, KEY_LEN, MIN_SECRET_LEN, SALT_LEN};
pub use keyring::KeyRing;
pub use sealer::{
    is_valid_cookie_name, Opened, Sealer, DEFAULT_COOKIE_NAME, DEFAULT_LEEWAY,
    DEFAULT_MAX_LIFETIME, MAX_COOKIE_SIZE, MAX_LEEWAY,
};
pub use session::Session;
pub use session_sealer::{OpenedSession, SealedSession, SessionSealer};
pub use typed_session::TypedSession;
