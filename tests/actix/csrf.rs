//! `CsrfMiddleware` and the `CsrfToken` extractor on actix, in process.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use actix_web::http::Method;
use actix_web::test::{call_service, init_service, TestRequest};
use actix_web::{web, App};
use sealed_session::actix::{CsrfMiddleware, SessionMiddleware};
use sealed_session::{CsrfToken, DefaultName, NamedSession, Sealer, Session, SessionName};

use common::{key_a, key_b, named, pair};

use crate::helpers::{get, one_set_cookie, status_text};

/// What every refusal answers.
const REFUSED: &str = "cross-site request refused";
const FORM: (&str, &str) = ("content-type", "application/x-www-form-urlencoded");

/// `/form` answers the session's token, `/visit` starts a session without one, `/transfer`
/// counts and echoes its body.
fn routes(transfers: Arc<AtomicUsize>) -> impl FnOnce(&mut web::ServiceConfig) {
    move |config| {
        config
            .route(
                "/form",
                web::get().to(|token: CsrfToken| async move { token.as_str().to_owned() }),
            )
            .route(
                "/visit",
                web::get().to(|s: Session| async move {
                    s.insert("visited", true).unwrap();
                    "visited"
                }),
            )
            .route(
                "/transfer",
                web::route().to(move |body: String| {
                    let transfers = Arc::clone(&transfers);
                    async move {
                        transfers.fetch_add(1, Ordering::SeqCst);
                        format!("done: {body}")
                    }
                }),
            );
    }
}

/// The routes behind `csrf` inside the session middleware, and the count of transfers.
macro_rules! service {
    ($csrf:expr) => {{
        let transfers = Arc::new(AtomicUsize::new(0));
        let app = init_service(
            App::new()
                .configure(routes(Arc::clone(&transfers)))
                .wrap($csrf)
                .wrap(SessionMiddleware::new(named(key_a()))),
        )
        .await;
        (app, transfers)
    }};
}

/// A POST of `body` to `/transfer`, addressed to 127.0.0.1:3000, with these headers.
fn transfer(headers: &[(&str, &str)], body: &str) -> TestRequest {
    let mut request = TestRequest::default()
        .method(Method::POST)
        .uri("/transfer")
        .insert_header(("host", "127.0.0.1:3000"));
    for header in headers {
        request = request.append_header(*header);
    }
    request.set_payload(body.to_owned())
}

/// A session's cookie pair and a token of it, from `/form`.
macro_rules! token_and_cookie {
    ($app:expr) => {{
        let response = call_service(&$app, get("/form", None).to_request()).await;
        let cookie = pair(&one_set_cookie(&response));
        let (status, token) = status_text(response).await;
        assert_eq!(status, 200);
        (token, cookie)
    }};
}

macro_rules! answer {
    ($app:expr, $request:expr) => {
        status_text(call_service(&$app, $request.to_request()).await).await
    };
}

fn forbidden() -> (u16, String) {
    (403, REFUSED.to_owned())
}

fn done(body: &str) -> (u16, String) {
    (200, format!("done: {body}"))
}

#[actix_web::test]
async fn cross_site_posts_are_refused_and_same_origin_and_safe_ones_pass() {
    let (app, transfers) = service!(CsrfMiddleware::default());
    let cross = [
        ("sec-fetch-site", "cross-site"),
        ("origin", "https://evil.example"),
    ];
    assert_eq!(answer!(app, transfer(&cross, "amount=5")), forbidden());
    assert_eq!(transfers.load(Ordering::SeqCst), 0);
    // A safe method passes even when marked cross-site.
    let mut safe = TestRequest::get().uri("/transfer");
    for header in cross {
        safe = safe.insert_header(header);
    }
    assert_eq!(answer!(app, safe), done(""));
    // Same origin, by Fetch Metadata or by Origin.
    assert_eq!(
        answer!(app, transfer(&[("sec-fetch-site", "same-origin")], "a")),
        done("a")
    );
    assert_eq!(
        answer!(app, transfer(&[("origin", "http://127.0.0.1:3000")], "b")),
        done("b")
    );
    assert_eq!(
        answer!(app, transfer(&[("origin", "http://127.0.0.1:4000")], "c")),
        forbidden()
    );
    assert_eq!(transfers.load(Ordering::SeqCst), 3);
}

