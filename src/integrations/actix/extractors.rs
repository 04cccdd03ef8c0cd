//! [`Session`], [`TypedSession`], [`NamedSession`] and [`Flash`] as actix extractors, and the
//! future they answer with: ready at once when the session needs no validator run, boxed only
//! when one must run.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage as _, HttpRequest};

use super::{cookie_headers, ACTIX};
use crate::codec::Codec;
use crate::flash::Flash;
use crate::named_session::{NamedSession, SessionName};
use crate::session::Session;
use crate::session_layer::{SessionExtractor, SessionRejection, SessionSet};
use crate::typed_session::TypedSession;

/// The future of this crate's actix extractors.
pub struct ExtractFuture<T, E = SessionRejection> {
    state: State<T, E>,
}

enum State<T, E> {
    /// The answer, taken once.
    Ready(Option<Result<T, E>>),
    /// The validator runs.
    Waiting(Pin<Box<dyn Future<Output = Result<T, E>>>>),
}

impl<T, E> ExtractFuture<T, E> {
    pub(super) fn ready(answer: Result<T, E>) -> Self {
        Self {
            state: State::Ready(Some(answer)),
        }
    }

    pub(super) fn waiting(future: impl Future<Output = Result<T, E>> + 'static) -> Self {
        Self {
            state: State::Waiting(Box::pin(future)),
        }
    }
}

// Neither `T` nor `E` is ever pinned: an answer is moved out whole.
impl<T, E> Unpin for ExtractFuture<T, E> {}

impl<T, E> Future for ExtractFuture<T, E> {
    type Output = Result<T, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.get_mut().state {
            State::Ready(answer) => match answer.take() {
                Some(answer) => Poll::Ready(answer),
                // Polled again after it answered: it never answers twice.
                None => Poll::Pending,
            },
            State::Waiting(future) => future.as_mut().poll(cx),
        }
    }
}

impl<T, E> fmt::Debug for ExtractFuture<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExtractFuture").finish_non_exhaustive()
    }
}

/// The session extractor `E` gives for `request`, opened (and validated) if nothing opened it
/// before, made into a `T` by `make`.
pub(super) fn extract<E, T>(
    request: &HttpRequest,
    make: impl FnOnce(Session<E::Codec>) -> T + 'static,
) -> ExtractFuture<T>
where
    E: SessionExtractor,
    T: 'static,
{
    let found = E::request_session(request.extensions().get::<SessionSet>(), &ACTIX);
    let session = match found {
        Ok(session) => session,
        Err(e) => return ExtractFuture::ready(Err(e)),
    };
    if let Some(opened) = session.now(|| cookie_headers(request.headers())) {
        return ExtractFuture::ready(Ok(make(opened)));
    }
    let request = request.clone();
    ExtractFuture::waiting(async move {
        let opened = session.session(|| cookie_headers(request.headers())).await;
        Ok(make(opened))
    })
}

impl<C: Codec> FromRequest for Session<C> {
    type Error = SessionRejection;
    type Future = ExtractFuture<Self>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        extract::<Self, _>(request, |session| session)
    }
}

impl<T: 'static, C: Codec> FromRequest for TypedSession<T, C> {
    type Error = SessionRejection;
    type Future = ExtractFuture<Self>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        extract::<Session<C>, _>(request, TypedSession::new)
    }
}

impl<N: SessionName, C: Codec> FromRequest for NamedSession<N, C> {
    type Error = SessionRejection;
    type Future = ExtractFuture<Self>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        extract::<Self, _>(request, NamedSession::new)
    }
}

/// The flash messages of the request's session (see [`Flash`]): the session is opened as
/// [`Session`] opens it.
impl<C: Codec> FromRequest for Flash<C> {
    type Error = SessionRejection;
    type Future = ExtractFuture<Self>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        extract::<Session<C>, _>(request, Flash::new)
    }
}
