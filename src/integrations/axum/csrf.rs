//! axum: [`CsrfLayer`], which applies a [`CsrfPolicy`] to every request, and the
//! [`CsrfToken`] extractor. The rules and the token are the core's (`crate::csrf`); this file
//! reads them from axum requests, answers refusals, and reads a form body when the token is in
//! one.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
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

use super::{session_of, SessionExtractor, SessionRejection};
use crate::cookie_layer::{cookie_headers, RequestSession};
use crate::csrf::{CsrfCheck, CsrfPolicy, CsrfRefusal, CsrfRequest, CsrfToken};
use crate::error::CsrfError;
use crate::session::Session;

/// The largest form body [`CsrfLayer`] reads by default to find a token in, in bytes.
const DEFAULT_MAX_FORM_LEN: usize = 64 * 1024;

/// What every refusal answers: the same few words whatever the reason, which goes to the log.
const REFUSED: &str = "cross-site request refused";

/// A tower [`Layer`] that refuses cross-site requests that could change state, by the rules
/// of a [`CsrfPolicy`], and makes the [`CsrfToken`] extractor work.
///
/// It works on the session of a [`SessionLayer`](crate::SessionLayer), so it must be applied
/// inside one (in axum, `.layer(CsrfLayer::default())` before `.layer(SessionLayer::new(..))`);
/// without one, every request is answered `500` with a message that names `SessionLayer`. By
/// default the session is the one [`Session`] takes; for an app with several session layers,
/// name one with [`session`](Self::session).
///
/// A refused request gets `403 Forbidden` with a short body that does not say why, and the
/// reason ([`CsrfRefusal`]) is logged at `warn`. A request that must show its token in a form
/// body (no Fetch Metadata, no `Origin`, no token header) has the body read, up to
/// [`max_form_len`](Self::max_form_len) (`413 Payload Too Large` beyond it), and handed on
/// whole to the handler.
///
/// # Example
/// ```
/// use axum::response::Html;
/// use axum::routing::get;
/// use axum::Router;
/// use sealed_session::{CsrfLayer, CsrfPolicy, CsrfToken, Key, Sealer, SessionLayer};
///
/// async fn form(token: CsrfToken) -> Html<String> {
///     Html(format!(
///         r#"<form method="post">{}<button>Send</button></form>"#,
///         token.hidden_input()
///     ))
/// }
///
/// let app: Router = Router::new()
///     .route("/", get(form).post(|| async { "sent" }))
///     .layer(CsrfLayer::new(
///         CsrfPolicy::new().trusted_origin("https://admin.example.com"),
///     ))
///     .layer(SessionLayer::new(Sealer::new(Key::generate())));
/// ```
#[derive(Debug)]
pub struct CsrfLayer<S = Session> {
    config: Arc<Config>,
    session: PhantomData<fn() -> S>,
}

/// What every request of a [`CsrfService`] reads.
#[derive(Debug, Clone)]
struct Config {
    policy: CsrfPolicy,
    max_form_len: usize,
}

impl CsrfLayer {
    /// A layer that applies `policy`, to the session [`Session`] takes.
    pub fn new(policy: CsrfPolicy) -> Self {
        Self {
            config: Arc::new(Config {
                policy,
                max_form_len: DEFAULT_MAX_FORM_LEN,
            }),
            session: PhantomData,
        }
    }
}

impl Default for CsrfLayer {
    /// A layer with the default [`CsrfPolicy`].
    fn default() -> Self {
        Self::new(CsrfPolicy::default())
    }
}

impl<S: SessionExtractor> CsrfLayer<S> {
    /// Keep the token in the session that the extractor `T` gives, for example
    /// `NamedSession<DefaultName>` in an app with a second, short-lived session layer.
    ///
    /// ```
    /// use sealed_session::{CsrfLayer, DefaultName, NamedSession};
    /// let layer = CsrfLayer::default().session::<NamedSession<DefaultName>>();
    /// ```
    pub fn session<T: SessionExtractor>(self) -> CsrfLayer<T> {
        CsrfLayer {
            config: self.config,
            session: PhantomData,
        }
    }

    /// The largest form body read to find a token in, in bytes (default 64 KiB): a larger one
    /// that needs its token checked this way is answered `413 Payload Too Large`. Clients that
    /// send large forms without Fetch Metadata or `Origin` can send the token in the
    /// [`CsrfToken::HEADER`] header instead, which needs no body read.
    pub fn max_form_len(mut self, bytes: usize) -> Self {
        Arc::make_mut(&mut self.config).max_form_len = bytes;
        self
    }

    /// The rules this layer applies.
    pub fn policy(&self) -> &CsrfPolicy {
        &self.config.policy
    }
}

impl<S> Clone for CsrfLayer<S> {
    fn clone(&self) -> Self {
        Self {
            config: Arc::clone(&self.config),
            session: PhantomData,
        }
    }
}

impl<S: SessionExtractor, I> Layer<I> for CsrfLayer<S> {
    type Service = CsrfService<I, S>;

