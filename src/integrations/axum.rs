//! axum (and any tower HTTP service): [`SessionLayer`](crate::SessionLayer) and
//! [`CsrfLayer`](crate::CsrfLayer) as tower layers, and the session extractors.
//!
//! The layer gives each request a session that the first extractor asking for it opens from
//! the cookie (a missing or bad cookie gives a fresh, empty session), and writes `Set-Cookie`
//! after the handler, only when the session was opened and needs it. Opening, validating and
//! saving are the core's (`RequestSession`), cookie work is
//! [`SessionCookie`](crate::SessionCookie)'s, the CSRF rules and token check are
//! `crate::csrf`'s; these files only wire them into tower and axum.

use crate::session_layer::Integration;

// Cross-site request forgery protection over the session: `CsrfLayer` as a tower layer and
// the `CsrfToken` extractor.
mod csrf;
// `Session`, `TypedSession` and `Flash` as extractors.
mod extractors;
// `SessionLayer` as a tower layer, and its service as a tower service.
mod layer;
// `NamedSession` as an extractor, for several session layers.
mod named;
// A failed extractor's answer.
mod rejection;

pub(crate) use extractors::session_of;

/// How axum apps are told to install the layers.
pub(crate) const AXUM: Integration = Integration {
    session_layer: "SessionLayer",
    install_session: "`Router::new().route(..).layer(SessionLayer::new(sealer))`",
    csrf_layer: "CsrfLayer",
    install_csrf: "`.layer(CsrfLayer::default()).layer(SessionLayer::new(sealer))`",
};
