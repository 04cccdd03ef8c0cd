//! `CsrfLayer` and the `CsrfToken` extractor: in process through the real layers with
//! `oneshot`, and on a loopback server with a real HTTP client.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::routing::{any, get, post};
use axum::Router;
use sealed_session::{
    CsrfLayer, CsrfPolicy, CsrfToken, DefaultName, NamedSession, Sealer, Session, SessionLayer,
};

use common::{
    capture_logs_of, key_a, named, one_set_cookie, oneshot, pair, send, set_cookies, status_text,
};

/// The host every in-process request is addressed to.
const HOST: &str = "127.0.0.1:3000";
/// What every refusal answers.
const REFUSED: &str = "cross-site request refused";

/// How many requests reached `/transfer`'s handler: the server-side state a forged request
/// must not change.
#[derive(Clone, Default)]
struct Transfers(Arc<AtomicUsize>);

impl Transfers {
    fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// `/form` answers the session's token, `/visit` starts a session without one, `/transfer`
/// (any method) counts and echoes its body, `/login` regenerates the session.
fn routes(transfers: &Transfers) -> Router {
    let transfers = transfers.clone();
    Router::new()
        .route(
            "/form",
            get(|token: CsrfToken| async move { token.as_str().to_owned() }),
        )
        .route(
            "/visit",
            get(|s: Session| async move { s.insert("visited", true).unwrap() }),
        )
        .route(
            "/transfer",
            any(move |body: String| async move {
                transfers.0.fetch_add(1, Ordering::SeqCst);
                format!("done: {body}")
            }),
        )
        .route(
            "/login",
            post(|s: Session| async move {
                s.regenerate(&[]);
                s.insert("user", "ada").unwrap();
                "logged in"
            }),
        )
}

fn app_with(layer: CsrfLayer, transfers: &Transfers) -> Router {
    routes(transfers)
        .layer(layer)
        .layer(SessionLayer::new(named(key_a())))
}

fn app(transfers: &Transfers) -> Router {
    app_with(CsrfLayer::default(), transfers)
}

/// The default app and its count of transfers, none yet.
fn fresh() -> (Transfers, Router) {
    let transfers = Transfers::default();
    let app = app(&transfers);
    (transfers, app)
}

/// A request to `HOST` with the given headers.
fn request(method: Method, uri: &str, headers: &[(&str, &[u8])], body: &str) -> Request<Body> {
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::HOST, HOST);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.body(Body::from(body.to_owned())).unwrap()
}

/// A POST of `body` to `/transfer` with the given headers: status and body of the answer.
async fn transfer(app: &Router, headers: &[(&str, &[u8])], body: &str) -> (StatusCode, String) {
    let response = oneshot(app, request(Method::POST, "/transfer", headers, body)).await;
    status_text(response).await
}

/// A session's cookie pair and a token of it, from `/form`.
async fn token_and_cookie(app: &Router) -> (String, String) {
    let response = send(app, "/form", None).await;
    let cookie = pair(&one_set_cookie(&response));
    let (status, token) = status_text(response).await;
    assert_eq!(status, StatusCode::OK);
    (token, cookie)
}

fn forbidden() -> (StatusCode, String) {
    (StatusCode::FORBIDDEN, REFUSED.to_owned())
}

fn done(body: &str) -> (StatusCode, String) {
    (StatusCode::OK, format!("done: {body}"))
}

#[tokio::test]
async fn safe_methods_pass_untouched_even_when_marked_cross_site() {
    let (transfers, app) = fresh();
    let cross = [
        ("sec-fetch-site", &b"cross-site"[..]),
        ("origin", b"http://evil.example"),
    ];
    for method in [Method::GET, Method::HEAD, Method::OPTIONS] {
        let response = oneshot(&app, request(method.clone(), "/transfer", &cross, "")).await;
        assert_eq!(response.status(), StatusCode::OK, "{method}");
    }
    assert_eq!(transfers.count(), 3);
}

