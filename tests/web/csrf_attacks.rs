//! Requests an attacker would try against `CsrfLayer`: each forged one refused, and no body
//! held for a request that cannot pass.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::routing::{any, get};
use axum::Router;
use sealed_session::{CsrfLayer, CsrfToken, Session, SessionLayer};

use common::{key_a, named, one_set_cookie, oneshot, pair, send, status_text};

const HOST: &str = "127.0.0.1:3000";

fn app(hits: Arc<AtomicUsize>) -> Router {
    Router::new()
        .route(
            "/form",
            get(|t: CsrfToken| async move { t.as_str().to_owned() }),
        )
        .route(
            "/visit",
            get(|s: Session| async move { s.insert("v", 1u8).unwrap() }),
        )
        .route(
            "/transfer",
            any(move |body: String| async move {
                hits.fetch_add(1, Ordering::SeqCst);
                body
            }),
        )
        .layer(CsrfLayer::default())
        .layer(SessionLayer::new(named(key_a())))
}

fn req(method: &str, uri: &str, headers: &[(&str, &[u8])], body: Body) -> Request<Body> {
    let mut r = Request::builder()
        .method(Method::from_bytes(method.as_bytes()).unwrap())
        .uri(uri)
        .header(header::HOST, HOST);
    for (n, v) in headers {
        r = r.header(*n, *v);
    }
    r.body(body).unwrap()
}

#[derive(Clone, Default)]
struct Pieces(Arc<AtomicUsize>);
impl hyper::body::Body for Pieces {
    type Data = axum::body::Bytes;
    type Error = std::convert::Infallible;
    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        let piece = (self.0.fetch_add(1, Ordering::SeqCst) < 1000)
            .then(|| Ok(hyper::body::Frame::data(vec![b'x'; 1000].into())));
        std::task::Poll::Ready(piece)
    }
}

/// A forged request: method, path, headers, body.
type Forgery<'a> = (&'a str, &'a str, Vec<(&'a str, Vec<u8>)>, String);

const FORM: (&str, &[u8]) = ("content-type", b"application/x-www-form-urlencoded");

/// A form post with no session (so no secret: it cannot pass) is refused before its body is
/// read, so that a client with no session cannot make the server hold bodies.
#[tokio::test]
async fn a_form_post_without_a_session_is_refused_before_its_body_is_read() {
    let hits = Arc::new(AtomicUsize::new(0));
    let app = app(hits.clone());
    let pieces = Pieces::default();
    let r = req("POST", "/transfer", &[FORM], Body::new(pieces.clone()));
    let response = oneshot(&app, r).await;
    let status = response.status();
    let read = pieces.0.load(Ordering::SeqCst);
    assert_eq!(hits.load(Ordering::SeqCst), 0);
    assert!(
        status == StatusCode::FORBIDDEN && read <= 1,
        "sessionless POST answered {status} after reading {read} KB of body"
    );
}

