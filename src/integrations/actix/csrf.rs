//! [`CsrfMiddleware`]: the CSRF layer as an actix middleware, and the [`CsrfToken`]
//! extractor. The rules, the token and what a request needs are the core's (`crate::csrf`);
//! this file reads actix requests into them, answers what they decide, and reads a form body
//! when the token is in one.

use std::future::{ready, Future, Ready};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;

use actix_web::body::EitherBody;
use actix_web::dev::{Payload, Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::{CONTENT_LENGTH, ORIGIN};
use actix_web::http::StatusCode;
use actix_web::{Error, FromRequest, HttpMessage as _, HttpRequest, HttpResponse, ResponseError};
use futures_core::Stream;

use super::extractors::{extract, ExtractFuture};
use super::{cookie_headers, ACTIX};
use crate::codec::Codec;
use crate::csrf::{
    refused, verify, BodyRead, CsrfFuture, CsrfLayer, CsrfRefusal, CsrfRequest, CsrfService,
    CsrfToken, FormBody, Gate, PassedOn, TokenAt, Verdict, TOO_LARGE, UNREADABLE,
};
use crate::session::Session;
use crate::session_layer::{
    CsrfRejection, CsrfSetup, RequestSession, SessionExtractor, SessionSet,
};

/// The CSRF layer as an actix-web middleware: [`CsrfLayer`], with its builder (`new(policy)`,
/// `default()`, `session::<T>()`, `max_form_len`), applied with `App::wrap` inside a
/// [`SessionMiddleware`](super::SessionMiddleware) (in actix-web the middleware wrapped last
/// is the outermost: wrap this one first).
///
/// # Example
/// ```
/// use actix_web::{web, App, HttpResponse};
/// use sealed_session::actix::{CsrfMiddleware, SessionMiddleware};
/// use sealed_session::{CsrfPolicy, CsrfToken, Key, Sealer};
///
/// async fn form(token: CsrfToken) -> HttpResponse {
///     HttpResponse::Ok().content_type("text/html").body(format!(
///         r#"<form method="post">{}<button>Send</button></form>"#,
///         token.hidden_input()
///     ))
/// }
///
/// let app = App::new()
///     .route("/", web::get().to(form))
///     .route("/", web::post().to(|| async { "sent" }))
///     .wrap(CsrfMiddleware::new(CsrfPolicy::new().trusted_origin("https://admin.example.com")))
///     .wrap(SessionMiddleware::new(Sealer::new(Key::generate())));
/// # let _ = app;
/// ```
pub type CsrfMiddleware<S = Session> = CsrfLayer<S>;

impl<I, B, S> Transform<I, ServiceRequest> for CsrfLayer<S>
where
    I: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
    S: SessionExtractor,
{
    // The inner service is shared with the requests whose token is checked before it is
    // called.
    type Transform = CsrfService<Rc<I>, S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;

    fn new_transform(&self, inner: I) -> Self::Future {
        ready(Ok(CsrfService::new(self, Rc::new(inner))))
    }
}

impl<I, B, S> Service<ServiceRequest> for CsrfService<Rc<I>, S>
where
    I: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
    S: SessionExtractor,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = CsrfFuture<I::Future, ServiceResponse<EitherBody<B>>, Checked<B>>;

    actix_web::dev::forward_ready!(inner);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        // Found now, so that an app missing its session middleware fails on every request;
        // opened only if a token must be checked.
        let found = S::request_session(request.extensions().get::<SessionSet>(), &ACTIX);
        let session = match found {
            Ok(session) => session,
            Err(e) => {
                let rejection = CsrfRejection {
                    problem: CsrfSetup::Session(e),
                    integration: &ACTIX,
                };
                return answer(request, rejection.error_response());
            }
        };
        request.extensions_mut().insert(CsrfContext {
            token: token_for::<S>,
        });
        match self.config.gate(&csrf_request(&request)) {
            Gate::Pass => CsrfFuture::call(self.inner.call(request)),
            Gate::Refuse(refusal) => {
                let refusal = refuse(refusal, &request);
                answer(request, refusal)
            }
            Gate::Verify(at) => CsrfFuture::check(Box::pin(check_token(
                Rc::clone(&self.inner),
                request,
                session,
                at,
            ))),
        }
    }
}

/// The facts of an actix request the policy reads: its method, its headers, and the scheme
/// and authority of its URI where it has them (HTTP/2).
fn csrf_request(request: &ServiceRequest) -> CsrfRequest<'_> {
    let headers = request.headers();
    let uri = request.uri();
    CsrfRequest::new(request.method().as_str().as_bytes(), |name| {
        headers.get_all(name).map(|value| value.as_bytes())
    })
    .target(
        uri.scheme_str().map(str::as_bytes),
        uri.authority()
            .map(|authority| authority.as_str().as_bytes()),
    )
}

