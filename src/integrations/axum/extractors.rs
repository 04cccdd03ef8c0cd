//! The extractors of a [`SessionLayer`](super::SessionLayer)'s session: [`Session`],
//! [`TypedSession`], [`Flash`], each also as an `Option` that is `Some` only for a session
//! the request brought.

use std::sync::Arc;

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use http::request::Parts;
use http::Extensions;

use super::rejection::SessionRejection;
use super::session_set::sessions_in;
#[cfg(doc)]
use super::{CsrfLayer, NamedSession};
use crate::codec::Codec;
use crate::cookie_layer::{cookie_headers, RequestSession};
use crate::flash::Flash;
use crate::session::Session;
use crate::typed_session::TypedSession;

/// The session extractors, [`Session`] and [`NamedSession`], as the type parameter of a layer
/// that works on the session one of them gives, such as [`CsrfLayer`]: the layer finds its
/// session the way that extractor does. Sealed: implemented by this crate's extractors only.
pub trait SessionExtractor: sealed::Sealed + Send + 'static {
    /// The codec of the session's entries.
    type Codec: Codec;

    /// The request's session this extractor gives, not opened yet: the one place the
    /// extractors and the layers built on them look a session up.
    #[doc(hidden)]
    fn request_session(
        extensions: &Extensions,
    ) -> Result<Arc<RequestSession<Self::Codec>>, SessionRejection>;
}

/// The session extractor `E` gives for a request with these extensions and headers, opened
/// (and validated) now if nothing opened it before.
pub(crate) async fn session_of<E: SessionExtractor>(
    extensions: &Extensions,
    headers: &http::HeaderMap,
) -> Result<Session<E::Codec>, SessionRejection> {
    let request = E::request_session(extensions)?;
    Ok(request.session(|| cookie_headers(headers)).await)
}

/// `Some` when the request brought a session that opened (and passed the validator).
pub(super) fn if_opened<C: Codec>(session: Session<C>) -> Option<Session<C>> {
    session.created_at().is_some().then_some(session)
}

pub(super) mod sealed {
    pub trait Sealed {}
    impl<C: crate::codec::Codec> Sealed for crate::session::Session<C> {}
    impl<N, C: crate::codec::Codec> Sealed for super::super::NamedSession<N, C> {}
}

impl<C: Codec> SessionExtractor for Session<C> {
    type Codec = C;

    fn request_session(
        extensions: &Extensions,
    ) -> Result<Arc<RequestSession<C>>, SessionRejection> {
        sessions_in(extensions)?.find(None)
    }
}

impl<St: Send + Sync, C: Codec> FromRequestParts<St> for Session<C> {
    type Rejection = SessionRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &St) -> Result<Self, Self::Rejection> {
        session_of::<Self>(&parts.extensions, &parts.headers).await
    }
}

/// `Some` only when the request brought a session that opened and passed the validator: a
/// handler can tell a returning visitor from a new one. A returning visitor is not a
/// signed-in one: a login form's CSRF token, a flash message or a cart give anonymous
/// visitors sessions too, so check sign-in on an entry (as `examples/login.rs` does with its
/// `TypedSession<User>`).
impl<St: Send + Sync, C: Codec> OptionalFromRequestParts<St> for Session<C> {
    type Rejection = SessionRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &St,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(if_opened(
            session_of::<Self>(&parts.extensions, &parts.headers).await?,
        ))
    }
}

impl<St: Send + Sync, T, C: Codec> FromRequestParts<St> for TypedSession<T, C> {
    type Rejection = SessionRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &St) -> Result<Self, Self::Rejection> {
        let session = session_of::<Session<C>>(&parts.extensions, &parts.headers).await?;
        Ok(TypedSession::new(session))
    }
}

/// `Some` only when the request brought a session that opened and passed the validator (its
/// value may still be unset: [`TypedSession::get`] says).
impl<St: Send + Sync, T, C: Codec> OptionalFromRequestParts<St> for TypedSession<T, C> {
    type Rejection = SessionRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &St,
    ) -> Result<Option<Self>, Self::Rejection> {
        let session = session_of::<Session<C>>(&parts.extensions, &parts.headers).await?;
        Ok(if_opened(session).map(TypedSession::new))
    }
}

/// The flash messages of the request's session (see [`Flash`]): the session is opened as
/// [`Session`] opens it.
impl<St: Send + Sync, C: Codec> FromRequestParts<St> for Flash<C> {
    type Rejection = SessionRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &St) -> Result<Self, Self::Rejection> {
        let session = session_of::<Session<C>>(&parts.extensions, &parts.headers).await?;
        Ok(Flash::new(session))
    }
}
