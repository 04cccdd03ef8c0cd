//! [`NamedSession`]: the session of one cookie name, for apps with several session layers.

use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;

use crate::codec::{Codec, DefaultCodec};
use crate::session::Session;

/// Names a session for [`NamedSession`]: a type whose `NAME` is a session layer's cookie name.
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

/// The session of the session layer (axum's `SessionLayer`, actix's
/// `actix::SessionMiddleware`) whose cookie is named `N::NAME`: for apps with several
/// sessions (a login session and a short-lived `flash` one, say). Dereferences to [`Session`].
///
/// # Example
/// ```
/// # #[cfg(feature = "axum")] {
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
/// # }
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
    /// `session` as the session named `N::NAME`: what the extractors hand out.
    pub(crate) fn new(session: Session<C>) -> Self {
        Self {
            session,
            name: PhantomData,
        }
    }

    /// The session.
    pub fn into_inner(self) -> Session<C> {
        self.session
    }
}

impl<N, C: Codec> Clone for NamedSession<N, C> {
    fn clone(&self) -> Self {
        Self::new(self.session.clone())
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
