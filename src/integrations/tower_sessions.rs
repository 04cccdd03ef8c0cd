//! tower-sessions (and so axum-login): [`SealedSessionManagerLayer`] puts a real
//! `tower_sessions::Session` into each request whose record lives in the sealed cookie, in
//! place of tower-sessions' own `SessionManagerLayer` and a store.
//!
//! Each request gets a store of its own (`store.rs`), that holds the record its cookie
//! opened into and remembers what the session asked of it (`create`, `save`, `delete`).
//! After the handler, that outcome is written into the crate's [`Session`] and the cookie
//! layer seals it: opening, validating, re-sealing, chunking and size checks are
//! [`SessionCookie`](crate::SessionCookie)'s and `RequestSession`'s, not this file's.
//!
//! The cookie is opened before the handler runs, not on first access as with
//! [`SessionLayer`](crate::SessionLayer): `tower_sessions::Session::id` is synchronous and
//! returns the id given when the session is made, and the id lives inside the sealed value.
//! axum-login reads the session on every request anyway.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http::{Request, Response, StatusCode};
use tower_layer::Layer;
use tower_service::Service;
use tower_sessions::cookie::time;
use tower_sessions::session::Expiry;

use crate::codec::Json;
use crate::cookie_expiry::CookieExpiry;
use crate::cookie_layer::{cookie_headers, SessionCookie};
use crate::error::ConfigError;
use crate::sealer::Sealer;
use crate::session::Session;
use crate::session_layer::{LayerConfig, OnSaveError, RequestSession, Saved, SessionLayer};

// The store of one request: the record its cookie opened into, and what the session did.
mod store;

use store::{CookieStore, Outcome};

/// The entry of the sealed session that holds the tower-sessions record id. It is sealed
/// with the data, so [`cycle_id`](tower_sessions::Session::cycle_id) changes it, and no
/// client can choose it.
const RECORD_ID_KEY: &str = "tower_sessions.id";

/// A tower [`Layer`] that gives every request a `tower_sessions::Session` kept in a sealed
/// cookie: in place of `tower_sessions::SessionManagerLayer` and its store.
///
/// axum-login's `AuthManagerLayerBuilder` takes tower-sessions' own layer only, so an
/// axum-login app installs `axum_login::AuthManager` inside this layer itself (the README's
/// "axum-login and tower-sessions" shows the lines).
///
/// The session's record (its id and data) is sealed with a [`Sealer<Json>`] (tower-sessions
/// keeps `serde_json::Value`s, which only the JSON codec decodes), and written back as
/// `Set-Cookie` only when the session was modified, or its cookie needs a re-seal (a previous
/// key, an idle deadline due to slide). Everything [`SessionCookie`] does applies: key
/// rotation, the name binding, absolute and idle expiry checked by the server, chunking,
/// size errors; [`validator`](Self::validator) as on [`SessionLayer`](crate::SessionLayer).
///
/// - `cycle_id` (axum-login calls it at login) begins a new session: a new id and a new
///   start time, so the absolute lifetime counts from the login.
/// - `flush` and `delete` remove the cookie (and its chunks).
/// - A response with a 5xx status saves no change the handler left unsaved, as with
///   tower-sessions.
///
/// # Example
/// ```
/// use sealed_session::{Json, Key, Sealer, SealedSessionManagerLayer};
/// use tower_sessions::Expiry;
///
/// let sealer = Sealer::with_codec(Key::generate(), Json);
/// let layer = SealedSessionManagerLayer::new(sealer)
///     .with_expiry(Expiry::OnInactivity(tower_sessions::cookie::time::Duration::hours(1)));
/// // With axum-login: `router.layer(layer_fn(|inner| AuthManager::new(inner, backend, key)))`
/// // then `.layer(layer)`.
/// # let _ = layer;
/// ```
#[derive(Clone)]
pub struct SealedSessionManagerLayer {
    /// The cookie, the validator and the answer to a failed save, as the native layer has
    /// them.
    sessions: SessionLayer<Sealer<Json>>,
    expiry: Option<Expiry>,
}

impl SealedSessionManagerLayer {
    /// The layer of sessions sealed by `sealer`, in a cookie with the secure defaults of
    /// [`SessionCookie::new`].
    ///
    /// # Panics
    /// As [`SessionCookie::new`], for a sealer whose limit browsers would not keep.
    #[track_caller]
    pub fn new(sealer: Sealer<Json>) -> Self {
        Self::from_cookie(SessionCookie::new(sealer))
    }

    /// The layer of sessions kept in `cookie`: its attributes, chunking and lifetime.
    pub fn from_cookie(cookie: SessionCookie<Sealer<Json>>) -> Self {
        Self {
            sessions: SessionLayer::from_cookie(cookie),
            expiry: None,
        }
    }

    /// The tower-sessions expiry of every session, mapped onto the cookie:
    ///
    /// - [`Expiry::OnSessionEnd`]: a browser-session cookie (the default); the sealer's
    ///   lifetimes still end the session on the server.
    /// - [`Expiry::OnInactivity`]`(d)`: the sealer's idle timeout becomes `d` (whole seconds),
    ///   and the cookie persists until the session can no longer open.
    /// - [`Expiry::AtDateTime`] is refused: a sealed session's deadlines are durations from
    ///   its start and its last use; use [`Sealer::max_lifetime`] for an absolute limit.
    ///
    /// # Panics
    /// For an expiry that cannot be mapped (an `AtDateTime`, or an inactivity period under
    /// one second); [`try_with_expiry`](Self::try_with_expiry) returns the error instead.
    #[track_caller]
    #[allow(clippy::panic)] // a configuration mistake of the program, documented above
    pub fn with_expiry(self, expiry: Expiry) -> Self {
        match self.try_with_expiry(expiry) {
            Ok(layer) => layer,
            Err(e) => panic!("{e}"),
        }
    }

