//! [`CsrfLayer`]: a CSRF layer's settings, and what it does with a request, with no framework:
//! the policy's answer, the token checked against the session (from its header, or from a form
//! body read up to a limit), and the refusal's log line. Each integration reads its
//! framework's request into these and answers what they decide.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;

use super::policy::{CsrfCheck, CsrfPolicy, CsrfRefusal, CsrfRequest};
use super::token::CsrfToken;
use crate::codec::Codec;
#[cfg(doc)]
use crate::named_session::NamedSession;
use crate::session::Session;
use crate::session_layer::SessionExtractor;

/// The largest form body a CSRF layer reads by default to find a token in, in bytes.
const DEFAULT_MAX_FORM_LEN: usize = 64 * 1024;

/// What every refusal answers: the same few words whatever the reason, which goes to the log.
pub(crate) const REFUSED: &str = "cross-site request refused";
/// The answer to a form body over the limit (`413`).
pub(crate) const TOO_LARGE: &str = "request body too large";
/// The answer to a form body that could not be read (`400`).
pub(crate) const UNREADABLE: &str = "request body could not be read";

/// A CSRF layer: refuses cross-site requests that could change state, by the rules of a
/// [`CsrfPolicy`], and makes the [`CsrfToken`] extractor work. With axum (feature `axum`) it
/// is a tower `Layer`; with actix-web (feature `actix`) a middleware, under the name
/// `actix::CsrfMiddleware`.
///
/// It works on the session of a session layer ([`SessionLayer`](crate::SessionLayer)), so it
/// must be applied inside one (in axum, `.layer(CsrfLayer::default())` before
/// `.layer(SessionLayer::new(..))`; in actix-web, `.wrap(CsrfMiddleware::default())` before
/// `.wrap(SessionMiddleware::new(..))`); without one, every request is answered `500` with a
/// message that names the session layer. By default the session is the one [`Session`] takes;
/// for an app with several session layers, name one with [`session`](Self::session).
///
/// A refused request gets `403 Forbidden` with a short body that does not say why, and the
/// reason ([`CsrfRefusal`]) is logged at `warn`. A request that must show its token in a form
/// body (no Fetch Metadata, no `Origin`, no token header) has the body read, up to
/// [`max_form_len`](Self::max_form_len) (`413 Payload Too Large` beyond it), and handed on
/// whole to the handler.
///
/// # Example
/// ```
/// # #[cfg(feature = "axum")] {
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
/// # }
/// ```
#[derive(Debug)]
pub struct CsrfLayer<S = Session> {
    config: Arc<CsrfConfig>,
    session: PhantomData<fn() -> S>,
}

/// What every request of a CSRF layer reads.
#[derive(Debug, Clone)]
pub(crate) struct CsrfConfig {
    policy: CsrfPolicy,
    max_form_len: usize,
}

