//! The HTTP cookie layer, with no framework: reading `Cookie` headers by the byte-for-byte name
//! rule, chunking large sessions over several cookies, writing `Set-Cookie` lines, and the
//! session cookie helper that ties them to a sealer. Built on the `http` types only.

mod chunk;
mod cookie_header;
// The per-request session the framework integrations hand out.
#[cfg(feature = "axum")]
mod request_session;
mod session_cookie;
mod set_cookie;

pub use chunk::MAX_CHUNKS;
#[cfg(feature = "axum")]
pub(crate) use cookie_header::cookie_headers;
#[cfg(feature = "axum")]
pub use request_session::OnSaveError;
#[cfg(feature = "axum")]
pub(crate) use request_session::{LayerConfig, RequestSession, Saved, Validator};
pub use session_cookie::SessionCookie;
pub use set_cookie::SameSite;
