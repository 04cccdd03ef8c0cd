//! [`SessionFuture`]: a session layer's response future, for every framework: the inner
//! service's response, finished with what saving the session found to do. Each integration
//! says how its response type takes that ([`SessionResponse`]).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use super::request_session::{LayerConfig, RequestSession, Saved};
use crate::session_sealer::SessionSealer;

/// A framework's response as a session layer finishes it: with the session's `Set-Cookie`
/// values, or replaced as [`OnSaveError`](super::OnSaveError) says. Sealed: implemented by the
/// integrations for their frameworks' responses. (`pub` only as a bound of a public future:
/// not reachable from outside the crate.)
pub trait SessionResponse {
    /// The finished response.
    type Saved;
    /// The response finished with what [`LayerConfig::save`] found (`Saved::Nothing` for a
    /// request whose cookie an outer layer handles).
    fn finish(self, saved: Saved) -> Self::Saved;
}

pin_project_lite::pin_project! {
    /// The response future of a session layer's service: the inner service's response, with
    /// the session's `Set-Cookie` values added when it is ready.
    pub struct SessionFuture<F, S: SessionSealer> {
        #[pin]
        fut: F,
        // Taken once, when the response is ready; `None` when an outer layer handles the
        // cookie.
        save: Option<(Arc<LayerConfig<S>>, Arc<RequestSession<S::Codec>>)>,
    }
}

impl<F, S: SessionSealer> SessionFuture<F, S> {
    /// The inner service's response `fut`, to finish with `session` (of `layer`), if the
    /// layer installed one.
    pub(crate) fn new(
        fut: F,
        layer: &Arc<LayerConfig<S>>,
        session: Option<Arc<RequestSession<S::Codec>>>,
    ) -> Self {
        Self {
            fut,
            save: session.map(|session| (Arc::clone(layer), session)),
        }
    }
}

impl<F, S: SessionSealer> fmt::Debug for SessionFuture<F, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionFuture").finish_non_exhaustive()
    }
}

impl<F, S, R, E> Future for SessionFuture<F, S>
where
    F: Future<Output = Result<R, E>>,
    S: SessionSealer,
    R: SessionResponse,
{
    type Output = Result<R::Saved, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let response = ready!(this.fut.poll(cx))?;
        let saved = match this.save.take() {
            Some((layer, session)) => layer.save(&session),
            None => Saved::Nothing,
        };
        Poll::Ready(Ok(response.finish(saved)))
    }
}
