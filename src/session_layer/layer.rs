//! [`SessionLayer`]: a session layer's settings (the cookie, the validator, the answer to a
//! session that cannot be saved), built once, read by every request. No framework: each
//! integration makes it its framework's layer or middleware.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use super::request_session::{LayerConfig, OnSaveError, RequestSession, Validator};
use super::session_set::SessionSet;
use crate::cookie_layer::SessionCookie;
#[cfg(doc)]
use crate::named_session::NamedSession;
use crate::sealer::Sealer;
use crate::session::Session;
use crate::session_sealer::SessionSealer;

/// A session layer: gives every request a [`Session`] from its cookie and sends the cookie
/// back when the session needs it. With axum (feature `axum`) it is a tower `Layer`; with
/// actix-web (feature `actix`) a middleware, under the name `actix::SessionMiddleware`.
///
/// The cookie is opened when a handler (or a layer inside this one) first asks for the session,
/// not before: a request that never does costs no cookie parsing, no cipher and no validator
/// call, and its response carries no `Set-Cookie`. Such a request does not refresh the
/// session's idle deadline either, nor re-seal it under the newest key; the next one that
/// touches the session does.
///
/// # Example
/// ```
/// # #[cfg(feature = "axum")] {
/// use axum::{routing::get, Router};
/// use sealed_session::{Key, Sealer, Session, SessionLayer};
///
/// async fn visit(session: Session) -> String {
///     let n = session.get::<u64>("visits").ok().flatten().unwrap_or(0) + 1;
///     let _ = session.insert("visits", n);
///     format!("visit {n}")
/// }
///
/// let sealer = Sealer::new(Key::generate()); // keys: KeyRing::from_base64_list in production
/// let app: Router = Router::new().route("/", get(visit)).layer(SessionLayer::new(sealer));
/// # }
/// ```
///
/// Several layers with different sealers (and so different cookie names) can wrap one app;
/// handlers then take each one by name with [`NamedSession`]. A layer nested inside another
/// for the same cookie name stands aside: the outer one reads and writes that cookie, and its
/// validator, not the inner one's, checks the session.
#[derive(Clone)]
pub struct SessionLayer<S: SessionSealer = Sealer> {
    cookie: SessionCookie<S>,
    validator: Option<Validator<S::Codec>>,
    on_save_error: OnSaveError,
}

impl<S: SessionSealer> SessionLayer<S> {
    /// A layer with the sealer's cookie name and the secure default cookie attributes
    /// (`HttpOnly`, `Secure`, `SameSite=Lax`, `Path=/`, browser-session lifetime).
    pub fn new(sealer: S) -> Self {
        Self::from_cookie(SessionCookie::new(sealer))
    }

    /// A layer with the cookie attributes set on `cookie`:
    ///
    /// ```
    /// use sealed_session::{CookieExpiry, Key, Sealer, SessionCookie, SessionLayer};
    /// let layer = SessionLayer::from_cookie(
    ///     SessionCookie::new(Sealer::new(Key::generate())).expiry(CookieExpiry::UntilSessionExpires),
    /// );
    /// ```
    pub fn from_cookie(cookie: SessionCookie<S>) -> Self {
        Self {
            cookie,
            validator: None,
            on_save_error: OnSaveError::default(),
        }
    }

