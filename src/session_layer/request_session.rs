//! One request's session as a framework integration hands it out: opened from the request's
//! cookie the first time something asks for it, checked by the application's validator at
//! most once, and saved into the response only if it was opened. No framework here: an
//! adapter installs a [`RequestSession`] per request, asks it for the session from its
//! extractors, and calls [`RequestSession::save`] on the response.
//!
//! Opening lazily means a route that never touches the session (static files, a health check)
//! costs no cookie parsing, no cipher and no validator call (which may be a database query),
//! and its response carries no `Set-Cookie`. The price: a request that does not touch the
//! session does not refresh its idle deadline or re-seal it under the primary key; the next
//! request that does, does.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Poll, Waker};

use crate::codec::Codec;
use crate::cookie_layer::{SessionCookie, SetCookies};
use crate::session::Session;
use crate::session_sealer::SessionSealer;

/// An app's check of a session that opened from a cookie: `false` refuses it.
pub(crate) type Validator<C> =
    Arc<dyn Fn(Session<C>) -> Pin<Box<dyn Future<Output = bool> + Send>> + Send + Sync>;

/// What a session layer does when a session cannot be saved: most often a session whose
/// cookie would be over 4096 bytes without chunking
/// ([`SessionCookie::chunked`](crate::SessionCookie::chunked)). The error, naming the
/// size and the limit, is logged at `error` level either way; a session is never dropped
/// silently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum OnSaveError {
    /// The response goes out as the handler made it, without a new session cookie. The
    /// browser keeps the cookie it had, so the changes made in this request are lost. The
    /// default.
    #[default]
    SendWithoutCookie,
    /// The response is replaced by an empty `500 Internal Server Error`, so the client sees
    /// that the request did not complete.
    ServerError,
}

/// A session layer's settings, shared by every request it serves.
pub(crate) struct LayerConfig<S: SessionSealer> {
    pub(crate) cookie: SessionCookie<S>,
    pub(crate) validator: Option<Validator<S::Codec>>,
    pub(crate) on_save_error: OnSaveError,
}

/// What a [`RequestSession`] needs of its layer, with the sealer's type left out, so that an
/// extractor that knows only the codec can open the session.
trait Opener<C: Codec>: Send + Sync {
    fn load(&self, cookie_headers: &mut dyn Iterator<Item = &[u8]>) -> Session<C>;
    fn validator(&self) -> Option<&Validator<C>>;
    fn refuse(&self, session: &Session<C>) -> Session<C>;
    fn cookie_name(&self) -> &str;
}

impl<S: SessionSealer> Opener<S::Codec> for LayerConfig<S> {
    fn load(&self, cookie_headers: &mut dyn Iterator<Item = &[u8]>) -> Session<S::Codec> {
        self.cookie.load_from(cookie_headers)
    }
    fn validator(&self) -> Option<&Validator<S::Codec>> {
        self.validator.as_ref()
    }
    fn refuse(&self, session: &Session<S::Codec>) -> Session<S::Codec> {
        self.cookie.refuse(session)
    }
    fn cookie_name(&self) -> &str {
        self.cookie.name()
    }
}

/// One request's session, opened on first access. (`pub` only as the type of a sealed
/// trait's hidden method: not reachable from outside the crate.)
pub struct RequestSession<C: Codec> {
    layer: Arc<dyn Opener<C>>,
    slot: Mutex<Slot<C>>,
}

enum Slot<C: Codec> {
    /// Nothing has asked for the session yet.
    Unopened,
    /// Opened, and its validator is running; these wait for it.
    Validating(Vec<Waker>),
    /// The session the request's handlers share.
    Ready(Session<C>),
}

/// What [`LayerConfig::save`] found to do. (`pub` only as the type of a sealed trait's
/// method: not reachable from outside the crate.)
pub enum Saved {
    /// The session was never opened, or needs no cookie: the response as it is.
    Nothing,
    /// These `Set-Cookie` values go into the response.
    Cookies(SetCookies),
    /// The session could not be saved (logged at `error`); the layer answers what its
    /// [`OnSaveError`] says.
    Failed(OnSaveError),
}

