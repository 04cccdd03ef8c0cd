//! [`NamedSession`] as an extractor, for apps with several session layers.

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use http::request::Parts;

use super::extractors::session_of;
use crate::codec::Codec;
use crate::named_session::{NamedSession, SessionName};
use crate::session_layer::if_opened;
use crate::session_layer::SessionRejection;

impl<St: Send + Sync, N: SessionName, C: Codec> FromRequestParts<St> for NamedSession<N, C> {
    type Rejection = SessionRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &St) -> Result<Self, Self::Rejection> {
        let session = session_of::<Self>(&parts.extensions, &parts.headers).await?;
        Ok(Self::new(session))
    }
}

/// `Some` only when the request brought a session of this name that opened and passed the
/// validator.
impl<St: Send + Sync, N: SessionName, C: Codec> OptionalFromRequestParts<St>
    for NamedSession<N, C>
{
    type Rejection = SessionRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &St,
    ) -> Result<Option<Self>, Self::Rejection> {
        let session = session_of::<Self>(&parts.extensions, &parts.headers).await?;
        Ok(if_opened(session).map(Self::new))
    }
}
