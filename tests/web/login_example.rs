//! The login example (`examples/login.rs`) through its real layers, in process: a form with
//! its CSRF token, a new session at login, flash messages shown once, `/me` for scripts,
//! logout by POST.

use axum::http::StatusCode;
use axum::Router;
use sealed_session::KeyRing;

use common::{attribute, key_a, pair, send, set_cookies, status_text};

/// POST `body` (a form) to `uri` through `app`, with an optional `Cookie` header and
/// `Sec-Fetch-Site`.
async fn post_form(
    app: &Router,
    uri: &str,
    body: &str,
    cookie: Option<&str>,
    fetch_site: Option<&str>,
) -> axum::response::Response {
    let mut request =
        axum::http::Request::post(uri).header("content-type", "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    if let Some(site) = fetch_site {
        request = request.header("sec-fetch-site", site);
    }
    let request = request
        .body(axum::body::Body::from(body.to_owned()))
        .unwrap();
    common::oneshot(app, request).await
}

/// What a browser holds: the cookie it was last given.
struct Browser {
    cookie: Option<String>,
}

impl Browser {
    fn keep(&mut self, response: &axum::response::Response) {
        if let Some(set_cookie) = set_cookies(response).last() {
            self.cookie = Some(pair(set_cookie));
        }
    }

    async fn get(&mut self, app: &Router, uri: &str) -> (StatusCode, String) {
        let response = send(app, uri, self.cookie.as_deref()).await;
        self.keep(&response);
        status_text(response).await
    }

    async fn post(&mut self, app: &Router, uri: &str, body: &str) -> axum::response::Response {
        let response = post_form(app, uri, body, self.cookie.as_deref(), Some("same-origin")).await;
        self.keep(&response);
        response
    }
}

/// The token the page embeds in its forms.
fn token_in(page: &str) -> String {
    let start = page
        .find(r#"name="csrf_token" value=""#)
        .expect("a CSRF field")
        + 25;
    page[start..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn the_login_example_signs_in_with_its_form_shows_its_flash_once_and_signs_out() {
    let app = crate::login::app(KeyRing::new(key_a()));
    let mut browser = Browser { cookie: None };
    let (status, body) = browser.get(&app, "/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body, r#"{"error":"not signed in"}"#);

    let (_, page) = browser.get(&app, "/").await;
    assert!(page.contains(r#"id="login""#), "{page}");
    let token = token_in(&page);
    let form = format!("name=ada&password=lovelace&remember=1&csrf_token={token}");
    let response = browser.post(&app, "/login", &form).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    // "Remember me": a persistent cookie.
    let set_cookie = set_cookies(&response).pop().unwrap();
    assert!(attribute(&set_cookie, "Max-Age").is_some(), "{set_cookie}");

    let (_, page) = browser.get(&app, "/").await;
    assert!(page.contains("Signed in as ada."), "{page}");
    assert!(
        page.contains(r#"<p class="flash success">Welcome, ada.</p>"#),
        "{page}"
    );
    // The token changed at login: the new session has a new secret.
    assert_ne!(token_in(&page), token);
    let (_, again) = browser.get(&app, "/").await;
    assert!(!again.contains("Welcome"), "shown twice: {again}");
    let (status, body) = browser.get(&app, "/me").await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::OK, r#"{"user":"ada"}"#)
    );

    let form = format!("csrf_token={}", token_in(&again));
    let response = browser.post(&app, "/logout", &form).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, page) = browser.get(&app, "/").await;
    assert!(
        page.contains(r#"<p class="flash info">Signed out.</p>"#),
        "{page}"
    );
    assert!(page.contains(r#"id="login""#), "{page}");
    let (status, _) = browser.get(&app, "/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_wrong_password_signs_no_one_in_and_says_so_once() {
    let app = crate::login::app(KeyRing::new(key_a()));
    let mut browser = Browser { cookie: None };
    let (_, page) = browser.get(&app, "/").await;
    let form = format!("name=ada&password=wrong&csrf_token={}", token_in(&page));
    assert_eq!(
        browser.post(&app, "/login", &form).await.status(),
        StatusCode::SEE_OTHER
    );
    let (_, page) = browser.get(&app, "/").await;
    assert!(
        page.contains(r#"<p class="flash error">Wrong name or password.</p>"#),
        "{page}"
    );
    assert!(page.contains(r#"id="login""#), "{page}");
    assert_eq!(browser.get(&app, "/me").await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_login_example_changes_sessions_only_by_post_from_its_own_site() {
    let app = crate::login::app(KeyRing::new(key_a()));
    // GET is not a way to sign in or out.
    for uri in ["/login?name=ada&password=lovelace", "/logout"] {
        let (status, _) = status_text(send(&app, uri, None).await).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{uri}");
    }
    // A form another site submits (a login CSRF: signing the visitor in to the attacker's
    // account needs no cookie) is refused, and sets no cookie.
    for site in ["cross-site", "same-site"] {
        let response = post_form(
            &app,
            "/login",
            "name=ada&password=lovelace",
            None,
            Some(site),
        )
        .await;
        assert!(set_cookies(&response).is_empty());
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{site}");
    }
    // A client without Fetch Metadata needs the page's token.
    let response = post_form(&app, "/login", "name=ada&password=lovelace", None, None).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}