impl CsrfLayer {
    /// A layer that applies `policy`, to the session [`Session`] takes.
    pub fn new(policy: CsrfPolicy) -> Self {
        Self {
            config: Arc::new(CsrfConfig {
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

/// The service a [`CsrfLayer`] wraps around an inner service, in any framework (each
/// integration implements its framework's service trait for it).
pub struct CsrfService<I, S = Session> {
    pub(crate) inner: I,
    pub(crate) config: Arc<CsrfConfig>,
    session: PhantomData<fn() -> S>,
}

impl<I, S> CsrfService<I, S> {
    /// The service of `layer` around `inner`.
    pub(crate) fn new(layer: &CsrfLayer<S>, inner: I) -> Self {
        Self {
            inner,
            config: Arc::clone(&layer.config),
            session: PhantomData,
        }
    }
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

/// What a CSRF layer does with a request, before any session is opened.
pub(crate) enum Gate {
    /// Hand it on.
    Pass,
    /// Answer [`refused`] at once.
    Refuse(CsrfRefusal),
    /// Open the session and check the token there.
    Verify(TokenAt),
}

/// Where the token to check is.
pub(crate) enum TokenAt {
    /// The header's value.
    Header(Vec<u8>),
    /// In the form body, read up to this many bytes.
    Form(usize),
}

/// What the token check decided, for a request whose body is a `B`.
pub(crate) enum Verdict<B> {
    /// Hand the request on with its body, unread.
    Pass(B),
    /// Hand the request on with this body, read whole for the check.
    PassRead(Vec<u8>),
    /// Answer `403` with [`refused`].
    Refuse(CsrfRefusal),
    /// Answer `413` with [`TOO_LARGE`].
    TooLarge,
    /// Answer `400` with [`UNREADABLE`].
    Unreadable,
}

/// Why a form body was not read whole.
pub(crate) enum BodyRead {
    /// Over the limit.
    TooLarge,
    /// The connection failed.
    Failed,
}

impl CsrfConfig {
    /// What to do with `request`.
    pub(crate) fn gate(&self, request: &CsrfRequest<'_>) -> Gate {
        match self.policy.check(request) {
            CsrfCheck::Allow => Gate::Pass,
            CsrfCheck::Refuse(refusal) => Gate::Refuse(refusal),
            CsrfCheck::VerifyToken(token) => Gate::Verify(TokenAt::Header(token.to_vec())),
            CsrfCheck::VerifyForm => Gate::Verify(TokenAt::Form(self.max_form_len)),
        }
    }
}

/// Checks the token at `at` against `session`; a token in the form is read from `body` with
/// `read_body` (given the limit), only then.
pub(crate) async fn verify<C, B, F, Fut>(
    session: &Session<C>,
    at: TokenAt,
    body: B,
    read_body: F,
) -> Verdict<B>
where
    C: Codec,
    F: FnOnce(B, usize) -> Fut,
    Fut: Future<Output = Result<Vec<u8>, BodyRead>>,
{
    match at {
        TokenAt::Header(token) if CsrfToken::verify(session, &token) => Verdict::Pass(body),
        TokenAt::Header(_) => Verdict::Refuse(CsrfRefusal::InvalidToken),
        // A session with no secret accepts no token: refused before any of the body is read,
        // so that a client with no session cannot make the server hold bodies for nothing.
        TokenAt::Form(_) if !session.contains_key(CsrfToken::SESSION_KEY) => {
            Verdict::Refuse(CsrfRefusal::InvalidToken)
        }
        TokenAt::Form(max) => match read_body(body, max).await {
            Ok(body) => {
                let valid = CsrfToken::find_in_form(&body)
                    .is_some_and(|token| CsrfToken::verify(session, &token));
                if valid {
                    Verdict::PassRead(body)
                } else {
                    Verdict::Refuse(CsrfRefusal::InvalidToken)
                }
            }
            Err(BodyRead::TooLarge) => {
                tracing::warn!(
                    max,
                    "form body over the CSRF layer's limit; request refused"
                );
                Verdict::TooLarge
            }
            Err(BodyRead::Failed) => Verdict::Unreadable,
        },
    }
}

/// A form body being read, up to a limit: refused early by its declared `Content-Length`, and
/// by what arrives for a body that does not say or says less.
pub(crate) struct FormBody {
    bytes: Vec<u8>,
    max: usize,
}

impl FormBody {
    /// A body of at most `max` bytes, whose `Content-Length` header (if any) is
    /// `content_length`.
    pub(crate) fn new(content_length: Option<&[u8]>, max: usize) -> Result<Self, BodyRead> {
        let declared = content_length
            .and_then(|v| std::str::from_utf8(v).ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|len| len > max as u64) {
            return Err(BodyRead::TooLarge);
        }
        Ok(Self {
            bytes: Vec::new(),
            max,
        })
    }

    /// Adds the bytes that arrived.
    pub(crate) fn push(&mut self, data: &[u8]) -> Result<(), BodyRead> {
        if self.bytes.len() + data.len() > self.max {
            return Err(BodyRead::TooLarge);
        }
        self.bytes.extend_from_slice(data);
        Ok(())
    }

    /// The whole body.
    pub(crate) fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

/// Logs a refused request at `warn`, with the reason and the `Origin` (the client's own words,
/// shortened), never a token or session data; the `403`'s body is [`REFUSED`].
pub(crate) fn refused(refusal: CsrfRefusal, origin: Option<&[u8]>) -> &'static str {
    let origin = origin.map(|v| String::from_utf8_lossy(&v[..v.len().min(100)]).into_owned());
    tracing::warn!(
        reason = %refusal,
        origin = ?origin,
        "request refused as possible cross-site request forgery"
    );
    REFUSED
}
