//! axum (and any tower HTTP service): [`SessionLayer`], the session extractors and
//! [`CsrfLayer`].
//!
//! The layer gives each request a session that the first extractor asking for it opens from
//! the cookie (a missing or bad cookie gives a fresh, empty session), and writes `Set-Cookie`
//! after the handler, only when the session was opened and needs it. Opening, validating and
//! saving are the core's (`RequestSession`), cookie work is
//! [`SessionCookie`](crate::SessionCookie)'s; these files only wire them into tower and axum.

// Cross-site request forgery protection over the session: `CsrfLayer` and the `CsrfToken`
// extractor.
mod csrf;
// `Session`, `TypedSession` and `Flash` as extractors, and `SessionExtractor`.
mod extractors;
// `SessionLayer`, its service and its future.
mod layer;
// `NamedSession`, for several session layers.
mod named;
// Why an extractor failed.
mod rejection;
// The sessions of one request, as the layers leave them for the extractors.
mod session_set;

pub use csrf::{CsrfLayer, CsrfRejection, CsrfService};
pub(crate) use extractors::session_of;
pub use extractors::SessionExtractor;
pub use layer::{SessionFuture, SessionLayer, SessionService};
pub use named::{DefaultName, NamedSession, SessionName};
pub use rejection::SessionRejection;