#[tokio::test]
async fn same_origin_and_user_initiated_requests_pass_without_a_token() {
    let (transfers, app) = fresh();
    for site in [&b"same-origin"[..], b"none"] {
        assert_eq!(
            transfer(&app, &[("sec-fetch-site", site)], "amount=1").await,
            done("amount=1")
        );
    }
    assert_eq!(transfers.count(), 2);
}

#[test]
fn a_cross_site_post_is_refused_with_a_short_403_and_a_warning_without_secrets() {
    let (transfers, app) = fresh();
    let ((answer, cookie, token), logs) = capture_logs_of(async {
        let (token, cookie) = token_and_cookie(&app).await;
        let headers = [
            ("sec-fetch-site", &b"cross-site"[..]),
            ("origin", b"http://evil.example"),
            ("cookie", cookie.as_bytes()),
            ("x-csrf-token", token.as_bytes()),
        ];
        let answer = transfer(&app, &headers, &format!("csrf_token={token}")).await;
        (answer, cookie, token)
    });
    // A valid token does not let through what the browser marks cross-site.
    assert_eq!(answer, forbidden());
    assert_eq!(transfers.count(), 0);
    let refusal = logs
        .lines()
        .find(|line| line.contains("cross-site request forgery"))
        .unwrap_or_else(|| panic!("no refusal logged: {logs}"));
    assert!(refusal.contains("WARN"), "{refusal}");
    assert!(refusal.contains("cross-site"), "{refusal}");
    assert!(refusal.contains("evil.example"), "{refusal}");
    let cookie_value = cookie.split_once('=').unwrap().1;
    assert!(!logs.contains(&token), "{logs}");
    assert!(!logs.contains(cookie_value), "{logs}");
}

#[tokio::test]
async fn every_unsafe_method_is_checked_including_unknown_and_lower_case_ones() {
    let (transfers, app) = fresh();
    let methods = [
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::from_bytes(b"post").unwrap(),
        Method::from_bytes(b"PROPFIND").unwrap(),
    ];
    for method in methods {
        let forged = request(
            method.clone(),
            "/transfer",
            &[("sec-fetch-site", b"cross-site")],
            "",
        );
        let answer = status_text(oneshot(&app, forged).await).await;
        assert_eq!(answer, forbidden(), "{method}");
    }
    assert_eq!(transfers.count(), 0);
}

#[tokio::test]
async fn same_site_is_refused_unless_allowed() {
    let transfers = Transfers::default();
    let same_site = [
        ("sec-fetch-site", &b"same-site"[..]),
        ("origin", b"https://blog.example"),
    ];
    assert_eq!(
        transfer(&app(&transfers), &same_site, "").await,
        forbidden()
    );
    let allowing = app_with(
        CsrfLayer::new(CsrfPolicy::new().allow_same_site(true)),
        &transfers,
    );
    assert_eq!(transfer(&allowing, &same_site, "").await, done(""));
    // Allowing same-site does not allow cross-site.
    let cross = [("sec-fetch-site", &b"cross-site"[..])];
    assert_eq!(transfer(&allowing, &cross, "").await, forbidden());
    assert_eq!(transfers.count(), 1);
}

#[tokio::test]
async fn trusted_origins_pass_across_sites_and_look_alikes_do_not() {
    let transfers = Transfers::default();
    let policy = CsrfPolicy::new().trusted_origin("https://admin.example/");
    let app = app_with(CsrfLayer::new(policy), &transfers);
    let from = |origin: &'static [u8]| [("sec-fetch-site", &b"cross-site"[..]), ("origin", origin)];
    assert_eq!(
        transfer(&app, &from(b"https://admin.example"), "").await,
        done("")
    );
    assert_eq!(
        transfer(&app, &from(b"https://ADMIN.example:443"), "").await,
        done("")
    );
    for other in [
        &b"https://admin.example.evil"[..],
        b"http://admin.example",
        b"https://admin.example:8443",
        b"https://admin.example/",
        b"null",
    ] {
        assert_eq!(transfer(&app, &from(other), "").await, forbidden());
    }
    // Without Fetch Metadata, a trusted Origin passes too.
    assert_eq!(
        transfer(&app, &[("origin", b"https://admin.example")], "").await,
        done("")
    );
    assert_eq!(transfers.count(), 3);
}

