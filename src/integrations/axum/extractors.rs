//! The extractors of a [`SessionLayer`](crate::SessionLayer)'s session: [`Session`],
//! [`TypedSession`], [`Flash`], each also as an `Option` that is `Some` only for a session
//! the request brought.

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use http::request::Parts;
use http::Extensions;

use super::AXUM;
use crate::codec::Codec;
use crate::cookie_layer::cookie_headers;
use crate::flash::Flash;
use crate::session::Session;
use crate::session_layer::{if_opened, SessionExtractor, SessionRejection, SessionSet};
use crate::typed_session::TypedSession;

/// The session extractor `E` gives for a request with these extensions and headers, opened
/// (and validated) now if nothing opened it before.
pub(crate) async fn session_of<E: SessionExtractor>(
    extensions: &Extensions,
    headers: &http::HeaderMap,
) -> Result<Session<E::Codec>, SessionRejection> {
    let request = E::request_session(extensions.get::<SessionSet>(), &AXUM)?;
    Ok(request.session(|| cookie_headers(headers)).await)
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
