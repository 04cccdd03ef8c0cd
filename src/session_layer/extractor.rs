//! [`SessionExtractor`]: which of a request's sessions an extractor type takes, the one lookup
//! the integrations' extractors and the layers built on them (CSRF) share.

use std::sync::Arc;

use super::rejection::{Integration, SessionRejection};
use super::request_session::RequestSession;
use super::session_set::SessionSet;
use crate::codec::Codec;
use crate::named_session::{NamedSession, SessionName};
use crate::session::Session;

/// The session extractors, [`Session`] and [`NamedSession`], as the type parameter of a layer
/// that works on the session one of them gives, such as the CSRF layers (axum's `CsrfLayer`,
/// actix's `actix::CsrfMiddleware`): the layer finds its session the way that extractor does.
/// Sealed: implemented by this crate's extractors only.
pub trait SessionExtractor: sealed::Sealed + Send + 'static {
    /// The codec of the session's entries.
    type Codec: Codec;

    /// The request's session this extractor gives from the request's set of sessions, not
    /// opened yet; the error in the words of the integration that asks.
    #[doc(hidden)]
    fn request_session(
        set: Option<&SessionSet>,
        integration: &'static Integration,
    ) -> Result<Arc<RequestSession<Self::Codec>>, SessionRejection>;
}

mod sealed {
    pub trait Sealed {}
    impl<C: crate::codec::Codec> Sealed for crate::session::Session<C> {}
    impl<N, C: crate::codec::Codec> Sealed for crate::named_session::NamedSession<N, C> {}
}

impl<C: Codec> SessionExtractor for Session<C> {
    type Codec = C;

    fn request_session(
        set: Option<&SessionSet>,
        integration: &'static Integration,
    ) -> Result<Arc<RequestSession<C>>, SessionRejection> {
        SessionSet::find(set, None, integration)
    }
}

impl<N: SessionName, C: Codec> SessionExtractor for NamedSession<N, C> {
    type Codec = C;

    fn request_session(
        set: Option<&SessionSet>,
        integration: &'static Integration,
    ) -> Result<Arc<RequestSession<C>>, SessionRejection> {
        SessionSet::find(set, Some(N::NAME), integration)
    }
}

/// `Some` when the request brought a session that opened (and passed the validator): what the
/// optional extractors give.
pub(crate) fn if_opened<C: Codec>(session: Session<C>) -> Option<Session<C>> {
    session.created_at().is_some().then_some(session)
}