#[tokio::test]
async fn without_fetch_metadata_the_requests_own_origin_passes_and_others_are_refused() {
    let (transfers, app) = fresh();
    let with_origin = |origin: &'static [u8]| [("origin", origin)];
    for own in [
        &b"http://127.0.0.1:3000"[..],
        b"HTTP://127.0.0.1:3000",
        b"http://127.0.0.1:3000 ",
    ] {
        assert_eq!(transfer(&app, &with_origin(own), "").await, done(""));
    }
    for other in [
        &b"http://127.0.0.1:3001"[..],
        b"http://localhost:3000",
        b"http://127.0.0.1",
        b"null",
        b"http://127.0.0.1:3000/",
        b"http://127.0.0.1:3000/transfer",
        b"http://127.0.0.1:3000\xff",
        b"",
    ] {
        assert_eq!(
            transfer(&app, &with_origin(other), "").await,
            forbidden(),
            "{}",
            String::from_utf8_lossy(other)
        );
    }
    // Two Origin headers, even both right, are refused.
    let twice = [
        ("origin", &b"http://127.0.0.1:3000"[..]),
        ("origin", b"http://127.0.0.1:3000"),
    ];
    assert_eq!(transfer(&app, &twice, "").await, forbidden());
    assert_eq!(transfers.count(), 3);
}

#[tokio::test]
async fn repeated_or_unknown_fetch_metadata_is_refused() {
    let (transfers, app) = fresh();
    let twice = [
        ("sec-fetch-site", &b"same-origin"[..]),
        ("sec-fetch-site", b"same-origin"),
    ];
    assert_eq!(transfer(&app, &twice, "").await, forbidden());
    for unknown in [
        &b"cross-origin"[..],
        b"",
        b"same-origin, cross-site",
        b"\xfe",
    ] {
        assert_eq!(
            transfer(&app, &[("sec-fetch-site", unknown)], "").await,
            forbidden()
        );
    }
    assert_eq!(transfers.count(), 0);
}

#[tokio::test]
async fn a_configured_app_origin_is_compared_instead_of_the_host() {
    let transfers = Transfers::default();
    let policy = CsrfPolicy::new().app_origin("https://app.example");
    let app = app_with(CsrfLayer::new(policy), &transfers);
    assert_eq!(
        transfer(&app, &[("origin", b"https://app.example")], "").await,
        done("")
    );
    // The Host (here a backend's address behind a proxy) no longer counts.
    assert_eq!(
        transfer(&app, &[("origin", b"http://127.0.0.1:3000")], "").await,
        forbidden()
    );
    assert_eq!(transfers.count(), 1);
}

#[tokio::test]
async fn without_either_header_the_sessions_token_is_required_in_the_header() {
    let (transfers, app) = fresh();
    let (token, cookie) = token_and_cookie(&app).await;
    let (other_token, _) = token_and_cookie(&app).await;
    assert_eq!(with_token(&app, &cookie, token.as_bytes()).await, done(""));
    assert_eq!(
        with_token(&app, &cookie, other_token.as_bytes()).await,
        forbidden()
    );
    assert_eq!(with_token(&app, &cookie, b"").await, forbidden());
    assert_eq!(
        with_token(&app, &cookie, &token.as_bytes()[1..]).await,
        forbidden()
    );
    assert_eq!(
        with_token(&app, &cookie, &[token.as_bytes(), b" "].concat()).await,
        forbidden()
    );
    assert_eq!(
        transfer_with(&app, &cookie, &[]).await,
        forbidden(),
        "no token"
    );
    let twice = [
        ("x-csrf-token", token.as_bytes()),
        ("x-csrf-token", token.as_bytes()),
    ];
    assert_eq!(transfer_with(&app, &cookie, &twice).await, forbidden());
    // The token without the session's cookie is worth nothing.
    assert_eq!(
        transfer(&app, &[("x-csrf-token", token.as_bytes())], "").await,
        forbidden()
    );
    assert_eq!(transfers.count(), 1);
}