impl<C: Codec> RequestSession<C> {
    /// The session of one request served by `layer`, not opened yet.
    pub(crate) fn new<S: SessionSealer<Codec = C>>(layer: &Arc<LayerConfig<S>>) -> Self {
        Self {
            layer: Arc::clone(layer) as Arc<dyn Opener<C>>,
            slot: Mutex::new(Slot::Unopened),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Slot<C>> {
        // Every change to the slot is one assignment: a panic elsewhere leaves it whole.
        self.slot.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The request's session: at the first call, opened from what `cookie_headers` gives (the
    /// raw bytes of the request's `Cookie` headers, in order) and checked by the validator;
    /// after, the same session. A caller that comes while the validator runs waits for its answer; if
    /// the call that ran it was dropped before the answer, the next caller opens the session
    /// again.
    pub(crate) async fn session<'a, H>(&self, cookie_headers: impl Fn() -> H) -> Session<C>
    where
        H: IntoIterator<Item = &'a [u8]>,
    {
        if let Some(session) = self.now(&cookie_headers) {
            return session;
        }
        loop {
            let opened = {
                let mut slot = self.lock();
                match &mut *slot {
                    Slot::Ready(session) => return session.clone(),
                    Slot::Validating(_) => None,
                    Slot::Unopened => {
                        let session = self.layer.load(&mut cookie_headers().into_iter());
                        // Only a session that opened from a cookie has anything to validate.
                        if self.layer.validator().is_some() && session.created_at().is_some() {
                            *slot = Slot::Validating(Vec::new());
                            Some(session)
                        } else {
                            *slot = Slot::Ready(session.clone());
                            return session;
                        }
                    }
                }
            };
            match opened {
                Some(session) => return self.validate(session).await,
                None => self.changed().await,
            }
        }
    }

    /// The session when it can be had without waiting: opened before, or opened now from what
    /// `cookie_headers` gives when the layer has no validator. `None` when a validator is to run
    /// (or runs): [`session`](Self::session) then waits for it. For extractors that answer
    /// without a boxed future when they can.
    pub(crate) fn now<'a, H>(&self, cookie_headers: impl Fn() -> H) -> Option<Session<C>>
    where
        H: IntoIterator<Item = &'a [u8]>,
    {
        let mut slot = self.lock();
        match &*slot {
            Slot::Ready(session) => Some(session.clone()),
            Slot::Unopened if self.layer.validator().is_none() => {
                let session = self.layer.load(&mut cookie_headers().into_iter());
                *slot = Slot::Ready(session.clone());
                Some(session)
            }
            Slot::Unopened | Slot::Validating(_) => None,
        }
    }

    /// Runs the validator on `session` and makes the outcome the request's session.
    async fn validate(&self, session: Session<C>) -> Session<C> {
        /// Puts the slot back to unopened, and wakes the waiters, if the validation is
        /// dropped before it answers.
        struct Unfinished<'s, C: Codec>(Option<&'s RequestSession<C>>);
        impl<C: Codec> Drop for Unfinished<'_, C> {
            fn drop(&mut self) {
                if let Some(request) = self.0 {
                    request.settle(Slot::Unopened);
                }
            }
        }
        let mut unfinished = Unfinished(Some(self));
        let valid = match self.layer.validator() {
            Some(validate) => validate(session.clone()).await,
            None => true,
        };
        let session = if valid {
            session
        } else {
            tracing::info!(
                cookie = self.layer.cookie_name(),
                "session rejected by the validator; new session"
            );
            self.layer.refuse(&session)
        };
        unfinished.0 = None;
        self.settle(Slot::Ready(session.clone()));
        session
    }

    /// Sets the slot and wakes whoever waited for the validator.
    fn settle(&self, next: Slot<C>) {
        let previous = std::mem::replace(&mut *self.lock(), next);
        if let Slot::Validating(waiters) = previous {
            waiters.into_iter().for_each(Waker::wake);
        }
    }

    /// Resolves once the slot is no longer validating.
    async fn changed(&self) {
        std::future::poll_fn(|cx| match &mut *self.lock() {
            Slot::Validating(waiters) => {
                if !waiters.iter().any(|w| w.will_wake(cx.waker())) {
                    waiters.push(cx.waker().clone());
                }
                Poll::Pending
            }
            _ => Poll::Ready(()),
        })
        .await;
    }

    /// The session, if something opened it and its validator has answered.
    pub(crate) fn opened(&self) -> Option<Session<C>> {
        match &*self.lock() {
            Slot::Ready(session) => Some(session.clone()),
            _ => None,
        }
    }
}

impl<S: SessionSealer> LayerConfig<S> {
    /// What the response of `request` needs: nothing if its session was never opened, else
    /// the session's `Set-Cookie` values, or the layer's answer to a session that cannot be
    /// saved (the error logged here, at `error`).
    pub(crate) fn save(&self, request: &RequestSession<S::Codec>) -> Saved {
        let Some(session) = request.opened() else {
            return Saved::Nothing;
        };
        match self.cookie.set_cookies(&session) {
            Ok(values) => Saved::Cookies(values),
            Err(e) => {
                tracing::error!(
                    cookie = self.cookie.name(),
                    error = %e,
                    answer = ?self.on_save_error,
                    "session not saved"
                );
                Saved::Failed(self.on_save_error)
            }
        }
    }
}

impl<C: Codec> fmt::Debug for RequestSession<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &*self.lock() {
            Slot::Unopened => "unopened",
            Slot::Validating(_) => "validating",
            Slot::Ready(_) => "ready",
        };
        f.debug_struct("RequestSession")
            .field("cookie", &self.layer.cookie_name())
            .field("state", &state)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::{Context, Waker};

