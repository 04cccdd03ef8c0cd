//! Sessions taken by name, for apps with several session layers: [`NamedSession`].

use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;
use std::sync::Arc;

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use http::request::Parts;
use http::Extensions;

use super::extractors::{if_opened, session_of, SessionExtractor};
use super::rejection::SessionRejection;
use super::session_set::{codec_type, sessions_in};
#[cfg(doc)]
use super::SessionLayer;
use crate::codec::{Codec, DefaultCodec};
use crate::cookie_layer::RequestSession;
use crate::session::Session;

/// Names a session for [`NamedSession`]: a type whose `NAME` is a layer's cookie name.
///
/// ```
/// struct Flash;
/// impl sealed_session::SessionName for Flash {
///     const NAME: &'static str = "flash";
/// }
/// ```
pub trait SessionName: Send + Sync + 'static {
    /// The cookie name of the session.
    const NAME: &'static str;
}

/// The session of the [`SessionLayer`] whose cookie is named `N::NAME`: for apps with several
/// sessions (a login session and a short-lived `flash` one, say). Dereferences to [`Session`].
///
/// # Example
/// ```
/// use std::time::Duration;
/// use axum::{routing::get, Router};
/// use sealed_session::{Key, NamedSession, Sealer, Session, SessionLayer, SessionName};
///
/// struct Flash;
/// impl SessionName for Flash {
///     const NAME: &'static str = "flash";
/// }
///
/// async fn page(session: NamedSession<sealed_session::DefaultName>, flash: NamedSession<Flash>) -> String {
///     let user: Option<String> = session.get("user").ok().flatten();
///     let note: Option<String> = flash.take("note").ok().flatten();
///     format!("{user:?} {note:?}")
/// }
///
/// let key = Key::generate();
/// let app: Router = Router::new()
///     .route("/", get(page))
///     .layer(SessionLayer::new(Sealer::new(key.clone())))
///     .layer(SessionLayer::new(
///         Sealer::new(key).cookie_name("flash").max_lifetime(Duration::from_secs(300)),
///     ));
/// ```
pub struct NamedSession<N, C: Codec = DefaultCodec> {
    session: Session<C>,
    name: PhantomData<fn() -> N>,
}

/// The [`SessionName`] of the default cookie name, [`DEFAULT_COOKIE_NAME`](crate::DEFAULT_COOKIE_NAME) (`__Host-session`).
#[derive(Debug, Clone, Copy)]
pub struct DefaultName;

impl SessionName for DefaultName {
    const NAME: &'static str = crate::sealer::DEFAULT_COOKIE_NAME;
}

impl<N, C: Codec> NamedSession<N, C> {
    /// The session.
    pub fn into_inner(self) -> Session<C> {
        self.session
    }
}

impl<N, C: Codec> Clone for NamedSession<N, C> {
    fn clone(&self) -> Self {
        Self {
            session: self.session.clone(),
            name: PhantomData,
        }
    }
}

impl<N: SessionName, C: Codec> fmt::Debug for NamedSession<N, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NamedSession")
            .field("name", &N::NAME)
            .field("session", &self.session)
            .finish()
    }
}

impl<N, C: Codec> Deref for NamedSession<N, C> {
    type Target = Session<C>;

    fn deref(&self) -> &Session<C> {
        &self.session
    }
}

impl<N: SessionName, C: Codec> SessionExtractor for NamedSession<N, C> {
    type Codec = C;

    fn request_session(
        extensions: &Extensions,
    ) -> Result<Arc<RequestSession<C>>, SessionRejection> {
        sessions_in(extensions)
            .map_err(|_| SessionRejection::Missing {
                name: Some(N::NAME.to_owned()),
                codec: codec_type::<C>(),
                installed: Vec::new(),
            })?
            .find(Some(N::NAME))
    }
}

impl<St: Send + Sync, N: SessionName, C: Codec> FromRequestParts<St> for NamedSession<N, C> {
    type Rejection = SessionRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &St) -> Result<Self, Self::Rejection> {
        Ok(Self {
            session: session_of::<Self>(&parts.extensions, &parts.headers).await?,
            name: PhantomData,
        })
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
        Ok(if_opened(session).map(|session| Self {
            session,
            name: PhantomData,
        }))
    }
}