/// A POST to `/transfer` with the session `cookie` and `token` in the token header.
async fn with_token(app: &Router, cookie: &str, token: &[u8]) -> (StatusCode, String) {
    transfer_with(app, cookie, &[("x-csrf-token", token)]).await
}

/// A POST to `/transfer` with the session `cookie` and `headers`, no Fetch Metadata, no Origin.
async fn transfer_with(
    app: &Router,
    cookie: &str,
    headers: &[(&str, &[u8])],
) -> (StatusCode, String) {
    let mut all = vec![("cookie", cookie.as_bytes())];
    all.extend_from_slice(headers);
    transfer(app, &all, "").await
}

const FORM: (&str, &[u8]) = (
    "content-type",
    b"application/x-www-form-urlencoded; charset=UTF-8",
);

#[tokio::test]
async fn the_token_in_a_form_field_passes_and_the_handler_gets_the_whole_form() {
    let (transfers, app) = fresh();
    let (token, cookie) = token_and_cookie(&app).await;
    let headers = [("cookie", cookie.as_bytes()), FORM];
    let body = format!("amount=5&csrf_token={token}&to=bob");
    assert_eq!(transfer(&app, &headers, &body).await, done(&body));
    for wrong in [
        "amount=5".to_owned(),
        format!("amount=5&csrf_token={token}&csrf_token={token}"),
        format!("amount=5&csrf_token={}", &token[1..]),
        "csrf_token=".to_owned(),
    ] {
        assert_eq!(
            transfer(&app, &headers, &wrong).await,
            forbidden(),
            "{wrong}"
        );
    }
    // A form body of another type is not read for a token.
    let multipart = [
        ("cookie", cookie.as_bytes()),
        ("content-type", &b"multipart/form-data; boundary=x"[..]),
    ];
    let multipart_body = format!(
        "--x\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n--x--\r\n"
    );
    assert_eq!(
        transfer(&app, &multipart, &multipart_body).await,
        forbidden()
    );
    assert_eq!(transfers.count(), 1);
}

#[tokio::test]
async fn a_token_in_the_query_string_is_not_accepted() {
    let (transfers, app) = fresh();
    let (token, cookie) = token_and_cookie(&app).await;
    let uri = format!("/transfer?csrf_token={token}");
    let headers = [("cookie", cookie.as_bytes()), FORM];
    let response = oneshot(&app, request(Method::POST, &uri, &headers, "amount=5")).await;
    assert_eq!(status_text(response).await, forbidden());
    assert_eq!(transfers.count(), 0);
}

#[tokio::test]
async fn a_session_without_a_token_accepts_none() {
    let (transfers, app) = fresh();
    let cookie = pair(&one_set_cookie(&send(&app, "/visit", None).await));
    for token in [&b""[..], &[b'A'; 86]] {
        assert_eq!(with_token(&app, &cookie, token).await, forbidden());
    }
    let headers = [("cookie", cookie.as_bytes()), FORM];
    assert_eq!(transfer(&app, &headers, "csrf_token=").await, forbidden());
    assert_eq!(transfers.count(), 0);
}

#[tokio::test]
async fn a_form_body_over_the_limit_is_answered_413() {
    let transfers = Transfers::default();
    let app = app_with(CsrfLayer::default().max_form_len(100), &transfers);
    let (token, cookie) = token_and_cookie(&app).await;
    let headers = [("cookie", cookie.as_bytes()), FORM];
    let fits = format!("csrf_token={token}");
    assert_eq!(transfer(&app, &headers, &fits).await, done(&fits));
    let large = format!("csrf_token={token}&pad={}", "x".repeat(100));
    let answer = transfer(&app, &headers, &large).await;
    assert_eq!(answer.0, StatusCode::PAYLOAD_TOO_LARGE);
    // A body that declares no length, arriving in pieces, is cut off where it passes the
    // limit: not read to its end.
    let pieces = Pieces::default();
    let mut forged = request(Method::POST, "/transfer", &headers, "");
    *forged.body_mut() = Body::new(pieces.clone());
    assert!(!forged.headers().contains_key(header::CONTENT_LENGTH));
    let response = oneshot(&app, forged).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(pieces.read() <= 2, "{} pieces read", pieces.read());
    // A declared length over the limit is refused before the body is read.
    let mut declared = request(Method::POST, "/transfer", &headers, "");
    declared
        .headers_mut()
        .insert(header::CONTENT_LENGTH, "100000000000".parse().unwrap());
    let response = oneshot(&app, declared).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(transfers.count(), 1);
}