/// Opens the request's session, checks the token against it, and calls `inner`, with the
/// whole body, if it is the session's.
async fn check_token<I, B, C>(
    inner: Rc<I>,
    mut request: ServiceRequest,
    session: Arc<RequestSession<C>>,
    at: TokenAt,
) -> Result<ServiceResponse<EitherBody<B>>, Error>
where
    I: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    C: Codec,
{
    let session = session.session(|| cookie_headers(request.headers())).await;
    let payload = request.take_payload();
    let content_length = request.headers().get(CONTENT_LENGTH).map(|v| v.as_bytes());
    let verdict = verify(&session, at, payload, |payload, max| {
        read_body(payload, content_length, max)
    })
    .await;
    let (status, body) = match verdict {
        Verdict::Pass(payload) => {
            request.set_payload(payload);
            return inner
                .call(request)
                .await
                .map(ServiceResponse::map_into_left_body);
        }
        Verdict::PassRead(body) => {
            request.set_payload(Payload::from(body));
            return inner
                .call(request)
                .await
                .map(ServiceResponse::map_into_left_body);
        }
        Verdict::Refuse(refusal) => {
            let refusal = refuse(refusal, &request);
            return Ok(request.into_response(refusal).map_into_right_body());
        }
        Verdict::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, TOO_LARGE),
        Verdict::Unreadable => (StatusCode::BAD_REQUEST, UNREADABLE),
    };
    let answer = HttpResponse::build(status).body(body);
    Ok(request.into_response(answer).map_into_right_body())
}

/// The whole body, if it is at most `max` bytes.
async fn read_body(
    payload: Payload,
    content_length: Option<&[u8]>,
    max: usize,
) -> Result<Vec<u8>, BodyRead> {
    let mut form = FormBody::new(content_length, max)?;
    let mut payload = std::pin::pin!(payload);
    while let Some(chunk) = std::future::poll_fn(|cx| payload.as_mut().poll_next(cx)).await {
        form.push(&chunk.map_err(|_| BodyRead::Failed)?)?;
    }
    Ok(form.into_bytes())
}

/// The `403` of a refused request, and its `warn` line.
fn refuse(refusal: CsrfRefusal, request: &ServiceRequest) -> HttpResponse {
    let origin = request.headers().get(ORIGIN).map(|v| v.as_bytes());
    HttpResponse::Forbidden().body(refused(refusal, origin))
}

/// What [`CsrfMiddleware`] leaves in a request for the [`CsrfToken`] extractor: how to find
/// the middleware's session (the same lookup the middleware made).
#[derive(Clone, Copy)]
struct CsrfContext {
    token: fn(&HttpRequest) -> ExtractFuture<CsrfToken, CsrfRejection>,
}

fn token_for<S: SessionExtractor>(
    request: &HttpRequest,
) -> ExtractFuture<CsrfToken, CsrfRejection> {
    let session = extract::<S, _>(request, |session| CsrfToken::for_session(&session));
    ExtractFuture::waiting(async move {
        let rejection = |problem| CsrfRejection {
            problem,
            integration: &ACTIX,
        };
        match session.await {
            Ok(token) => token.map_err(|e| rejection(CsrfSetup::Token(e))),
            Err(e) => Err(rejection(CsrfSetup::Session(e))),
        }
    })
}

/// The token of the request's session, made if the session has none yet (the session's cookie
/// is then sent with the response). Needs [`CsrfMiddleware`], which says which session.
#[cfg_attr(docsrs, doc(cfg(feature = "actix")))]
impl FromRequest for CsrfToken {
    type Error = CsrfRejection;
    type Future = ExtractFuture<Self, CsrfRejection>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        match request.extensions().get::<CsrfContext>() {
            Some(context) => (context.token)(request),
            None => ExtractFuture::ready(Err(CsrfRejection {
                problem: CsrfSetup::MissingLayer,
                integration: &ACTIX,
            })),
        }
    }
}

/// The future of the requests whose token is checked before the inner service runs.
type Checked<B> = Pin<Box<dyn Future<Output = Result<ServiceResponse<EitherBody<B>>, Error>>>>;

impl<B> PassedOn<ServiceResponse<EitherBody<B>>> for ServiceResponse<B> {
    fn passed_on(self) -> ServiceResponse<EitherBody<B>> {
        self.map_into_left_body()
    }
}

/// The middleware's own answer to `request`.
fn answer<F, B>(
    request: ServiceRequest,
    response: HttpResponse,
) -> CsrfFuture<F, ServiceResponse<EitherBody<B>>, Checked<B>> {
    CsrfFuture::answer(request.into_response(response).map_into_right_body())
}