    fn layer(&self, inner: I) -> Self::Service {
        CsrfService {
            inner,
            config: Arc::clone(&self.config),
            session: PhantomData,
        }
    }
}

/// The service [`CsrfLayer`] wraps around an inner service.
pub struct CsrfService<I, S = Session> {
    inner: I,
    config: Arc<Config>,
    session: PhantomData<fn() -> S>,
}

impl<I: Clone, S> Clone for CsrfService<I, S> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            config: Arc::clone(&self.config),
            session: PhantomData,
        }
    }
}

impl<I, S> fmt::Debug for CsrfService<I, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CsrfService")
            .field("policy", &self.config.policy)
            .field("max_form_len", &self.config.max_form_len)
            .finish_non_exhaustive()
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
    type Future = CsrfFuture<I::Future, I::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<Body>) -> Self::Future {
        // Found now, so that an app missing its session layer fails on every request; opened
        // only if a token must be checked.
        let session = match S::request_session(request.extensions()) {
            Ok(session) => session,
            Err(e) => return CsrfFuture::answer(CsrfRejection::Session(e).into_response()),
        };
        request.extensions_mut().insert(CsrfContext {
            token: token_for::<S>,
        });
        let check = match self.config.policy.check(&CsrfRequest::from_http(&request)) {
            CsrfCheck::Allow => return CsrfFuture::call(self.inner.call(request)),
            CsrfCheck::Refuse(refusal) => {
                return CsrfFuture::answer(refuse(refusal, request.headers()))
            }
            CsrfCheck::VerifyToken(token) => Token::Header(token.to_vec()),
            CsrfCheck::VerifyForm => Token::Form(self.config.max_form_len),
        };
        // The inner service is called after the session is opened (and the body read): that
        // call needs a service of its own, the one made ready; a fresh clone stays for next
        // time.
        let fresh = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, fresh);
        CsrfFuture {
            kind: Kind::Boxed {
                fut: Box::pin(check_token(inner, request, session, check)),
            },
        }
    }
}

/// Where the token to check is.
enum Token {
    /// The header's value.
    Header(Vec<u8>),
    /// In the form body, read up to this many bytes.
    Form(usize),
}

/// Opens the request's session, checks the token (from the header, or from the form body,
/// read up to `max` bytes) against it, and calls `inner`, with the whole body, if it is the
/// session's.
async fn check_token<I, C>(
    mut inner: I,
    request: Request<Body>,
    session: Arc<RequestSession<C>>,
    token: Token,
) -> Result<Response, I::Error>
where
    I: Service<Request<Body>>,
    I::Response: IntoResponse,
    C: crate::codec::Codec,
{
    // Taken apart so that what is held across the awaits is `Sync`, as a `Send` future needs.
    let (parts, body) = request.into_parts();
    let session = session.session(|| cookie_headers(&parts.headers)).await;
    match token {
        Token::Header(token) if CsrfToken::verify(&session, &token) => {
            let request = Request::from_parts(parts, body);
            inner.call(request).await.map(IntoResponse::into_response)
        }
        Token::Header(_) => Ok(refuse(CsrfRefusal::InvalidToken, &parts.headers)),
        // A session with no secret accepts no token: refused before any of the body is read,
        // so that a client with no session cannot make the server hold bodies for nothing.
        Token::Form(_) if !session.contains_key(CsrfToken::SESSION_KEY) => {
            Ok(refuse(CsrfRefusal::InvalidToken, &parts.headers))
        }
        Token::Form(max) => {
            let body =
                match read_body(body, &parts.headers, max).await {
                    Ok(body) => body,
                    Err(BodyRead::TooLarge) => {
                        tracing::warn!(
                            max,
                            "form body over the CSRF layer's limit; request refused"
                        );
                        return Ok((StatusCode::PAYLOAD_TOO_LARGE, "request body too large")
                            .into_response());
                    }
                    Err(BodyRead::Failed) => {
                        return Ok((StatusCode::BAD_REQUEST, "request body could not be read")
                            .into_response());
                    }
                };
            let valid = CsrfToken::find_in_form(&body)
                .is_some_and(|token| CsrfToken::verify(&session, &token));
            if !valid {
                return Ok(refuse(CsrfRefusal::InvalidToken, &parts.headers));
            }
            let request = Request::from_parts(parts, Body::from(body));
            inner.call(request).await.map(IntoResponse::into_response)
        }
    }
}

enum BodyRead {
    TooLarge,
    Failed,
}

/// The whole body, if it is at most `max` bytes: refused early by its `Content-Length`, and
/// by what arrives for a body that does not say or says less.
async fn read_body(mut body: Body, headers: &HeaderMap, max: usize) -> Result<Vec<u8>, BodyRead> {
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > max as u64) {
        return Err(BodyRead::TooLarge);
    }
    let mut out = Vec::new();
    while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let frame = frame.map_err(|_| BodyRead::Failed)?;
        if let Ok(data) = frame.into_data() {
            if out.len() + data.len() > max {
                return Err(BodyRead::TooLarge);
            }
            out.extend_from_slice(&data);
        }
    }
    Ok(out)
}

