//! What the framework integrations share, with no framework: a session layer's settings
//! ([`SessionLayer`]), the session of one request that its extractors open on first access
//! (`RequestSession`), the set of a request's sessions they find theirs in, and their errors.
//! Each integration keeps these in its own request type and answers in its own response type.

mod extractor;
mod layer;
mod rejection;
mod request_session;
mod response;
mod session_set;

pub(crate) use extractor::if_opened;
pub use extractor::SessionExtractor;
pub use layer::{SessionLayer, SessionService};
pub(crate) use rejection::{logged, CsrfSetup, Integration};
pub use rejection::{CsrfRejection, SessionRejection};
#[cfg(feature = "tower-sessions")]
pub(crate) use request_session::LayerConfig;
pub use request_session::OnSaveError;
pub(crate) use request_session::{RequestSession, Saved};
pub use response::SessionFuture;
pub(crate) use response::SessionResponse;
pub(crate) use session_set::SessionSet;
