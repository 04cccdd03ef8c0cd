//! axum (and any tower HTTP service): [`SessionLayer`] and the [`Session`] extractors.
//!
//! The layer gives each request a session that the first extractor asking for it opens from
//! the cookie (a missing or bad cookie gives a fresh, empty session), and writes `Set-Cookie`
//! after the handler, only when the session was opened and needs it. Opening, validating and
//! saving are the core's (`RequestSession`), cookie work is [`SessionCookie`]'s; this file
//! only wires them into tower and axum.

use std::any::Any;
use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::ops::Deref;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::response::{IntoResponse, Response};
use http::request::Parts;
use http::{Extensions, Request, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use tower_layer::Layer;
use tower_service::Service;

use crate::codec::{Codec, DefaultCodec};
use crate::cookie_layer::{
    cookie_headers, LayerConfig, OnSaveError, RequestSession, Saved, SessionCookie, Validator,
};
use crate::sealer::Sealer;
use crate::session::Session;
use crate::session_sealer::SessionSealer;
use crate::typed_session::TypedSession;

// Cross-site request forgery protection over the session: `CsrfLayer` and the `CsrfToken`
// extractor.
mod csrf;

pub use csrf::{CsrfLayer, CsrfRejection, CsrfService};

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
/// for the same cookie name stands aside: the outer one reads and writes that cookie.
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
            config: Arc::new(LayerConfig {
                cookie: self.cookie.clone(),
                validator: self.validator.clone(),
                on_save_error: self.on_save_error,
            }),
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

/// The sessions the layers of one request installed, outermost first.
#[derive(Clone, Default)]
struct SessionSet {
    /// The outermost layer's session: most apps install one layer, and its session needs no
    /// vector of its own.
    first: Option<SetEntry>,
    /// The sessions of the layers inside it.
    rest: Vec<SetEntry>,
}

#[derive(Clone)]
struct SetEntry {
    name: Arc<str>,
    /// The codec's type name, worked out only for an error message (a per-request cost else).
    codec: fn() -> &'static str,
    /// The layer's `RequestSession<C>`, for its codec `C`.
    session: Arc<dyn Any + Send + Sync>,
}

impl SessionSet {
    fn iter(&self) -> impl Iterator<Item = &SetEntry> {
        self.first.iter().chain(&self.rest)
    }

    fn find<C: Codec>(
        &self,
        name: Option<&str>,
    ) -> Result<Arc<RequestSession<C>>, SessionRejection> {
        let mut matching = self.iter().filter(|entry| {
            name.is_none_or(|name| *entry.name == *name) && entry.session.is::<RequestSession<C>>()
        });
        let first = matching.next();
        if name.is_none() && matching.next().is_some() {
            return Err(SessionRejection::Ambiguous {
                names: self.iter().map(|e| e.name.to_string()).collect(),
            });
        }
        first
            .and_then(|entry| Arc::clone(&entry.session).downcast().ok())
            .ok_or_else(|| SessionRejection::Missing {
                name: name.map(str::to_owned),
                codec: codec_type::<C>(),
                installed: self
                    .iter()
                    .map(|e| format!("{} (Session<{}>)", e.name, (e.codec)()))
                    .collect(),
            })
    }
}

/// The codec's type as a handler names it: `Postcard`, `Json`, or the last segment of a codec
/// of the application's own.
fn codec_type<C: Codec>() -> &'static str {
    let full = std::any::type_name::<C>();
    // `a::b::C<d::E>` -> `C<d::E>`: the segment after the last `::` outside angle brackets.
    let outer = full.split('<').next().unwrap_or(full);
    let start = outer.rfind("::").map_or(0, |i| i + 2);
    &full[start..]
}

fn sessions_in(extensions: &Extensions) -> Result<&SessionSet, SessionRejection> {
    extensions
        .get::<SessionSet>()
        .ok_or(SessionRejection::Missing {
            name: None,
            codec: "",
            installed: Vec::new(),
        })
}

