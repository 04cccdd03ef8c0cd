//! [`CsrfFuture`]: a CSRF layer's response future, for every framework: the inner service's
//! response, the layer's own answer, or the check that opens the session (and reads the form)
//! before the inner service runs.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The inner service's response as a CSRF layer hands it on, a response of type `A`.
/// Implemented by the integrations for their frameworks. (`pub` only as a bound of a public
/// future: not reachable from outside the crate.)
pub trait PassedOn<A> {
    /// The response as the layer answers it.
    fn passed_on(self) -> A;
}

pin_project_lite::pin_project! {
    /// The response future of a CSRF layer's service, answering responses of type `A`; `C` is
    /// the future of the requests whose token is checked first.
    pub struct CsrfFuture<F, A, C> {
        #[pin]
        kind: Kind<F, A, C>,
    }
}

pin_project_lite::pin_project! {
    #[project = KindProj]
    enum Kind<F, A, C> {
        // The inner service's response.
        Call {
            #[pin]
            fut: F,
        },
        // The layer's own answer (taken once).
        Answer {
            response: Option<A>,
        },
        // The session is opened (and the form body read) before the inner service runs.
        Check {
            #[pin]
            fut: C,
        },
    }
}

impl<F, A, C> CsrfFuture<F, A, C> {
    /// The inner service's response.
    pub(crate) fn call(fut: F) -> Self {
        Self {
            kind: Kind::Call { fut },
        }
    }

    /// The layer's own answer.
    pub(crate) fn answer(response: A) -> Self {
        Self {
            kind: Kind::Answer {
                response: Some(response),
            },
        }
    }

    /// The answer of a token check.
    pub(crate) fn check(fut: C) -> Self {
        Self {
            kind: Kind::Check { fut },
        }
    }
}

impl<F, A, C> fmt::Debug for CsrfFuture<F, A, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CsrfFuture").finish_non_exhaustive()
    }
}

impl<F, A, C, R, E> Future for CsrfFuture<F, A, C>
where
    F: Future<Output = Result<R, E>>,
    R: PassedOn<A>,
    C: Future<Output = Result<A, E>>,
{
    type Output = Result<A, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().kind.project() {
            KindProj::Call { fut } => fut.poll(cx).map_ok(PassedOn::passed_on),
            KindProj::Answer { response } => match response.take() {
                Some(response) => Poll::Ready(Ok(response)),
                // Polled again after it answered: it never answers twice, nor panics.
                None => Poll::Pending,
            },
            KindProj::Check { fut } => fut.poll(cx),
        }
    }
}
