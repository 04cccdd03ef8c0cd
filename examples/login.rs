//! Log in, see who you are, log out: a login session plus a short-lived `flash` session.
//!
//! ```text
//! cargo run --example login
//! curl -c jar -b jar 'http://127.0.0.1:3000/login?user=ada'               # {"user":"ada"}
//! curl -c jar -b jar  http://127.0.0.1:3000/me      # {"user":"ada","flash":"welcome, ada"}
//! curl -c jar -b jar  http://127.0.0.1:3000/logout                        # 204
//! curl -c jar -b jar  http://127.0.0.1:3000/me                            # 401
//! ```
//!
//! `&remember=1` makes the login cookie persistent (it survives a browser restart until the
//! session's deadline) for that login only. Keys come from `SESSION_KEYS` as in the counter
//! example; `PORT` changes the port.

use std::time::Duration;

use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
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
        .route("/login", get(login_route))
        .route("/me", get(me))
        .route("/logout", get(logout))
        .layer(SessionLayer::new(login))
        .layer(SessionLayer::new(flash))
}

#[derive(Deserialize)]
struct LoginQuery {
    user: String,
    #[serde(default)]
    remember: Option<String>,
}

fn internal(e: impl std::fmt::Display) -> Response {
    (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response()
}

async fn login_route(
    session: LoginSession,
    flash: FlashSession,
    Query(query): Query<LoginQuery>,
) -> Response {
    let user = query.user.trim();
    if user.is_empty() || user.len() > 64 {
        return (StatusCode::BAD_REQUEST, "user must be 1 to 64 bytes").into_response();
    }
    // A login is a change of privilege: start a new session rather than extend the old one.
    session.regenerate(&[]);
    if let Err(e) = session.insert("user", user) {
        return internal(e);
    }
    if query.remember.as_deref() == Some("1") {
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

async fn logout(session: LoginSession) -> StatusCode {
    session.destroy();
    StatusCode::NO_CONTENT
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    support::init_tracing();
    let keys = support::keys_from_env()?;
    let listener = support::listen("login example", 3000).await?;
    axum::serve(listener, app(keys)).await?;
    Ok(())
}
