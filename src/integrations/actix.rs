//! actix-web 4 (feature `actix`): [`SessionMiddleware`] and [`CsrfMiddleware`], and the
//! session extractors.
//!
//! The same session layer as axum's, as an actix middleware: every request gets a session
//! that the first extractor asking for it opens from the cookie (a missing or bad cookie gives
//! a fresh, empty session), and the response gets `Set-Cookie` only when the session was
//! opened and needs it. [`Session`](crate::Session), [`TypedSession`](crate::TypedSession),
//! [`NamedSession`](crate::NamedSession), [`Flash`](crate::Flash) and
//! [`CsrfToken`](crate::CsrfToken) are extractors (`FromRequest`); [`IfOpened`] is the
//! optional form, `Some` only for a session the request brought.
//!
//! actix-web has `http` 0.2 types of its own, so this adapter hands the core the raw bytes of
//! the `Cookie` headers and copies the `Set-Cookie` values back as bytes. Opening, validating
//! and saving are the core's (`RequestSession`), the cookie work
//! [`SessionCookie`](crate::SessionCookie)'s, the CSRF rules and token check `crate::csrf`'s.
//!
//! # Example
//! ```
//! use actix_web::{web, App, HttpServer};
//! use sealed_session::actix::SessionMiddleware;
//! use sealed_session::{Key, Sealer, Session};
//!
//! async fn visits(session: Session) -> String {
//!     let n: u64 = session.get("visits").ok().flatten().unwrap_or(0) + 1;
//!     let _ = session.insert("visits", n);
//!     format!("visit {n}")
//! }
//!
//! let sealer = Sealer::new(Key::generate()); // keys: KeyRing::from_env in production
//! let server = HttpServer::new(move || {
//!     App::new()
//!         .route("/", web::get().to(visits))
//!         .wrap(SessionMiddleware::new(sealer.clone()))
//! });
//! # let _ = server;
//! ```
//!
//! Every actix worker builds its own `App`, so the middleware is made once per worker from a
//! clone of the sealer: cloning a [`Sealer`](crate::Sealer) shares its keys, it does not copy
//! them.

use actix_web::http::header::{HeaderMap, COOKIE};

use crate::session_layer::Integration;

// Cross-site request forgery protection over the session: `CsrfMiddleware` and the
// `CsrfToken` extractor.
mod csrf;
// `Session`, `TypedSession`, `NamedSession` and `Flash` as extractors, and their future.
mod extractors;
// `IfOpened`, the optional session extractors.
mod if_opened;
// `SessionMiddleware`, its service and its future.
mod middleware;
// A failed extractor's answer.
mod rejection;

pub use crate::csrf::{CsrfFuture, CsrfService};
pub use crate::session_layer::{SessionFuture, SessionService};
pub use csrf::CsrfMiddleware;
pub use extractors::ExtractFuture;
pub use if_opened::IfOpened;
pub use middleware::SessionMiddleware;

/// How actix-web apps are told to install the middleware.
const ACTIX: Integration = Integration {
    session_layer: "SessionMiddleware",
    install_session: "`App::new().route(..).wrap(SessionMiddleware::new(sealer))`",
    csrf_layer: "CsrfMiddleware",
    install_csrf: "`.wrap(CsrfMiddleware::default()).wrap(SessionMiddleware::new(sealer))`",
};

/// The raw bytes of each `Cookie` header of an actix request, in order: what the core reads.
fn cookie_headers(headers: &HeaderMap) -> impl Iterator<Item = &[u8]> + '_ {
    headers.get_all(COOKIE).map(|value| value.as_bytes())
}
