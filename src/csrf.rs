//! Cross-site request forgery protection, with no framework: the rules ([`CsrfPolicy`]) over
//! the plain facts of a request ([`CsrfRequest`]), the synchronizer token kept in the session
//! ([`CsrfToken`]), and what a CSRF layer does with a request ([`CsrfLayer`]). The axum and
//! actix-web integrations wire these into their frameworks.

// The CSRF layer of the framework integrations, built with one of them.
#[cfg(any(feature = "axum", feature = "actix"))]
mod future;
#[cfg(any(feature = "axum", feature = "actix"))]
mod layer;
mod origin;
mod policy;
mod token;

#[cfg(any(feature = "axum", feature = "actix"))]
pub use future::CsrfFuture;
#[cfg(any(feature = "axum", feature = "actix"))]
pub(crate) use future::PassedOn;
#[cfg(any(feature = "axum", feature = "actix"))]
pub(crate) use layer::{
    refused, verify, BodyRead, FormBody, Gate, TokenAt, Verdict, TOO_LARGE, UNREADABLE,
};
#[cfg(any(feature = "axum", feature = "actix"))]
pub use layer::{CsrfLayer, CsrfService};
pub use policy::{CsrfCheck, CsrfPolicy, CsrfRefusal, CsrfRequest};
pub use token::CsrfToken;