/// A body of a thousand pieces of 1000 bytes, with no length known in advance, that counts
/// the pieces read.
#[derive(Clone, Default)]
struct Pieces(Arc<AtomicUsize>);

impl Pieces {
    fn read(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

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

#[tokio::test]
async fn regenerating_the_session_at_login_rotates_the_token() {
    let (transfers, app) = fresh();
    let (before, cookie) = token_and_cookie(&app).await;
    let login = request(
        Method::POST,
        "/login",
        &[
            ("cookie", cookie.as_bytes()),
            ("x-csrf-token", before.as_bytes()),
        ],
        "",
    );
    let response = oneshot(&app, login).await;
    let logged_in = pair(&one_set_cookie(&response));
    assert_eq!(status_text(response).await.1, "logged in");
    // The token of the session before the login no longer works.
    assert_eq!(
        transfer_with(&app, &logged_in, &[("x-csrf-token", before.as_bytes())]).await,
        forbidden()
    );
    let page = send(&app, "/form", Some(&logged_in)).await;
    let cookie = pair(&one_set_cookie(&page));
    let after = status_text(page).await.1;
    assert_ne!(after, before);
    assert_eq!(
        transfer_with(&app, &cookie, &[("x-csrf-token", after.as_bytes())]).await,
        done("")
    );
    assert_eq!(transfers.count(), 1);
}

#[tokio::test]
async fn the_first_token_starts_the_secret_and_later_pages_reuse_it_masked_anew() {
    let (transfers, app) = fresh();
    let (first, cookie) = token_and_cookie(&app).await;
    let page = send(&app, "/form", Some(&cookie)).await;
    assert!(set_cookies(&page).is_empty(), "the session did not change");
    let second = status_text(page).await.1;
    assert_ne!(first, second);
    for token in [&first, &second] {
        assert_eq!(with_token(&app, &cookie, token.as_bytes()).await, done(""));
    }
    assert_eq!(transfers.count(), 2);
}

#[tokio::test]
async fn without_a_session_layer_every_request_is_answered_500_naming_session_layer() {
    let transfers = Transfers::default();
    let app = routes(&transfers).layer(CsrfLayer::default());
    for method in [Method::GET, Method::POST] {
        let response = oneshot(&app, request(method, "/transfer", &[], "")).await;
        let (status, text) = status_text(response).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(
            text.contains("SessionLayer") && text.contains("CsrfLayer"),
            "{text}"
        );
    }
    // Applied outside the session layer, it finds no session either.
    let reversed = routes(&transfers)
        .layer(SessionLayer::new(named(key_a())))
        .layer(CsrfLayer::default());
    let (status, text) = status_text(send(&reversed, "/form", None).await).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(text.contains("inside SessionLayer"), "{text}");
    assert_eq!(transfers.count(), 0);
}

#[tokio::test]
async fn the_token_extractor_without_the_layer_is_answered_500_naming_csrf_layer() {
    let transfers = Transfers::default();
    let app = routes(&transfers).layer(SessionLayer::new(named(key_a())));
    let (status, text) = status_text(send(&app, "/form", None).await).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(text.contains("CsrfToken needs CsrfLayer"), "{text}");
}

#[tokio::test]
async fn with_several_session_layers_the_token_lives_in_the_named_one() {
    let key = key_a();
    let app: Router = Router::new()
        .route(
            "/form",
            get(|token: CsrfToken| async move { token.as_str().to_owned() }),
        )
        .route(
            "/secret-is-in",
            get(
                |login: NamedSession<DefaultName>, flash: NamedSession<Flash>| async move {
                    let key = CsrfToken::SESSION_KEY;
                    format!("{} {}", login.contains_key(key), flash.contains_key(key))
                },
            ),
        )
        .route("/transfer", post(|| async { "done" }))
        .layer(CsrfLayer::default().session::<NamedSession<DefaultName>>())
        .layer(SessionLayer::new(Sealer::new(key.clone())))
        .layer(SessionLayer::new(Sealer::new(key).cookie_name("flash")));
    let response = send(&app, "/form", None).await;
    let cookie = pair(&one_set_cookie(&response));
    assert!(cookie.starts_with("__Host-session="), "{cookie}");
    let token = status_text(response).await.1;
    let answer = status_text(send(&app, "/secret-is-in", Some(&cookie)).await).await;
    assert_eq!(answer.1, "true false");
    assert_eq!(with_token(&app, &cookie, token.as_bytes()).await.1, "done");
    // The default, `Session`, is ambiguous with two layers: a 500 that says so.
    let ambiguous: Router = Router::new()
        .route("/", post(|| async { "done" }))
        .layer(CsrfLayer::default())
        .layer(SessionLayer::new(Sealer::new(key_a())))
        .layer(SessionLayer::new(Sealer::new(key_a()).cookie_name("flash")));
    let response = oneshot(&ambiguous, request(Method::POST, "/", &[], "")).await;
    let (status, text) = status_text(response).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(text.contains("NamedSession"), "{text}");
}

struct Flash;
impl sealed_session::SessionName for Flash {
    const NAME: &'static str = "flash";
}

/// On a loopback server, a real client that sends no Fetch Metadata (as `curl` and old
/// browsers do): the session's token passes, no token or a foreign `Origin` does not.
#[tokio::test]
async fn a_real_client_without_fetch_metadata_needs_the_token_or_its_own_origin() {
    let transfers = Transfers::default();
    let server = crate::server::serve(app(&transfers)).await;
    let client = crate::server::client(true);
    let url = &server.url;
    let token = client.get(format!("{url}/form")).send().await.unwrap();
    assert_eq!(token.status(), 200);
    let token = token.text().await.unwrap();

    let post = |form: Vec<(&'static str, String)>| {
        client.post(format!("{url}/transfer")).form(&form).send()
    };
    let refused = post(vec![("amount", "5".into())]).await.unwrap();
    assert_eq!(refused.status(), 403);
    assert_eq!(refused.text().await.unwrap(), REFUSED);
    let accepted = post(vec![("amount", "5".into()), ("csrf_token", token.clone())])
        .await
        .unwrap();
    assert_eq!(accepted.status(), 200);
    let echoed = accepted.text().await.unwrap();
    assert!(echoed.starts_with("done: amount=5&csrf_token="), "{echoed}");

    let header = client
        .post(format!("{url}/transfer"))
        .header(CsrfToken::HEADER, &token)
        .send()
        .await
        .unwrap();
    assert_eq!(header.status(), 200);
    // An Origin header is believed: a foreign one is refused even with the token, the
    // server's own passes without one.
    let foreign = client
        .post(format!("{url}/transfer"))
        .header(header::ORIGIN, "http://evil.example")
        .header(CsrfToken::HEADER, &token)
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 403);
    let own = client
        .post(format!("{url}/transfer"))
        .header(header::ORIGIN, url.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), 200);
    assert_eq!(transfers.count(), 3);
}

