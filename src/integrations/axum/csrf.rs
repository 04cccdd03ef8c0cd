//! axum: [`CsrfLayer`] as a tower layer, which applies a [`CsrfPolicy`](crate::CsrfPolicy) to
//! every request, and the [`CsrfToken`] extractor. The rules, the token and what a request
//! needs are the core's (`crate::csrf`); this file reads axum requests into them, answers what
//! they decide, and reads a form body when the token is in one.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::{Body, HttpBody as _};
use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};
use http::header::{CONTENT_LENGTH, ORIGIN};
use http::request::Parts;
use http::{HeaderMap, Request, StatusCode};
use tower_layer::Layer;
use tower_service::Service;

use super::{session_of, AXUM};
use crate::cookie_layer::cookie_headers;
use crate::csrf::{
    refused, verify, BodyRead, CsrfFuture, CsrfLayer, CsrfRefusal, CsrfRequest, CsrfService,
    CsrfToken, FormBody, Gate, PassedOn, TokenAt, Verdict, TOO_LARGE, UNREADABLE,
};
use crate::session::Session;
use crate::session_layer::{
    logged, CsrfRejection, CsrfSetup, RequestSession, SessionExtractor, SessionSet,
};

impl<S: SessionExtractor, I> Layer<I> for CsrfLayer<S> {
    type Service = CsrfService<I, S>;

    fn layer(&self, inner: I) -> Self::Service {
        CsrfService::new(self, inner)
    }
}

impl<I, S> Service<Request<Body>> for CsrfService<I, S>
where
    I: Service<Request<Body>> + Clone + Send + 'static,
    I::Response: IntoResponse,
    I::Future: Send,
    S: SessionExtractor,
{
    type Response = Response;
    type Error = I::Error;
    type Future = CsrfFuture<I::Future, Response, Checked<I::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<Body>) -> Self::Future {
        // Found now, so that an app missing its session layer fails on every request; opened
        // only if a token must be checked.
        let session = match S::request_session(request.extensions().get::<SessionSet>(), &AXUM) {
            Ok(session) => session,
            Err(e) => {
                let rejection = CsrfRejection {
                    problem: CsrfSetup::Session(e),
                    integration: &AXUM,
                };
                return CsrfFuture::answer(rejection.into_response());
            }
        };
        request.extensions_mut().insert(CsrfContext {
            token: token_for::<S>,
        });
        let at = match self.config.gate(&CsrfRequest::from_http(&request)) {
            Gate::Pass => return CsrfFuture::call(self.inner.call(request)),
            Gate::Refuse(refusal) => return CsrfFuture::answer(refuse(refusal, request.headers())),
            Gate::Verify(at) => at,
        };
        // The inner service is called after the session is opened (and the body read): that
        // call needs a service of its own, the one made ready; a fresh clone stays for next
        // time.
        let fresh = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, fresh);
        CsrfFuture::check(Box::pin(check_token(inner, request, session, at)))
    }
}

/// Opens the request's session, checks the token against it, and calls `inner`, with the
/// whole body, if it is the session's.
async fn check_token<I, C>(
    mut inner: I,
    request: Request<Body>,
    session: Arc<RequestSession<C>>,
    at: TokenAt,
) -> Result<Response, I::Error>
where
    I: Service<Request<Body>>,
    I::Response: IntoResponse,
    C: crate::codec::Codec,
{
    // Taken apart so that what is held across the awaits is `Sync`, as a `Send` future needs.
    let (parts, body) = request.into_parts();
    let session = session.session(|| cookie_headers(&parts.headers)).await;
    let body = match verify(&session, at, body, |body, max| {
        read_body(body, &parts.headers, max)
    })
    .await
    {
        Verdict::Pass(body) => body,
        Verdict::PassRead(body) => Body::from(body),
        Verdict::Refuse(refusal) => return Ok(refuse(refusal, &parts.headers)),
        Verdict::TooLarge => return Ok((StatusCode::PAYLOAD_TOO_LARGE, TOO_LARGE).into_response()),
        Verdict::Unreadable => return Ok((StatusCode::BAD_REQUEST, UNREADABLE).into_response()),
    };
    let request = Request::from_parts(parts, body);
    inner.call(request).await.map(IntoResponse::into_response)
}

/// The whole body, if it is at most `max` bytes.
async fn read_body(mut body: Body, headers: &HeaderMap, max: usize) -> Result<Vec<u8>, BodyRead> {
    let mut form = FormBody::new(headers.get(CONTENT_LENGTH).map(|v| v.as_bytes()), max)?;
    while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let frame = frame.map_err(|_| BodyRead::Failed)?;
        if let Ok(data) = frame.into_data() {
            form.push(&data)?;
        }
    }
    Ok(form.into_bytes())
}

/// The `403` of a refused request, and its `warn` line.
fn refuse(refusal: CsrfRefusal, headers: &HeaderMap) -> Response {
    let body = refused(refusal, headers.get(ORIGIN).map(|v| v.as_bytes()));
    (StatusCode::FORBIDDEN, body).into_response()
}

/// What [`CsrfLayer`] leaves in a request for the [`CsrfToken`] extractor: how to find the
/// layer's session (the same lookup the layer made).
#[derive(Clone, Copy)]
struct CsrfContext {
    token: fn(&Parts) -> TokenFuture<'_>,
}

fn token_for<S: SessionExtractor>(parts: &Parts) -> TokenFuture<'_> {
    Box::pin(async move {
        let rejection = |problem| CsrfRejection {
            problem,
            integration: &AXUM,
        };
        let session = session_of::<S>(&parts.extensions, &parts.headers)
            .await
            .map_err(|e| rejection(CsrfSetup::Session(e)))?;
        CsrfToken::for_session(&session).map_err(|e| rejection(CsrfSetup::Token(e)))
    })
}

/// The token of a request's session, once the session is opened.
type TokenFuture<'a> = Pin<Box<dyn Future<Output = Result<CsrfToken, CsrfRejection>> + Send + 'a>>;

/// The token of the request's session, made if the session has none yet (the session's cookie
/// is then sent with the response). Needs [`CsrfLayer`], which says which session.
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
impl<St: Send + Sync> FromRequestParts<St> for CsrfToken {
    type Rejection = CsrfRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &St) -> Result<Self, Self::Rejection> {
        let context = parts
            .extensions
            .get::<CsrfContext>()
            .copied()
            .ok_or(CsrfRejection {
                problem: CsrfSetup::MissingLayer,
                integration: &AXUM,
            })?;
        (context.token)(parts).await
    }
}

impl IntoResponse for CsrfRejection {
    fn into_response(self) -> Response {
        (StatusCode::INTERNAL_SERVER_ERROR, logged(&self)).into_response()
    }
}

/// The future of the requests whose token is checked before the inner service runs.
type Checked<E> = Pin<Box<dyn Future<Output = Result<Response, E>> + Send>>;

impl<R: IntoResponse> PassedOn<Response> for R {
    fn passed_on(self) -> Response {
        self.into_response()
    }
}

// The layer's service is usable by `Router::layer`, whose error type must convert to
// `Infallible`; this keeps that requirement visible where the service is defined.
const _: fn() = || {
    fn assert_router_compatible<T: Service<Request<Body>, Error = std::convert::Infallible>>() {}
    assert_router_compatible::<CsrfService<axum::routing::Route, Session>>();
};