/// The `403` of a refused request, and its `warn` line: the reason and the
/// `Origin` (the client's own words, shortened), never a token or session data.
fn refuse(refusal: CsrfRefusal, headers: &HeaderMap) -> Response {
    let origin = headers
        .get(ORIGIN)
        .map(|v| String::from_utf8_lossy(&v.as_bytes()[..v.len().min(100)]).into_owned());
    tracing::warn!(
        reason = %refusal,
        origin = ?origin,
        "request refused as possible cross-site request forgery"
    );
    (StatusCode::FORBIDDEN, REFUSED).into_response()
}

/// What [`CsrfLayer`] leaves in a request for the [`CsrfToken`] extractor: how to find the
/// layer's session (the same lookup the layer made).
#[derive(Clone, Copy)]
struct CsrfContext {
    token: fn(&Parts) -> TokenFuture<'_>,
}

fn token_for<S: SessionExtractor>(parts: &Parts) -> TokenFuture<'_> {
    Box::pin(async move {
        let session = session_of::<S>(&parts.extensions, &parts.headers)
            .await
            .map_err(CsrfRejection::Session)?;
        CsrfToken::for_session(&session).map_err(CsrfRejection::Token)
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
            .ok_or(CsrfRejection::MissingLayer)?;
        (context.token)(parts).await
    }
}

/// Why [`CsrfLayer`] or the [`CsrfToken`] extractor could not work: a mistake in how the app
/// is put together (or a session that cannot take the token's secret), not in the request.
/// Answers `500 Internal Server Error` with a message that names the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CsrfRejection {
    /// [`CsrfToken`] was taken on a route without [`CsrfLayer`].
    MissingLayer,
    /// [`CsrfLayer`] found no session: it is not inside a `SessionLayer`, or not inside the
    /// one it was told to use.
    Session(SessionRejection),
    /// The token could not be made.
    Token(CsrfError),
}

impl fmt::Display for CsrfRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingLayer => f.write_str(
                "CsrfToken needs CsrfLayer: apply it inside SessionLayer around the routes \
                 that use it, e.g. `.layer(CsrfLayer::default()).layer(SessionLayer::new(sealer))`",
            ),
            Self::Session(e) => write!(
                f,
                "CsrfLayer found no session; apply it inside SessionLayer, e.g. \
                 `.layer(CsrfLayer::default()).layer(SessionLayer::new(sealer))`: {e}"
            ),
            Self::Token(e) => write!(f, "no CSRF token: {e}"),
        }
    }
}

impl std::error::Error for CsrfRejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::MissingLayer => None,
            Self::Session(e) => Some(e),
            Self::Token(e) => Some(e),
        }
    }
}

impl IntoResponse for CsrfRejection {
    fn into_response(self) -> Response {
        tracing::error!(error = %self, "CSRF protection is not set up");
        (StatusCode::INTERNAL_SERVER_ERROR, self.to_string()).into_response()
    }
}

/// A boxed response future, for the requests whose form body is read first.
type BoxedResponse<E> = Pin<Box<dyn Future<Output = Result<Response, E>> + Send>>;

pin_project_lite::pin_project! {
    /// The response future of [`CsrfService`].
    pub struct CsrfFuture<F, E> {
        #[pin]
        kind: Kind<F, E>,
    }
}

pin_project_lite::pin_project! {
    #[project = KindProj]
    enum Kind<F, E> {
        // The inner service's response.
        Call {
            #[pin]
            fut: F,
        },
        // The layer's own answer (taken once).
        Answer {
            response: Option<Response>,
        },
        // The form body is read and its token checked before the inner service runs.
        Boxed {
            fut: BoxedResponse<E>,
        },
    }
}

impl<F, E> CsrfFuture<F, E> {
    fn call(fut: F) -> Self {
        Self {
            kind: Kind::Call { fut },
        }
    }

    fn answer(response: Response) -> Self {
        Self {
            kind: Kind::Answer {
                response: Some(response),
            },
        }
    }
}

impl<F, E> fmt::Debug for CsrfFuture<F, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CsrfFuture").finish_non_exhaustive()
    }
}

impl<F, R, E> Future for CsrfFuture<F, E>
where
    F: Future<Output = Result<R, E>>,
    R: IntoResponse,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().kind.project() {
            KindProj::Call { fut } => fut.poll(cx).map_ok(IntoResponse::into_response),
            // Polled again after it answered: an empty response, never a panic.
            KindProj::Answer { response } => Poll::Ready(Ok(response.take().unwrap_or_default())),
            KindProj::Boxed { fut } => fut.as_mut().poll(cx),
        }
    }
}

// The layer's service is usable by `Router::layer`, whose error type must convert to
// `Infallible`; this keeps that requirement visible where the service is defined.
const _: fn() = || {
    fn assert_router_compatible<T: Service<Request<Body>, Error = std::convert::Infallible>>() {}
    assert_router_compatible::<CsrfService<axum::routing::Route, Session>>();
};