/// A form post with no session (so no secret: it cannot pass) is refused before its body is
/// read, so that a client with no session cannot make the server hold bodies.
#[tokio::test]
async fn a_form_post_without_a_session_is_refused_before_its_body_is_read() {
    let (transfers, app) = fresh();
    let pieces = Pieces::default();
    let request = Request::post("/transfer")
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::new(pieces.clone()))
        .unwrap();
    let (status, _) = status_text(oneshot(&app, request).await).await;
    let read = pieces.read();
    assert!(
        status == StatusCode::FORBIDDEN && read <= 1,
        "a post without a session answered {status} after reading {read} pieces of its body"
    );
    assert_eq!(transfers.count(), 0);
}

/// A forged request: method, path, headers, body.
type Forgery<'a> = (Method, &'a str, Vec<(&'a str, &'a [u8])>, &'a str);

/// Forgeries by method, `Origin`, repeated or joined headers, proxy headers, and tokens that
/// are empty, another session's, padded, repeated, in a body that is not a form, or in the
/// query string: all refused, and the real token passes.
#[tokio::test]
async fn forged_requests_of_every_kind_are_refused_and_the_real_token_passes() {
    let (transfers, app) = fresh();
    let (token, cookie) = token_and_cookie(&app).await;
    let (_, other_cookie) = token_and_cookie(&app).await;
    let (c, t, o) = (cookie.as_bytes(), token.as_bytes(), other_cookie.as_bytes());
    let padded = format!(" {token}");
    let evil: &[u8] = b"http://evil.example";
    let plain: (&str, &[u8]) = ("content-type", b"text/plain");
    let both_fields = format!("csrf_token={token}&csrf%5Ftoken={token}");
    let as_text = format!("csrf_token={token}");
    let query = format!("/transfer?csrf_token={token}");
    let forgeries: Vec<Forgery> = vec![
        (
            Method::from_bytes(b"post").unwrap(),
            "/transfer",
            vec![("origin", evil)],
            "",
        ),
        (
            Method::TRACE,
            "/transfer",
            vec![("sec-fetch-site", b"cross-site")],
            "",
        ),
        (
            Method::from_bytes(b"PROPFIND").unwrap(),
            "/transfer",
            vec![("cookie", c)],
            "",
        ),
        (Method::POST, "/transfer", vec![("origin", b"")], ""),
        (Method::POST, "/transfer", vec![("origin", b" null ")], ""),
        (
            Method::POST,
            "/transfer",
            vec![("origin", b"http://127.0.0.1:3000@evil.example")],
            "",
        ),
        (
            Method::POST,
            "/transfer",
            vec![("origin", b"http://127.0.0.1:3000.evil.example")],
            "",
        ),
        (
            Method::POST,
            "/transfer",
            vec![("origin", b"http://[::ffff:127.0.0.1]:3000")],
            "",
        ),
        (
            Method::POST,
            "/transfer",
            vec![("origin", b"http://127.0.0.1:3000,http://evil")],
            "",
        ),
        (
            Method::POST,
            "/transfer",
            vec![("sec-fetch-site", b"same-origin, cross-site")],
            "",
        ),
        (
            Method::POST,
            "/transfer",
            vec![
                ("sec-fetch-site", b"same-origin"),
                ("sec-fetch-site", b"same-origin"),
            ],
            "",
        ),
        (
            Method::POST,
            "/transfer",
            vec![("x-forwarded-host", b"evil.example"), ("origin", evil)],
            "",
        ),
        (
            Method::POST,
            "/transfer",
            vec![("cookie", c), ("x-csrf-token", b"")],
            "",
        ),
        (
            Method::POST,
            "/transfer",
            vec![("cookie", o), ("x-csrf-token", t)],
            "",
        ),
        (
            Method::POST,
            "/transfer",
            vec![("cookie", c), ("x-csrf-token", padded.as_bytes())],
            "",
        ),
        (
            Method::POST,
            "/transfer",
            vec![("cookie", c), ("x-csrf-token", t), ("origin", evil)],
            "",
        ),
        (
            Method::POST,
            "/transfer",
            vec![("cookie", c), ("x-csrf-token", t), ("x-csrf-token", t)],
            "",
        ),
        (
            Method::POST,
            "/transfer",
            vec![("cookie", c), FORM],
            &both_fields,
        ),
        (
            Method::POST,
            "/transfer",
            vec![("cookie", c), plain],
            &as_text,
        ),
        (Method::POST, &query, vec![("cookie", c)], ""),
    ];
    for (method, uri, headers, body) in forgeries {
        let response = oneshot(&app, request(method.clone(), uri, &headers, body)).await;
        assert_eq!(
            response.status(),
            StatusCode::FORBIDDEN,
            "{method} {uri} {headers:?}"
        );
    }
    assert_eq!(transfers.count(), 0);
    // The real token in the form passes, its field name percent-encoded too.
    let body = format!("a=1&csrf%5Ftoken={token}");
    assert_eq!(
        transfer(&app, &[("cookie", c), FORM], &body).await,
        done(&body)
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