    use super::*;
    use crate::codec::Postcard;
    use crate::key::Key;
    use crate::sealer::Sealer;

    /// A layer whose validator counts its calls and yields once before it answers `true`.
    fn layer(calls: &Arc<AtomicUsize>) -> Arc<LayerConfig<Sealer>> {
        let calls = Arc::clone(calls);
        let validator: Validator<Postcard> = Arc::new(move |_session| {
            let calls = Arc::clone(&calls);
            Box::pin(async move {
                calls.fetch_add(1, Ordering::SeqCst);
                tokio::task::yield_now().await;
                true
            })
        });
        Arc::new(LayerConfig {
            cookie: SessionCookie::new(Sealer::new(Key::from_bytes([9; 32])).cookie_name("s")),
            validator: Some(validator),
            on_save_error: OnSaveError::default(),
        })
    }

    /// A `Cookie` header carrying a session that holds `n = 1`.
    fn cookie(layer: &LayerConfig<Sealer>) -> Vec<u8> {
        let session = layer.cookie.load_from([]);
        session.insert("n", 1u8).unwrap();
        let line = layer.cookie.set_cookie_lines(&session).unwrap().remove(0);
        line.split(';').next().unwrap().as_bytes().to_vec()
    }

    /// A request of a layer with a counting validator, carrying a session's cookie.
    fn request() -> (RequestSession<Postcard>, Vec<u8>, Arc<AtomicUsize>) {
        let calls = Arc::new(AtomicUsize::new(0));
        let layer = layer(&calls);
        (RequestSession::new(&layer), cookie(&layer), calls)
    }

    #[tokio::test]
    async fn callers_that_come_while_the_validator_runs_wait_for_it_and_it_runs_once() {
        let (request, cookie, calls) = request();
        let (a, b) = tokio::join!(
            request.session(|| [cookie.as_slice()]),
            request.session(|| [cookie.as_slice()]),
        );
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(a.get::<u8>("n").unwrap(), Some(1));
        // One session behind both.
        a.insert("m", 2u8).unwrap();
        assert_eq!(b.get::<u8>("m").unwrap(), Some(2));
        assert!(request.opened().is_some());
    }

    #[tokio::test]
    async fn a_validation_dropped_before_its_answer_lets_the_next_caller_open_again() {
        let (request, cookie, calls) = request();
        {
            let mut first = Box::pin(request.session(|| [cookie.as_slice()]));
            let mut cx = Context::from_waker(Waker::noop());
            assert!(first.as_mut().poll(&mut cx).is_pending());
            assert!(
                request.opened().is_none(),
                "not the session before its validator answers"
            );
        }
        let session = request.session(|| [cookie.as_slice()]).await;
        assert_eq!(session.get::<u8>("n").unwrap(), Some(1));
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn now_opens_without_a_validator_and_leaves_a_validated_session_to_session() {
        let (request, cookie, calls) = request();
        assert!(request.now(|| [cookie.as_slice()]).is_none());
        assert!(
            request.opened().is_none(),
            "now() ran no validator and opened nothing"
        );
        assert_eq!(calls.load(Ordering::SeqCst), 0);

        let layer = Arc::new(LayerConfig {
            cookie: SessionCookie::new(Sealer::new(Key::from_bytes([9; 32])).cookie_name("s")),
            validator: None,
            on_save_error: OnSaveError::default(),
        });
        let request = RequestSession::new(&layer);
        let session = request.now(|| [cookie.as_slice()]).unwrap();
        assert_eq!(session.get::<u8>("n").unwrap(), Some(1));
        // The same session after.
        session.insert("m", 2u8).unwrap();
        let again = request.now(|| [&b""[..]]).unwrap();
        assert_eq!(again.get::<u8>("m").unwrap(), Some(2));
    }

    #[test]
    fn a_request_that_never_asked_saves_nothing() {
        let layer = layer(&Arc::new(AtomicUsize::new(0)));
        let request = RequestSession::new(&layer);
        assert!(matches!(layer.save(&request), Saved::Nothing));
    }
}