/// Why a session extractor failed: the app is missing a [`SessionLayer`] (or has several where
/// one was expected). Answers `500 Internal Server Error` with a message that names the fix;
/// it is a mistake in the program, not in the request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionRejection {
    /// No layer provides the session asked for.
    Missing {
        /// The cookie name asked for, for [`NamedSession`].
        name: Option<String>,
        /// The codec type of the session type asked for (`Postcard` for `Session`; empty when
        /// no layer is installed at all).
        codec: &'static str,
        /// The sessions the installed layers provide, as `name (Session<Codec>)`.
        installed: Vec<String>,
    },
    /// [`Session`] was asked for while several layers with the same codec are installed.
    Ambiguous {
        /// Their cookie names.
        names: Vec<String>,
    },
}

impl fmt::Display for SessionRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing {
                installed, name, ..
            } if installed.is_empty() => {
                let what = name.as_deref().unwrap_or("session");
                write!(
                    f,
                    "no {what:?} session in this request: install SessionLayer around the routes \
                     that use it, e.g. `Router::new().route(..).layer(SessionLayer::new(sealer))`"
                )
            }
            Self::Missing {
                name,
                codec,
                installed,
            } => {
                write!(f, "no SessionLayer provides a Session<{codec}>")?;
                if let Some(name) = name {
                    write!(f, " named {name:?}")?;
                }
                write!(
                    f,
                    "; installed: {}. Take the session as the type installed there (for a \
                     layer whose sealer uses Json: `Session<Json>`, `TypedSession<T, Json>`, \
                     `NamedSession<N, Json>`), or give the layer a sealer of codec {codec}",
                    installed.join(", ")
                )
            }
            Self::Ambiguous { names } => write!(
                f,
                "several SessionLayers are installed ({}): take each one by name with NamedSession",
                names.join(", ")
            ),
        }
    }
}

impl std::error::Error for SessionRejection {}

impl IntoResponse for SessionRejection {
    fn into_response(self) -> Response {
        tracing::error!(error = %self, "session extractor failed");
        (StatusCode::INTERNAL_SERVER_ERROR, self.to_string()).into_response()
    }
}

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
fn if_opened<C: Codec>(session: Session<C>) -> Option<Session<C>> {
    session.created_at().is_some().then_some(session)
}

mod sealed {
    pub trait Sealed {}
    impl<C: crate::codec::Codec> Sealed for crate::session::Session<C> {}
    impl<N, C: crate::codec::Codec> Sealed for super::NamedSession<N, C> {}
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
/// handler can tell a signed-in visitor from a new one without looking at the entries.
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

impl<St, T, C> FromRequestParts<St> for TypedSession<T, C>
where
    St: Send + Sync,
    T: Serialize + DeserializeOwned,
    C: Codec,
{
    type Rejection = SessionRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &St) -> Result<Self, Self::Rejection> {
        let session = session_of::<Session<C>>(&parts.extensions, &parts.headers).await?;
        Ok(TypedSession::new(session))
    }
}

/// `Some` only when the request brought a session that opened and passed the validator (its
/// value may still be unset: [`TypedSession::get`] says).
impl<St, T, C> OptionalFromRequestParts<St> for TypedSession<T, C>
where
    St: Send + Sync,
    T: Serialize + DeserializeOwned,
    C: Codec,
{
    type Rejection = SessionRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &St,
    ) -> Result<Option<Self>, Self::Rejection> {
        let session = session_of::<Session<C>>(&parts.extensions, &parts.headers).await?;
        Ok(if_opened(session).map(TypedSession::new))
    }
}

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

// The layer's service is usable by `Router::layer`, whose error type must convert to
// `Infallible`; this keeps that requirement visible where the service is defined.
const _: fn() = || {
    fn assert_router_compatible<T: Service<Request<axum::body::Body>, Error = Infallible>>() {}
    assert_router_compatible::<SessionService<axum::routing::Route, crate::sealer::Sealer>>();
};