    /// A check the app runs on every session that opened from a cookie, before the handler
    /// sees it: return `false` to reject the session. A rejected session reaches the handler as
    /// a fresh, empty one, and its cookie is removed from the browser unless the handler stores
    /// something new.
    ///
    /// This is revocation without server-side session storage: keep a small per-user stamp in
    /// the app's own database (changed on password change, "log out everywhere", account
    /// lock), copy it into the session at login, and compare the two here. Sessions with no
    /// user in them can be let through without a lookup. The check runs at most once per
    /// request, and only for a request that asks for its session (an extractor, or a
    /// CSRF layer checking a token) and brought one: routes that never
    /// touch the session (static files, health checks) cost no lookup. It should be cheap (an
    /// indexed lookup, or a cache in front of one). What to answer when the database cannot be
    /// reached is the app's choice: `false` fails closed.
    ///
    /// [`Sealer::invalidate_before`](crate::Sealer::invalidate_before) ends every session
    /// begun before a moment at once, with no lookup at all; removing a key from the ring ends
    /// every session it sealed.
    ///
    /// # Example
    /// ```
    /// use std::collections::HashMap;
    /// use std::sync::{Arc, RwLock};
    /// use sealed_session::{Key, Sealer, Session, SessionLayer};
    ///
    /// // user id -> current stamp, kept by the app (a column of its users table).
    /// let stamps: Arc<RwLock<HashMap<u64, u64>>> = Arc::default();
    /// let layer = SessionLayer::new(Sealer::new(Key::generate())).validator({
    ///     let stamps = Arc::clone(&stamps);
    ///     move |session: Session| {
    ///         let stamps = Arc::clone(&stamps);
    ///         async move {
    ///             let Ok(Some(user)) = session.get::<u64>("user_id") else {
    ///                 return true; // no user, nothing to revoke
    ///             };
    ///             let stamp = session.get::<u64>("stamp").ok().flatten();
    ///             stamp.is_some() && stamps.read().unwrap().get(&user).copied() == stamp
    ///         }
    ///     }
    /// });
    /// ```
    pub fn validator<F, Fut>(mut self, check: F) -> Self
    where
        F: Fn(Session<S::Codec>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = bool> + Send + 'static,
    {
        self.validator = Some(Arc::new(move |session| Box::pin(check(session))));
        self
    }

    /// What to answer when the session cannot be saved; default
    /// [`OnSaveError::SendWithoutCookie`].
    pub fn on_save_error(mut self, answer: OnSaveError) -> Self {
        self.on_save_error = answer;
        self
    }

    /// The cookie handling this layer uses.
    pub fn cookie(&self) -> &SessionCookie<S> {
        &self.cookie
    }

    /// The same layer over the cookie `f` makes of this one's.
    #[cfg(feature = "tower-sessions")]
    pub(crate) fn map_cookie(
        mut self,
        f: impl FnOnce(SessionCookie<S>) -> SessionCookie<S>,
    ) -> Self {
        self.cookie = f(self.cookie);
        self
    }

    /// What every request of a service of this layer reads.
    pub(crate) fn config(&self) -> Arc<LayerConfig<S>> {
        Arc::new(LayerConfig {
            cookie: self.cookie.clone(),
            validator: self.validator.clone(),
            on_save_error: self.on_save_error,
        })
    }
}

impl<S: SessionSealer> fmt::Debug for SessionLayer<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionLayer")
            .field("cookie", &self.cookie)
            .field("validator", &self.validator.is_some())
            .field("on_save_error", &self.on_save_error)
            .finish()
    }
}

/// The service a [`SessionLayer`] wraps around an inner service, in any framework (each
/// integration implements its framework's service trait for it).
pub struct SessionService<I, S: SessionSealer> {
    pub(crate) inner: I,
    /// The cookie name, for the request's set of sessions.
    name: Arc<str>,
    /// What every request reads: shared, so that a request costs one reference count, not a
    /// copy of the sealer and the cookie attributes.
    pub(crate) config: Arc<LayerConfig<S>>,
}

impl<I, S: SessionSealer> SessionService<I, S> {
    /// The service of `layer` around `inner`.
    pub(crate) fn new(layer: &SessionLayer<S>, inner: I) -> Self {
        Self {
            inner,
            name: Arc::from(layer.cookie.name()),
            config: layer.config(),
        }
    }

    /// The layer's session of a request whose set of sessions is `set`, put in the set for
    /// the extractors (the first that asks opens it); `None` when an outer layer handles the
    /// same cookie. The response future saves it.
    pub(crate) fn install(&self, set: &mut SessionSet) -> Option<Arc<RequestSession<S::Codec>>> {
        set.install(&self.name, &self.config)
    }
}

impl<I: Clone, S: SessionSealer> Clone for SessionService<I, S> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            name: Arc::clone(&self.name),
            config: Arc::clone(&self.config),
        }
    }
}

impl<I, S: SessionSealer> fmt::Debug for SessionService<I, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionService")
            .field("cookie", &self.config.cookie)
            .field("validator", &self.config.validator.is_some())
            .field("on_save_error", &self.config.on_save_error)
            .finish_non_exhaustive()
    }
}
