//! The HTTP cookie layer, with no framework: reading `Cookie` headers by the byte-for-byte name
//! rule, chunking large sessions over several cookies, writing `Set-Cookie` lines, and the
//! session cookie helper that ties them to a sealer. Built on the `http` types only.

mod chunk;
mod cookie_header;
mod session_cookie;
mod set_cookie;

pub use chunk::MAX_CHUNKS;
#[cfg(feature = "axum")]
pub(crate) use cookie_header::cookie_headers;
pub use session_cookie::SessionCookie;
pub use set_cookie::SameSite;
#[cfg(any(feature = "axum", feature = "actix"))]
pub(crate) use set_cookie::SetCookies;
