//! [`SessionLayer`] as a tower layer and its service: one `RequestSession` per request, put
//! in the request for the extractors, and saved into the response (by the core's
//! `SessionFuture`, with the `http` 1 response finished here).

use std::convert::Infallible;
use std::task::{Context, Poll};

use http::{Request, StatusCode};
use tower_layer::Layer;
use tower_service::Service;

use crate::session_layer::{
    OnSaveError, Saved, SessionFuture, SessionLayer, SessionResponse, SessionService,
};
use crate::session_sealer::SessionSealer;

impl<S: SessionSealer, I> Layer<I> for SessionLayer<S> {
    type Service = SessionService<I, S>;

    fn layer(&self, inner: I) -> Self::Service {
        SessionService::new(self, inner)
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
        let session = self.install(request.extensions_mut().get_or_insert_default());
        SessionFuture::new(self.inner.call(request), &self.config, session)
    }
}

/// The response with the session's `Set-Cookie` values added, or what [`OnSaveError`] says
/// when the session cannot be saved.
impl<B: Default> SessionResponse for http::Response<B> {
    type Saved = Self;

    fn finish(mut self, saved: Saved) -> Self {
        match saved {
            Saved::Nothing | Saved::Failed(OnSaveError::SendWithoutCookie) => {}
            Saved::Cookies(values) => values.append_to(self.headers_mut()),
            Saved::Failed(_) => {
                let mut failed = http::Response::new(B::default());
                *failed.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
                return failed;
            }
        }
        self
    }
}

// The layer's service is usable by `Router::layer`, whose error type must convert to
// `Infallible`; this keeps that requirement visible where the service is defined.
const _: fn() = || {
    fn assert_router_compatible<T: Service<Request<axum::body::Body>, Error = Infallible>>() {}
    assert_router_compatible::<SessionService<axum::routing::Route, crate::sealer::Sealer>>();
};