    /// [`with_expiry`](Self::with_expiry), with an error for an expiry sealed cookies cannot
    /// carry.
    pub fn try_with_expiry(mut self, expiry: Expiry) -> Result<Self, ConfigError> {
        match expiry {
            Expiry::OnSessionEnd => {
                self.sessions = self
                    .sessions
                    .map_cookie(|cookie| cookie.expiry(CookieExpiry::BrowserSession));
            }
            Expiry::OnInactivity(period) => {
                let idle = idle_period(period)?;
                self.sessions = self.sessions.map_cookie(|cookie| {
                    cookie
                        .map_sealer(|sealer| sealer.idle_timeout(idle))
                        .expiry(CookieExpiry::UntilSessionExpires)
                });
            }
            Expiry::AtDateTime(_) => {
                return Err(ConfigError::UnsupportedExpiry {
                    reason: "Expiry::AtDateTime: sealed sessions end a duration after they \
                             begin; use Sealer::max_lifetime",
                });
            }
        }
        self.expiry = Some(expiry);
        Ok(self)
    }

    /// A check of each session that opened from a cookie, before the handler sees it; a
    /// `false` answer serves a new, empty session and removes the cookie. See
    /// [`SessionLayer::validator`](crate::SessionLayer::validator).
    pub fn validator<F, Fut>(mut self, check: F) -> Self
    where
        F: Fn(Session<Json>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = bool> + Send + 'static,
    {
        self.sessions = self.sessions.validator(check);
        self
    }

    /// What the layer answers when a session cannot be saved (most often: too large for its
    /// cookie); default [`OnSaveError::SendWithoutCookie`].
    pub fn on_save_error(mut self, answer: OnSaveError) -> Self {
        self.sessions = self.sessions.on_save_error(answer);
        self
    }

    /// The session cookie.
    pub fn cookie(&self) -> &SessionCookie<Sealer<Json>> {
        self.sessions.cookie()
    }
}

/// The sealer's idle timeout for tower-sessions' inactivity period.
fn idle_period(period: time::Duration) -> Result<Duration, ConfigError> {
    match Duration::try_from(period) {
        Ok(idle) if idle.as_secs() > 0 => Ok(idle),
        _ => Err(ConfigError::UnsupportedExpiry {
            reason: "Expiry::OnInactivity needs a period of at least one second",
        }),
    }
}

impl fmt::Debug for SealedSessionManagerLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealedSessionManagerLayer")
            .field("sessions", &self.sessions)
            .field("expiry", &self.expiry)
            .finish()
    }
}

impl<I> Layer<I> for SealedSessionManagerLayer {
    type Service = SealedSessionManager<I>;

    fn layer(&self, inner: I) -> Self::Service {
        SealedSessionManager {
            inner,
            config: self.sessions.config(),
            expiry: self.expiry,
        }
    }
}

/// The service of [`SealedSessionManagerLayer`].
#[derive(Clone)]
pub struct SealedSessionManager<I> {
    inner: I,
    config: Arc<LayerConfig<Sealer<Json>>>,
    expiry: Option<Expiry>,
}

impl<I> fmt::Debug for SealedSessionManager<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealedSessionManager")
            .field("cookie", &self.config.cookie)
            .field("expiry", &self.expiry)
            .finish_non_exhaustive()
    }
}

impl<I, ReqBody, ResBody> Service<Request<ReqBody>> for SealedSessionManager<I>
where
    I: Service<Request<ReqBody>, Response = Response<ResBody>> + Clone + Send + 'static,
    I::Future: Send,
    ReqBody: Send + 'static,
    ResBody: Default + Send,
{
    type Response = Response<ResBody>;
    type Error = I::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        // The ready service handles this request; the clone waits for the next.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let config = Arc::clone(&self.config);
        let expiry = self.expiry;
        Box::pin(async move {
            // The body stays out of the future's borrows: it need not be `Sync`.
            let (mut parts, body) = request.into_parts();
            let request_session = RequestSession::new(&config);
            let opened = request_session
                .session(|| cookie_headers(&parts.headers))
                .await;
            let (store, id) = CookieStore::of(&opened);
            let session = tower_sessions::Session::new(id, Arc::clone(&store), expiry);
            parts.extensions.insert(session.clone());

            let response = inner.call(Request::from_parts(parts, body)).await?;

            // As tower-sessions' own layer: a modified session is saved (or, emptied,
            // removed), unless the response is a server error.
            if session.is_modified() && !response.status().is_server_error() {
                if session.is_empty().await {
                    store.set(Outcome::Deleted);
                } else if let Err(e) = session.save().await {
                    // The store never fails; the record's JSON could.
                    tracing::error!(error = %e, "tower-sessions session not saved");
                    return Ok(failed(config.on_save_error, response));
                }
            }
            if let Err(answer) = store.apply(&opened, &session, expiry, &config) {
                return Ok(failed(answer, response));
            }
            Ok(match config.save(&request_session) {
                Saved::Nothing | Saved::Failed(OnSaveError::SendWithoutCookie) => response,
                Saved::Cookies(values) => {
                    let mut response = response;
                    values.append_to(response.headers_mut());
                    response
                }
                Saved::Failed(answer) => failed(answer, response),
            })
        })
    }
}

/// The response when the session could not be saved, as `answer` says.
fn failed<B: Default>(answer: OnSaveError, response: Response<B>) -> Response<B> {
    match answer {
        OnSaveError::ServerError => {
            let mut failed = Response::new(B::default());
            *failed.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            failed
        }
        _ => response,
    }
}
