//! Framework integrations: thin adapters over the HTTP cookie layer, one per feature. Each is
//! gated here, once, at its `mod` line.

#[cfg(feature = "actix")]
pub mod actix;
#[cfg(feature = "axum")]
pub(crate) mod axum;

// A `tower_sessions::Session` kept in the sealed cookie, for axum-login.
#[cfg(feature = "tower-sessions")]
pub(crate) mod tower_sessions;
