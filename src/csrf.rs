//! Cross-site request forgery protection, with no framework: the rules ([`CsrfPolicy`]) over
//! the plain facts of a request ([`CsrfRequest`]), and the synchronizer token kept in the
//! session ([`CsrfToken`]). The axum layer and extractor wire these into tower; another
//! framework's adapter would do the same with its own request type.

mod origin;
mod policy;
mod token;

pub use policy::{CsrfCheck, CsrfPolicy, CsrfRefusal, CsrfRequest};
pub use token::CsrfToken;
