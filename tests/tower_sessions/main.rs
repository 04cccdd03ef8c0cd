//! axum-login over sealed cookies: the example's app on real servers on loopback, driven by
//! reqwest with a cookie jar, as a browser would.
#![cfg(feature = "tower-sessions")]

use std::sync::Arc;
use std::time::Duration;

use axum::routing::{get, post};
use axum::{Extension, Router};
use reqwest::cookie::{CookieStore as _, Jar};
use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::StatusCode;
use sealed_session::{
    ConfigError, Json, Key, KeyRing, OnSaveError, SealedSessionManagerLayer, Sealer, SessionCookie,
    MAX_COOKIE_SIZE,
};
use tower_sessions::cookie::time;
use tower_sessions::Expiry;

use common::{key_a, key_b, sealer_at, serve, Server};

// The example, compiled in so that the tests drive the exact code it shows.
#[path = "../../examples/axum_login.rs"]
#[allow(
    dead_code,
    clippy::duplicate_mod,
    reason = "the example's main runs only as the example; each example brings examples/support"
)]
mod example;

use example::Users;

/// The example's routes, and two a test needs: `/visit` starts an anonymous session, and
/// `/session-id` tells the tower-sessions id.
fn routes() -> Router {
    example::routes()
        .route(
            "/visit",
            post(
                |Extension(session): Extension<tower_sessions::Session>| async move {
                    session.insert("visited", true).await.unwrap();
                    "visited"
                },
            ),
        )
        .route(
            "/big",
            post(
                |Extension(session): Extension<tower_sessions::Session>| async move {
                    session.insert("notes", "n".repeat(6_000)).await.unwrap();
                    "stored"
                },
            ),
        )
        .route(
            "/big-len",
            get(
                |Extension(session): Extension<tower_sessions::Session>| async move {
                    let notes: Option<String> = session.get("notes").await.unwrap();
                    notes.map_or(0, |n| n.len()).to_string()
                },
            ),
        )
        .route(
            "/forget-on-close",
            post(
                |Extension(session): Extension<tower_sessions::Session>| async move {
                    session.set_expiry(Some(Expiry::OnSessionEnd));
                    "until the browser closes"
                },
            ),
        )
        .route(
            "/session-id",
            get(
                |Extension(session): Extension<tower_sessions::Session>| async move {
                    session.id().map(|id| id.to_string()).unwrap_or_default()
                },
            ),
        )
}

/// The example's app (and the test routes) over `keys`, with the users of `users`.
async fn server_with(keys: KeyRing, users: Users) -> Server {
    serve(example::with_auth(routes(), example::sessions(keys), users)).await
}

async fn server(keys: KeyRing) -> Server {
    server_with(keys, Users::demo()).await
}

/// A browser: a client and its cookie jar.
struct Browser {
    client: reqwest::Client,
    jar: Arc<Jar>,
}

impl Browser {
    fn new() -> Self {
        let jar = Arc::new(Jar::default());
        let client = reqwest::Client::builder()
            .cookie_provider(Arc::clone(&jar))
            .timeout(Duration::from_secs(10))
            .no_proxy()
            .build()
            .unwrap();
        Self { client, jar }
    }

    /// The `Cookie` header the browser sends to `server`.
    fn cookies(&self, server: &Server) -> String {
        self.jar
            .cookies(&server.url.parse().unwrap())
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    }

    async fn get(&self, server: &Server, path: &str) -> (StatusCode, String) {
        let response = self
            .client
            .get(format!("{}{path}", server.url))
            .send()
            .await
            .unwrap();
        (response.status(), response.text().await.unwrap())
    }

    async fn post(&self, server: &Server, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", server.url))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    async fn login(&self, server: &Server, password: &str) -> StatusCode {
        self.post(server, "/login", &[("name", "ada"), ("password", password)])
            .await
            .status()
    }
}