/// Forgeries by method, `Origin`, repeated or joined headers, proxy headers, and tokens that
/// are empty, another session's, padded, repeated, in a body that is not a form, or in the
/// query string: all refused, and the real token passes.
#[tokio::test]
async fn forged_requests_of_every_kind_are_refused_and_the_real_token_passes() {
    let hits = Arc::new(AtomicUsize::new(0));
    let app = app(hits.clone());
    let token_resp = send(&app, "/form", None).await;
    let cookie = pair(&one_set_cookie(&token_resp));
    let (_, token) = status_text(token_resp).await;
    let other = send(&app, "/form", None).await;
    let other_cookie = pair(&one_set_cookie(&other));
    let c = cookie.as_bytes();
    let query_uri = format!("/transfer?csrf_token={token}");
    let cases: Vec<Forgery> = vec![
        (
            "post",
            "/transfer",
            vec![("origin", b"http://evil.example".to_vec())],
            String::new(),
        ),
        (
            "TRACE",
            "/transfer",
            vec![("sec-fetch-site", b"cross-site".to_vec())],
            String::new(),
        ),
        (
            "PROPFIND",
            "/transfer",
            vec![("cookie", c.to_vec())],
            String::new(),
        ),
        (
            "POST",
            "/transfer",
            vec![("origin", b"".to_vec())],
            String::new(),
        ),
        (
            "POST",
            "/transfer",
            vec![("origin", b" null ".to_vec())],
            String::new(),
        ),
        (
            "POST",
            "/transfer",
            vec![("origin", b"http://127.0.0.1:3000@evil.example".to_vec())],
            String::new(),
        ),
        (
            "POST",
            "/transfer",
            vec![("origin", b"http://127.0.0.1:3000.evil.example".to_vec())],
            String::new(),
        ),
        (
            "POST",
            "/transfer",
            vec![("origin", b"http://[::ffff:127.0.0.1]:3000".to_vec())],
            String::new(),
        ),
        (
            "POST",
            "/transfer",
            vec![("origin", b"http://127.0.0.1:3000,http://evil".to_vec())],
            String::new(),
        ),
        (
            "POST",
            "/transfer",
            vec![("sec-fetch-site", b"same-origin, cross-site".to_vec())],
            String::new(),
        ),
        (
            "POST",
            "/transfer",
            vec![
                ("sec-fetch-site", b"same-origin".to_vec()),
                ("sec-fetch-site", b"same-origin".to_vec()),
            ],
            String::new(),
        ),
        (
            "POST",
            "/transfer",
            vec![
                ("x-forwarded-host", b"evil.example".to_vec()),
                ("origin", b"http://evil.example".to_vec()),
            ],
            String::new(),
        ),
        (
            "POST",
            "/transfer",
            vec![("cookie", c.to_vec()), ("x-csrf-token", b"".to_vec())],
            String::new(),
        ),
        (
            "POST",
            "/transfer",
            vec![
                ("cookie", other_cookie.as_bytes().to_vec()),
                ("x-csrf-token", token.as_bytes().to_vec()),
            ],
            String::new(),
        ),
        (
            "POST",
            "/transfer",
            vec![
                ("cookie", c.to_vec()),
                ("x-csrf-token", format!(" {token}").into_bytes()),
            ],
            String::new(),
        ),
        (
            "POST",
            "/transfer",
            vec![
                ("cookie", c.to_vec()),
                ("x-csrf-token", token.as_bytes().to_vec()),
                ("origin", b"http://evil.example".to_vec()),
            ],
            String::new(),
        ),
        (
            "POST",
            "/transfer",
            vec![
                ("cookie", c.to_vec()),
                ("x-csrf-token", token.as_bytes().to_vec()),
                ("x-csrf-token", token.as_bytes().to_vec()),
            ],
            String::new(),
        ),
        (
            "POST",
            "/transfer",
            vec![
                ("cookie", c.to_vec()),
                (
                    "content-type",
                    b"application/x-www-form-urlencoded".to_vec(),
                ),
            ],
            format!("csrf_token={token}&csrf%5Ftoken={token}"),
        ),
        (
            "POST",
            "/transfer",
            vec![
                ("cookie", c.to_vec()),
                ("content-type", b"text/plain".to_vec()),
            ],
            format!("csrf_token={token}"),
        ),
        (
            "POST",
            &query_uri,
            vec![("cookie", c.to_vec())],
            String::new(),
        ),
    ];
    for (method, uri, headers, body) in &cases {
        let hs: Vec<(&str, &[u8])> = headers.iter().map(|(n, v)| (*n, &v[..])).collect();
        let r = req(method, uri, &hs, Body::from(body.clone()));
        let (status, _) = status_text(oneshot(&app, r).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {uri} {headers:?}");
    }
    assert_eq!(hits.load(Ordering::SeqCst), 0);
    // Control: the real token in the form passes, encoded field name too.
    let r = req(
        "POST",
        "/transfer",
        &[("cookie", c), FORM],
        Body::from(format!("a=1&csrf%5Ftoken={token}")),
    );
    let (status, body) = status_text(oneshot(&app, r).await).await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, format!("a=1&csrf%5Ftoken={token}"))
    );
}

/// DNS rebinding: a page on `rebind.attacker.example` re-pointed at the application is
/// same-origin with itself, so without a host list it passes; with the application's hosts
/// named, it is refused.
#[test]
fn a_rebound_host_passes_without_a_host_list_and_is_refused_with_one() {
    use sealed_session::{CsrfCheck, CsrfPolicy, CsrfRefusal, CsrfRequest};
    let request = |host: &'static [u8], origin: &'static [u8]| {
        let headers: [(&str, &[u8]); 3] = [
            ("host", host),
            ("origin", origin),
            ("content-type", b"application/x-www-form-urlencoded"),
        ];
        move |policy: &CsrfPolicy| {
            policy.check(&CsrfRequest::new(b"POST", |name| {
                headers
                    .iter()
                    .filter(|h| h.0 == name)
                    .map(|h| h.1)
                    .collect::<Vec<_>>()
            })) == CsrfCheck::Allow
        }
    };
    let rebound = request(
        b"rebind.attacker.example:3000",
        b"http://rebind.attacker.example:3000",
    );
    let own = request(b"192.168.1.10:3000", b"http://192.168.1.10:3000");
    assert!(rebound(&CsrfPolicy::new()));
    let hosts = CsrfPolicy::new().allowed_host("192.168.1.10");
    assert!(!rebound(&hosts));
    assert!(own(&hosts));
    // With a port, only that port.
    assert!(!own(&CsrfPolicy::new().allowed_host("192.168.1.10:8080")));
    let headers: [(&str, &[u8]); 1] = [("host", b"evil.example")];
    assert_eq!(
        hosts.check(&CsrfRequest::new(b"POST", |name| {
            headers
                .iter()
                .filter(|h| h.0 == name)
                .map(|h| h.1)
                .collect::<Vec<_>>()
        })),
        CsrfCheck::Refuse(CsrfRefusal::WrongHost)
    );
    assert!(CsrfPolicy::new()
        .try_allowed_host("http://app.example")
        .is_err());
    assert!(CsrfPolicy::new()
        .try_allowed_host("user@app.example")
        .is_err());
}
