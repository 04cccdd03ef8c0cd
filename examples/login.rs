//! Log in, see who you are, log out: a login session plus a short-lived `flash` session.
//!
//! ```text
//! cargo run --example login
//! curl -c jar -b jar -d user=ada http://127.0.0.1:3000/login              # {"user":"ada"}
//! curl -c jar -b jar  http://127.0.0.1:3000/me      # {"user":"ada","flash":"welcome, ada"}
//! curl -c jar -b jar -X POST http://127.0.0.1:3000/logout                 # 204
//! curl -c jar -b jar  http://127.0.0.1:3000/me                            # 401
//! ```
//!
//! Logging in and out change who the browser is, so both are POST, never GET: a `SameSite=Lax`
//! cookie still goes with a cross-site GET navigation, so a GET `/logout` could be triggered by
//! any link or image on any site, and a GET `/login?user=...` would let another site sign the
//! visitor in to an account of its choosing (login CSRF). A cross-site form can still POST, so
//! the two routes also refuse requests the browser marks as coming from another site
//! (`Sec-Fetch-Site`).
//!
//! `remember=1` makes the login cookie persistent (it survives a browser restart until the
//! session's deadline) for that login only. Keys come from `SESSION_KEYS` as in the counter
//! example; `PORT` changes the port.

use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use sealed_session::{
    CookieExpiry, DefaultName, KeyRing, NamedSession, Sealer, SessionLayer, SessionName,
};
use serde::Deserialize;
use serde_json::json;

// Start-up shared by the server examples; each uses part of it.
#[allow(dead_code)]
mod support;

/// The short-lived session for one-time messages.
pub struct Flash;
impl SessionName for Flash {
    const NAME: &'static str = "flash";
}

type LoginSession = NamedSession<DefaultName>;
type FlashSession = NamedSession<Flash>;

/// The app: `/login`, `/me`, `/logout`.
pub fn app(keys: KeyRing) -> Router {
    let login = Sealer::new(keys.clone())
        .max_lifetime(Duration::from_secs(7 * 24 * 60 * 60))
        .idle_timeout(Duration::from_secs(24 * 60 * 60));
    let flash = Sealer::new(keys)
        .cookie_name("flash")
        .max_lifetime(Duration::from_secs(5 * 60));
    Router::new()
        .route("/login", post(login_route))
        .route("/me", get(me))
        .route("/logout", post(logout))
        .layer(SessionLayer::new(login))
        .layer(SessionLayer::new(flash))
}

#[derive(Deserialize)]
struct LoginForm {
    user: String,
    #[serde(default)]
    remember: Option<String>,
}

/// Whether the browser says the request came from another site (`Sec-Fetch-Site` is
/// `cross-site` or `same-site`). Clients that send no such header (curl, old browsers) pass.
fn from_another_site(headers: &HeaderMap) -> bool {
    headers
        .get("sec-fetch-site")
        .is_some_and(|site| site == "cross-site" || site == "same-site")
}

fn forbidden() -> Response {
    (StatusCode::FORBIDDEN, "cross-site request refused").into_response()
}

fn internal(e: impl std::fmt::Display) -> Response {
    (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response()
}

async fn login_route(
    session: LoginSession,
    flash: FlashSession,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    if from_another_site(&headers) {
        return forbidden();
    }
    let user = form.user.trim();
    if user.is_empty() || user.len() > 64 {
        return (StatusCode::BAD_REQUEST, "user must be 1 to 64 bytes").into_response();
    }
    // A login is a change of privilege: start a new session rather than extend the old one.
    session.regenerate(&[]);
    if let Err(e) = session.insert("user", user) {
        return internal(e);
    }
    if form.remember.as_deref() == Some("1") {
        session.set_cookie_expiry(CookieExpiry::UntilSessionExpires);
    }
    if let Err(e) = flash.insert("message", format!("welcome, {user}")) {
        return internal(e);
    }
    Json(json!({ "user": user })).into_response()
}

async fn me(session: LoginSession, flash: FlashSession) -> Response {
    match session.get::<String>("user") {
        Ok(Some(user)) => {
            let message = flash.take::<String>("message").ok().flatten();
            Json(json!({ "user": user, "flash": message })).into_response()
        }
        Ok(None) | Err(_) => (StatusCode::UNAUTHORIZED, "not logged in").into_response(),
    }
}

async fn logout(session: LoginSession, headers: HeaderMap) -> Response {
    if from_another_site(&headers) {
        return forbidden();
    }
    session.destroy();
    StatusCode::NO_CONTENT.into_response()
}

#[tokio::main]
async fn main() -> Result<(), support::Failure> {
    support::init_tracing();
    let keys = support::keys_from_env()?;
    let listener = support::listen("login example", 3000).await?;
    axum::serve(listener, app(keys)).await?;
    Ok(())
}