/// `/me` with exactly `cookie` and no jar: the status and the `Set-Cookie` lines.
async fn me_with(server: &Server, cookie: &str) -> (StatusCode, Vec<String>) {
    let response = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .get(format!("{}/me", server.url))
        .header(COOKIE, cookie)
        .send()
        .await
        .unwrap();
    let set = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    (response.status(), set)
}

fn one_key(key: Key) -> KeyRing {
    KeyRing::new(key)
}

#[tokio::test]
async fn the_protected_route_refuses_a_visitor_who_has_not_signed_in() {
    let server = server(one_key(key_a())).await;
    let browser = Browser::new();
    assert_eq!(
        browser.get(&server, "/me").await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(browser.cookies(&server), "", "no session, no cookie");
}

#[tokio::test]
async fn a_wrong_password_is_refused_and_leaves_the_visitor_signed_out() {
    let server = server(one_key(key_a())).await;
    let browser = Browser::new();
    assert_eq!(
        browser.login(&server, "babbage").await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        browser.get(&server, "/me").await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_right_password_signs_in_and_the_protected_route_then_works() {
    let server = server(one_key(key_a())).await;
    let browser = Browser::new();
    assert_eq!(browser.login(&server, "lovelace").await, StatusCode::OK);
    assert_eq!(
        browser.get(&server, "/me").await,
        (StatusCode::OK, "signed in as ada".to_owned())
    );
    let cookie = browser.cookies(&server);
    assert!(cookie.starts_with("__Host-session="), "{cookie}");
    // Sealed: neither the user nor axum-login's key is readable in it.
    assert!(!cookie.contains("ada") && !cookie.contains("axum-login"));
}

#[tokio::test]
async fn a_request_that_changes_nothing_sends_no_cookie() {
    let server = server(one_key(key_a())).await;
    let browser = Browser::new();
    browser.login(&server, "lovelace").await;
    let (status, set) = me_with(&server, &browser.cookies(&server)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(set.is_empty(), "{set:?}");
}

#[tokio::test]
async fn signing_in_gives_a_new_session_id_and_the_session_from_before_stays_anonymous() {
    let server = server(one_key(key_a())).await;
    let browser = Browser::new();
    // A session from before the login, which an attacker could have planted and kept.
    browser.post(&server, "/visit", &[]).await;
    let planted = browser.cookies(&server);
    let (_, before) = browser.get(&server, "/session-id").await;
    assert!(!before.is_empty(), "the visit started a session");

    assert_eq!(browser.login(&server, "lovelace").await, StatusCode::OK);
    let (_, after) = browser.get(&server, "/session-id").await;
    assert!(!after.is_empty());
    assert_ne!(before, after, "the id changes at login");
    assert_ne!(planted, browser.cookies(&server));
    // The copy of the planted session does not sign anyone in.
    assert_eq!(me_with(&server, &planted).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn signing_out_ends_the_session_and_removes_the_cookie() {
    let server = server(one_key(key_a())).await;
    let browser = Browser::new();
    browser.login(&server, "lovelace").await;
    let response = browser.post(&server, "/logout", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let removal = response.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    assert!(removal.starts_with("__Host-session=;"), "{removal}");
    assert!(removal.contains("Max-Age=0"), "{removal}");
    assert_eq!(browser.cookies(&server), "");
    assert_eq!(
        browser.get(&server, "/me").await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn changing_the_password_signs_out_the_users_other_cookies() {
    let server = server(one_key(key_a())).await;
    let (laptop, phone) = (Browser::new(), Browser::new());
    laptop.login(&server, "lovelace").await;
    phone.login(&server, "lovelace").await;
    assert_eq!(phone.get(&server, "/me").await.0, StatusCode::OK);

    let changed = laptop
        .post(&server, "/password", &[("password", "analytical")])
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert_eq!(laptop.get(&server, "/me").await.0, StatusCode::OK);
    assert_eq!(phone.get(&server, "/me").await.0, StatusCode::UNAUTHORIZED);
    // axum-login flushed the stale session: the phone's cookie is gone.
    assert_eq!(phone.cookies(&server), "");
    assert_eq!(
        phone.login(&server, "lovelace").await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(phone.login(&server, "analytical").await, StatusCode::OK);
}

#[tokio::test]
async fn two_instances_with_one_key_list_serve_the_same_user() {
    let keys = KeyRing::from_keys([key_a(), key_b()])
        .unwrap()
        .to_base64_list();
    let one = server(KeyRing::from_base64_list(&keys).unwrap()).await;
    let two = server(KeyRing::from_base64_list(&keys).unwrap()).await;
    // Both on 127.0.0.1: one jar serves both, as a browser behind a load balancer.
    let browser = Browser::new();
    assert_eq!(browser.login(&one, "lovelace").await, StatusCode::OK);
    assert_eq!(browser.get(&two, "/me").await.0, StatusCode::OK);
    assert_eq!(
        browser.post(&two, "/logout", &[]).await.status(),
        StatusCode::OK
    );
    assert_eq!(browser.get(&one, "/me").await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_tampered_cookie_is_a_signed_out_visitor_not_an_error() {
    let server = server(one_key(key_a())).await;
    let browser = Browser::new();
    browser.login(&server, "lovelace").await;
    let cookie = browser.cookies(&server);
    let mut tampered = cookie.clone().into_bytes();
    let last = tampered.len() - 1;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    assert_eq!(me_with(&server, &cookie).await.0, StatusCode::OK);
    let (status, set) = me_with(&server, &tampered).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        set.is_empty(),
        "nothing changed, so nothing is sent: {set:?}"
    );
}

#[tokio::test]
async fn a_cookie_of_a_previous_key_is_resealed_and_one_of_a_removed_key_opens_nothing() {
    let old = server(one_key(key_a())).await;
    let browser = Browser::new();
    browser.login(&old, "lovelace").await;
    let cookie = browser.cookies(&old);

    // Rotated: key b seals, key a still opens, and the cookie comes back under key b.
    let rotated = server(KeyRing::from_keys([key_b(), key_a()]).unwrap()).await;
    let (status, set) = me_with(&rotated, &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(set.len(), 1, "re-sealed under the primary key: {set:?}");
    let resealed = set[0].split(';').next().unwrap().to_owned();

    // Key a removed: the re-sealed cookie still signs in, the old one does not.
    let b_only = server(one_key(key_b())).await;
    assert_eq!(me_with(&b_only, &resealed).await.0, StatusCode::OK);
    assert_eq!(me_with(&b_only, &cookie).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn on_inactivity_is_the_sealers_idle_timeout_and_the_cookie_persists() {
    let (sealer, clock) = sealer_at(key_a());
    let sessions = SealedSessionManagerLayer::new(sealer.codec(Json))
        .with_expiry(Expiry::OnInactivity(time::Duration::minutes(10)));
    let server = serve(example::with_auth(routes(), sessions, Users::demo())).await;
    let response = Browser::new()
        .post(
            &server,
            "/login",
            &[("name", "ada"), ("password", "lovelace")],
        )
        .await;
    let set = response.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    assert!(set.contains("Max-Age=600"), "{set}");
    let cookie = set.split(';').next().unwrap().to_owned();

    clock.advance(Duration::from_secs(9 * 60));
    assert_eq!(me_with(&server, &cookie).await.0, StatusCode::OK);
    clock.advance(Duration::from_secs(11 * 60));
    assert_eq!(me_with(&server, &cookie).await.0, StatusCode::UNAUTHORIZED);
}

#[test]
fn an_expiry_at_a_fixed_date_is_refused_with_a_reason() {
    let layer = SealedSessionManagerLayer::new(Sealer::with_codec(key_a(), Json));
    let at = time::OffsetDateTime::now_utc() + time::Duration::days(1);
    match layer.try_with_expiry(Expiry::AtDateTime(at)) {
        Err(e @ ConfigError::UnsupportedExpiry { .. }) => {
            assert!(e.to_string().contains("max_lifetime"), "{e}")
        }
        other => panic!("not refused: {other:?}"),
    }
    let layer = SealedSessionManagerLayer::new(Sealer::with_codec(key_a(), Json));
    assert!(layer
        .try_with_expiry(Expiry::OnInactivity(time::Duration::ZERO))
        .is_err());
}

#[tokio::test]
async fn signing_in_starts_the_absolute_lifetime_again() {
    let (sealer, clock) = sealer_at(key_a());
    let sealer = sealer.codec(Json).max_lifetime(Duration::from_secs(3600));
    let sessions = SealedSessionManagerLayer::new(sealer);
    let server = serve(example::with_auth(routes(), sessions, Users::demo())).await;
    let browser = Browser::new();
    browser.post(&server, "/visit", &[]).await;
    clock.advance(Duration::from_secs(50 * 60));
    assert_eq!(browser.login(&server, "lovelace").await, StatusCode::OK);
    // An hour after the visit, but 20 minutes after the login: the session counts from the
    // login.
    clock.advance(Duration::from_secs(20 * 60));
    assert_eq!(browser.get(&server, "/me").await.0, StatusCode::OK);
    clock.advance(Duration::from_secs(45 * 60));
    assert_eq!(
        browser.get(&server, "/me").await.0,
        StatusCode::UNAUTHORIZED
    );
}

async fn server_of(sessions: SealedSessionManagerLayer) -> Server {
    serve(example::with_auth(routes(), sessions, Users::demo())).await
}

#[tokio::test]
async fn a_session_the_validator_refuses_is_signed_out_and_its_cookie_removed() {
    let refuse_all = SealedSessionManagerLayer::new(Sealer::with_codec(key_a(), Json))
        .validator(|_session| async { false });
    let accepting = server(one_key(key_a())).await;
    let refusing = server_of(refuse_all).await;
    let browser = Browser::new();
    browser.login(&accepting, "lovelace").await;
    let cookie = browser.cookies(&accepting);
    let (status, set) = me_with(&refusing, &cookie).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(set.len(), 1, "{set:?}");
    assert!(set[0].starts_with("__Host-session=;") && set[0].contains("Max-Age=0"));
}

#[tokio::test]
async fn a_record_too_large_for_one_cookie_is_not_saved_and_can_answer_500() {
    let browser = Browser::new();
    let server = server(one_key(key_a())).await;
    let response = browser.post(&server, "/big", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().get(SET_COOKIE).is_none());

    let strict = SealedSessionManagerLayer::new(Sealer::with_codec(key_a(), Json))
        .on_save_error(OnSaveError::ServerError);
    let strict = server_of(strict).await;
    let response = browser.post(&strict, "/big", &[]).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn a_chunked_cookie_carries_a_large_record() {
    let sealer = Sealer::with_codec(key_a(), Json).max_cookie_size(3 * MAX_COOKIE_SIZE);
    let sessions = SealedSessionManagerLayer::from_cookie(SessionCookie::chunked(sealer, 3));
    let server = server_of(sessions).await;
    let browser = Browser::new();
    let response = browser.post(&server, "/big", &[]).await;
    let chunks = response.headers().get_all(SET_COOKIE).iter().count();
    assert!(chunks > 1, "{chunks} cookie(s)");
    assert_eq!(
        browser.get(&server, "/big-len").await,
        (StatusCode::OK, "6000".to_owned())
    );
}

#[tokio::test]
async fn a_session_that_chooses_on_session_end_gets_a_browser_session_cookie() {
    // The example's layer keeps cookies for a week of inactivity.
    let server = server(one_key(key_a())).await;
    let browser = Browser::new();
    let login = browser
        .post(
            &server,
            "/login",
            &[("name", "ada"), ("password", "lovelace")],
        )
        .await;
    let set = login.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    assert!(set.contains("Max-Age="), "{set}");
    let response = browser.post(&server, "/forget-on-close", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let set = response.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    assert!(!set.contains("Max-Age="), "{set}");
    assert_eq!(browser.get(&server, "/me").await.0, StatusCode::OK);
}