#[actix_web::test]
async fn without_either_header_the_sessions_token_is_required_in_the_header_or_the_form() {
    let (app, transfers) = service!(CsrfMiddleware::default());
    let (token, cookie) = token_and_cookie!(app);
    let (other_token, _) = token_and_cookie!(app);
    let with = |token: &str| transfer(&[("cookie", &cookie), ("x-csrf-token", token)], "");
    assert_eq!(answer!(app, with(&token)), done(""));
    assert_eq!(answer!(app, with(&other_token)), forbidden());
    assert_eq!(answer!(app, with(&token[1..])), forbidden());
    assert_eq!(
        answer!(app, transfer(&[("cookie", &cookie)], "")),
        forbidden(),
        "no token"
    );
    // In a form field: the handler gets the whole form.
    let body = format!("amount=5&csrf_token={token}&to=bob");
    assert_eq!(
        answer!(app, transfer(&[("cookie", &cookie), FORM], &body)),
        done(&body)
    );
    let wrong = format!("amount=5&csrf_token={}", &token[1..]);
    assert_eq!(
        answer!(app, transfer(&[("cookie", &cookie), FORM], &wrong)),
        forbidden()
    );
    // The token without the session's cookie is worth nothing.
    assert_eq!(
        answer!(app, transfer(&[("x-csrf-token", &token)], "")),
        forbidden()
    );
    assert_eq!(transfers.load(Ordering::SeqCst), 2);
}

#[actix_web::test]
async fn a_session_without_a_token_accepts_none_and_an_oversized_form_is_answered_413() {
    let (app, transfers) = service!(CsrfMiddleware::default().max_form_len(100));
    let response = call_service(&app, get("/visit", None).to_request()).await;
    let visited = pair(&one_set_cookie(&response));
    let headers = [("cookie", visited.as_str()), FORM];
    assert_eq!(answer!(app, transfer(&headers, "csrf_token=")), forbidden());

    let (token, cookie) = token_and_cookie!(app);
    let headers = [("cookie", cookie.as_str()), FORM];
    let fits = format!("csrf_token={token}");
    assert_eq!(answer!(app, transfer(&headers, &fits)), done(&fits));
    let large = format!("csrf_token={token}&pad={}", "x".repeat(100));
    assert_eq!(answer!(app, transfer(&headers, &large)).0, 413);
    assert_eq!(transfers.load(Ordering::SeqCst), 1);
}

struct Flashes;
impl SessionName for Flashes {
    const NAME: &'static str = "flash";
}

#[actix_web::test]
async fn with_several_session_middlewares_the_token_lives_in_the_named_one() {
    let transfers = Arc::new(AtomicUsize::new(0));
    let app = init_service(
        App::new()
            .configure(routes(Arc::clone(&transfers)))
            .wrap(CsrfMiddleware::default().session::<NamedSession<DefaultName>>())
            .wrap(SessionMiddleware::new(Sealer::new(key_a())))
            .wrap(SessionMiddleware::new(
                Sealer::new(key_b()).cookie_name("flash"),
            )),
    )
    .await;
    let response = call_service(&app, get("/form", None).to_request()).await;
    let cookie = pair(&one_set_cookie(&response));
    assert!(cookie.starts_with("__Host-session="), "{cookie}");
    let (_, token) = status_text(response).await;
    let request = transfer(&[("cookie", &cookie), ("x-csrf-token", &token)], "");
    assert_eq!(answer!(app, request), done(""));

    // Told to use the other one, it keeps the token there.
    let app = init_service(
        App::new()
            .configure(routes(Arc::clone(&transfers)))
            .wrap(CsrfMiddleware::default().session::<NamedSession<Flashes>>())
            .wrap(SessionMiddleware::new(Sealer::new(key_a())))
            .wrap(SessionMiddleware::new(
                Sealer::new(key_b()).cookie_name("flash"),
            )),
    )
    .await;
    let response = call_service(&app, get("/form", None).to_request()).await;
    let cookie = pair(&one_set_cookie(&response));
    assert!(cookie.starts_with("flash="), "{cookie}");
    assert_eq!(transfers.load(Ordering::SeqCst), 1);
}

#[actix_web::test]
async fn without_its_session_middleware_every_request_is_answered_500_naming_it() {
    let transfers = Arc::new(AtomicUsize::new(0));
    let app = init_service(
        App::new()
            .configure(routes(Arc::clone(&transfers)))
            .wrap(CsrfMiddleware::default()),
    )
    .await;
    let (status, body) = answer!(app, get("/visit", None));
    assert_eq!(status, 500);
    assert!(
        body.contains("CsrfMiddleware") && body.contains("SessionMiddleware"),
        "{body}"
    );

    // The token extractor without the CSRF middleware.
    let app = init_service(
        App::new()
            .configure(routes(Arc::clone(&transfers)))
            .wrap(SessionMiddleware::new(named(key_a()))),
    )
    .await;
    let (status, body) = answer!(app, get("/form", None));
    assert_eq!(status, 500);
    assert!(body.contains("CsrfToken needs CsrfMiddleware"), "{body}");
    assert_eq!(transfers.load(Ordering::SeqCst), 0);
}
