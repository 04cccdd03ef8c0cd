//! [`SessionLayer`], its service and its response future: one `RequestSession` per request,
//! put in the request for the extractors, and saved into the response.

use std::any::Any;
use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{Request, StatusCode};
use tower_layer::Layer;
use tower_service::Service;

use super::session_set::{codec_type, SessionSet, SetEntry};
#[cfg(doc)]
use super::NamedSession;
use crate::codec::Codec;
use crate::cookie_layer::{
    LayerConfig, OnSaveError, RequestSession, Saved, SessionCookie, Validator,
};
use crate::sealer::Sealer;
use crate::session::Session;
use crate::session_sealer::SessionSealer;

/// A tower [`Layer`] that gives every request a [`Session`] from its cookie and sends the
/// cookie back when the session needs it.
///
/// The cookie is opened when a handler (or a layer inside this one) first asks for the session,
/// not before: a request that never does costs no cookie parsing, no cipher and no validator
/// call, and its response carries no `Set-Cookie`. Such a request does not refresh the
/// session's idle deadline either, nor re-seal it under the newest key; the next one that
/// touches the session does.
///
/// # Example
/// ```
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
    /// [`CsrfLayer`](crate::CsrfLayer) checking a token) and brought one: routes that never
    /// touch the session (static files, health checks) cost no lookup. It should be cheap (an
    /// indexed lookup, or a cache in front of one). What to answer when the database cannot be reached is the app's choice: `false`
    /// fails closed.
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

impl<S: SessionSealer, I> Layer<I> for SessionLayer<S> {
    type Service = SessionService<I, S>;

    fn layer(&self, inner: I) -> Self::Service {
        SessionService {
            inner,
            name: Arc::from(self.cookie.name()),
            config: self.config(),
        }
    }
}

/// The service [`SessionLayer`] wraps around an inner service.
pub struct SessionService<I, S: SessionSealer> {
    inner: I,
    /// The cookie name, for the request's [`SessionSet`].
    name: Arc<str>,
    /// What every request reads: shared, so that a request costs one reference count, not a
    /// copy of the sealer and the cookie attributes.
    config: Arc<LayerConfig<S>>,
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

impl<I, S, ReqBody, ResBody> Service<Request<ReqBody>> for SessionService<I, S>
where
    I: Service<Request<ReqBody>, Response = http::Response<ResBody>>,
    S: SessionSealer,
    ResBody: Default,
{
    type Response = http::Response<ResBody>;
    type Error = I::Error;
    type Future = SessionFuture<I::Future, S>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        if request
            .extensions()
            .get::<SessionSet>()
            .is_some_and(|set| set.iter().any(|e| e.name == self.name))
        {
            // An outer layer already handles this cookie (the layer was applied twice, say
            // on a router and on a nested one): it alone reads and writes it.
            return SessionFuture {
                fut: self.inner.call(request),
                save: None,
            };
        }
        // Opened by the first extractor that asks for it, if any does.
        let session = Arc::new(RequestSession::new(&self.config));
        install(&mut request, &self.name, &session);
        SessionFuture {
            fut: self.inner.call(request),
            save: Some((Arc::clone(&self.config), session)),
        }
    }
}

/// Puts the request's session in its [`SessionSet`], for the extractors.
fn install<C: Codec, B>(
    request: &mut Request<B>,
    name: &Arc<str>,
    session: &Arc<RequestSession<C>>,
) {
    let entry = SetEntry {
        name: Arc::clone(name),
        codec: codec_type::<C>,
        session: Arc::clone(session) as Arc<dyn Any + Send + Sync>,
    };
    let extensions = request.extensions_mut();
    match extensions.get_mut::<SessionSet>() {
        Some(set) => set.rest.push(entry),
        None => {
            extensions.insert(SessionSet {
                first: Some(entry),
                rest: Vec::new(),
            });
        }
    }
}

/// The response with the session's `Set-Cookie` values added, or what [`OnSaveError`] says
/// when the session cannot be saved.
fn save_session<S: SessionSealer, B: Default>(
    config: &LayerConfig<S>,
    session: &RequestSession<S::Codec>,
    mut response: http::Response<B>,
) -> http::Response<B> {
    match config.save(session) {
        Saved::Nothing | Saved::Failed(OnSaveError::SendWithoutCookie) => {}
        Saved::Cookies(values) => values.append_to(response.headers_mut()),
        Saved::Failed(_) => {
            let mut failed = http::Response::new(B::default());
            *failed.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            return failed;
        }
    }
    response
}

pin_project_lite::pin_project! {
    /// The response future of [`SessionService`]: the inner service's response, with the
    /// session's `Set-Cookie` values added when it is ready.
    pub struct SessionFuture<F, S: SessionSealer> {
        #[pin]
        fut: F,
        // Taken once, when the response is ready; `None` when an outer layer handles the
        // cookie.
        save: Option<(Arc<LayerConfig<S>>, Arc<RequestSession<S::Codec>>)>,
    }
}

impl<F, S: SessionSealer> fmt::Debug for SessionFuture<F, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionFuture").finish_non_exhaustive()
    }
}

impl<F, S, B, E> Future for SessionFuture<F, S>
where
    F: Future<Output = Result<http::Response<B>, E>>,
    S: SessionSealer,
    B: Default,
{
    type Output = Result<http::Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let response = match this.fut.poll(cx) {
            Poll::Ready(Ok(response)) => response,
            other => return other,
        };
        Poll::Ready(Ok(match this.save.take() {
            Some((config, session)) => save_session(&config, &session, response),
            None => response,
        }))
    }
}

// The layer's service is usable by `Router::layer`, whose error type must convert to
// `Infallible`; this keeps that requirement visible where the service is defined.
const _: fn() = || {
    fn assert_router_compatible<T: Service<Request<axum::body::Body>, Error = Infallible>>() {}
    assert_router_compatible::<SessionService<axum::routing::Route, crate::sealer::Sealer>>();
};
