//! A login page as an app would have it: a form that posts the credentials with its CSRF token,
//! a new session at login, the signed-in user in a `TypedSession`, flash messages after login
//! and logout, `/me` for scripts, logout by POST.
//!
//! ```text
//! cargo run --example login          # then open http://127.0.0.1:3000 (user ada, password lovelace)
//! curl -s http://127.0.0.1:3000/me   # {"error":"not signed in"}, 401
//! ```
//!
//! - Every state change is a POST, checked by `CsrfLayer`: the browser's Fetch Metadata first
//!   (a form posted from another site is refused), then, for clients without it, the token the
//!   page embeds. A GET that changed state could be triggered by any link on any site.
//! - Signing in regenerates the session: a new start time, and a new CSRF secret, so nothing a
//!   visitor learned before the login is worth anything after it.
//! - "Remember me" makes the cookie outlive the browser: the choice is sealed with the session
//!   and kept by every later cookie of it. Signing out regenerates the session, which ends it.
//! - Signing out ends the session in this browser; a copy of its cookie taken before still
//!   opens until its deadline. To end those too, add a validator with a per-user stamp
//!   (`examples/revocation.rs`).
//! - Keys come from `SESSION_KEYS` as in the counter example; `PORT` changes the port.

use std::time::Duration;

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use sealed_session::{
    CookieExpiry, CsrfLayer, CsrfToken, Flash, KeyRing, Sealer, Session, SessionLayer, TypedSession,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

// Start-up shared by the server examples; each uses part of it.
#[allow(dead_code)]
mod support;

/// Who is signed in: what the session holds for them.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct User {
    /// The name they signed in with.
    pub name: String,
}

/// The app: the page `/`, `/login`, `/logout`, and `/me` for scripts.
pub fn app(keys: KeyRing) -> Router {
    let sealer = Sealer::new(keys)
        .max_lifetime(Duration::from_secs(30 * 24 * 60 * 60))
        .idle_timeout(Duration::from_secs(7 * 24 * 60 * 60));
    Router::new()
        .route("/", get(page))
        .route("/login", post(login))
        .route("/logout", post(logout))
        .route("/me", get(me))
        // Inside the session layer: the CSRF layer keeps its secret in that session.
        .layer(CsrfLayer::default())
        .layer(SessionLayer::new(sealer))
}

/// The account whose name and password these are, as the app's records hold it (its own id
/// and spelling, never the one typed). The demo has one; a real app looks the name up and
/// checks a password hash (Argon2id, say), hashing a dummy password for an unknown name too,
/// so that the time taken does not tell which names exist.
fn check_password(name: &str, password: &str) -> Option<User> {
    (name.eq_ignore_ascii_case("ada") && password == "lovelace").then(|| User {
        name: "ada".to_owned(),
    })
}

#[derive(Deserialize)]
struct LoginForm {
    name: String,
    password: String,
    #[serde(default)]
    remember: Option<String>,
}

/// The page: who is signed in and a logout button, or the login form; and the flash messages
/// left by the last POST, shown once.
async fn page(user: TypedSession<User>, flash: Flash, token: CsrfToken) -> Response {
    let mut html = String::from("<!doctype html><title>login example</title>");
    for message in flash.take().unwrap_or_default() {
        html.push_str(&format!(
            r#"<p class="flash {}">{}</p>"#,
            message.level,
            escape(&message.text)
        ));
    }
    match user.get() {
        Ok(Some(user)) => html.push_str(&format!(
            r#"<p>Signed in as {}.</p>
               <form method="post" action="/logout">{}<button id="logout">Sign out</button></form>"#,
            escape(&user.name),
            token.hidden_input()
        )),
        _ => html.push_str(&format!(
            r#"<form method="post" action="/login">{}
               <label>Name <input id="name" name="name"></label>
               <label>Password <input id="password" name="password" type="password"></label>
               <label><input id="remember" name="remember" type="checkbox" value="1"> Remember me</label>
               <button id="login">Sign in</button></form>"#,
            token.hidden_input()
        )),
    }
    Html(html).into_response()
}

async fn login(
    session: Session,
    user: TypedSession<User>,
    flash: Flash,
    Form(form): Form<LoginForm>,
) -> Response {
    let Some(signed_in) = check_password(&form.name, &form.password) else {
        return match flash.error("Wrong name or password.") {
            Ok(()) => Redirect::to("/").into_response(),
            Err(e) => internal(e),
        };
    };
    // A change of privilege: a new session (and CSRF secret), not the old one extended.
    session.regenerate(&[]);
    if form.remember.as_deref() == Some("1") {
        session.set_cookie_expiry(CookieExpiry::UntilSessionExpires);
    }
    let welcome = format!("Welcome, {}.", signed_in.name);
    match user.set(&signed_in).and_then(|()| flash.success(welcome)) {
        Ok(()) => Redirect::to("/").into_response(),
        Err(e) => internal(e),
    }
}

async fn logout(session: Session, flash: Flash) -> Response {
    // A new, empty session: the user and the CSRF secret go, the goodbye stays for one page.
    session.regenerate(&[]);
    match flash.info("Signed out.") {
        Ok(()) => Redirect::to("/").into_response(),
        Err(e) => internal(e),
    }
}

/// Who is signed in, for scripts: `401` with a JSON error when no one is.
async fn me(user: Option<TypedSession<User>>) -> Response {
    match user.and_then(|user| user.get().ok().flatten()) {
        Some(user) => Json(json!({ "user": user.name })).into_response(),
        None => (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "error": "not signed in" })),
        )
            .into_response(),
    }
}

fn internal(e: impl std::fmt::Display) -> Response {
    (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response()
}

/// `text` for an HTML page: the five characters that could end an element or attribute.
fn escape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '&' => "&amp;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&#39;".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

#[tokio::main]
async fn main() -> Result<(), support::Failure> {
    support::init_tracing();
    let keys = support::keys_from_env()?;
    let listener = support::listen("login example", 3000).await?;
    axum::serve(listener, app(keys)).await?;
    Ok(())
}
