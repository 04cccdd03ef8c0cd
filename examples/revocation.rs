//! Revoking sessions without a session store: a per-user stamp kept in the app's own user
//! table, copied into the session at login and checked by the layer's validator.
//!
//! ```text
//! cargo run --example revocation
//! # Two devices log in as ada:
//! curl -c phone  -b phone  'http://127.0.0.1:3000/login?user=ada'      # {"user":"ada"}
//! curl -c laptop -b laptop 'http://127.0.0.1:3000/login?user=ada'      # {"user":"ada"}
//! # The laptop logs ada out everywhere (say, after losing the phone):
//! curl -c laptop -b laptop  http://127.0.0.1:3000/logout-everywhere    # 204
//! curl -c phone  -b phone   http://127.0.0.1:3000/me                   # 401: revoked
//! curl -c laptop -b laptop  http://127.0.0.1:3000/me                   # 401: logged out
//! ```
//!
//! A changed password works the same way (`/password` bumps the stamp, so every other device
//! is logged out, and re-stamps the session that made the change, so it stays in). The cookie
//! still opens after revocation, since nothing about it changed: the validator is what rejects
//! it, with one indexed lookup per request. To log out *everyone* at once instead (a leaked
//! database, a security fix), `Sealer::invalidate_before(now)` needs no lookup at all.
//!
//! Keys come from `SESSION_KEYS` (comma-separated base64 keys, newest first); `PORT` changes
//! the port.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use sealed_session::{KeyRing, Sealer, Session, SessionLayer};
use serde::Deserialize;
use serde_json::json;

// Start-up shared by the server examples; each uses part of it.
#[allow(dead_code)]
mod support;

/// The app's user table, reduced to what revocation needs: each user's current session stamp.
/// In a real app this is a column of the users table (`session_stamp BIGINT`), read with an
/// indexed query, perhaps behind a short-lived cache.
#[derive(Clone, Default)]
pub struct Users {
    stamps: Arc<RwLock<HashMap<String, u64>>>,
}

impl Users {
    /// The user's current stamp, creating the user (stamp 1) on first sight.
    pub async fn stamp_for_login(&self, user: &str) -> u64 {
        let mut stamps = self.stamps.write().unwrap_or_else(|e| e.into_inner());
        *stamps.entry(user.to_owned()).or_insert(1)
    }

    /// The user's current stamp, if the user exists.
    pub async fn stamp(&self, user: &str) -> Option<u64> {
        let stamps = self.stamps.read().unwrap_or_else(|e| e.into_inner());
        stamps.get(user).copied()
    }

    /// Bump the user's stamp: every session stamped before no longer passes the validator.
    pub async fn revoke_all(&self, user: &str) -> u64 {
        let mut stamps = self.stamps.write().unwrap_or_else(|e| e.into_inner());
        let stamp = stamps.entry(user.to_owned()).or_insert(1);
        *stamp += 1;
        *stamp
    }
}

/// The validator: a session with a user passes only while its stamp is the user's current one.
/// Sessions without a user (anonymous carts, say) pass without a lookup.
pub async fn session_is_current(users: Users, session: Session) -> bool {
    let Ok(Some(user)) = session.get::<String>("user") else {
        return true;
    };
    let Ok(Some(stamp)) = session.get::<u64>("stamp") else {
        return false;
    };
    users.stamp(&user).await == Some(stamp)
}

/// The app: `/login`, `/me`, `/password`, `/logout-everywhere`, `/logout`.
pub fn app(keys: KeyRing, users: Users) -> Router {
    let sealer = Sealer::new(keys)
        .max_lifetime(Duration::from_secs(30 * 24 * 60 * 60))
        .idle_timeout(Duration::from_secs(7 * 24 * 60 * 60));
    let layer = SessionLayer::new(sealer).validator({
        let users = users.clone();
        move |session| session_is_current(users.clone(), session)
    });
    Router::new()
        .route(
            "/login",
            get({
                let users = users.clone();
                move |session: Session, query: Query<LoginQuery>| login(users, session, query)
            }),
        )
        .route("/me", get(me))
        .route(
            "/password",
            get({
                let users = users.clone();
                move |session: Session| change_password(users, session)
            }),
        )
        .route(
            "/logout-everywhere",
            get(move |session: Session| logout_everywhere(users, session)),
        )
        .route("/logout", get(logout))
        .layer(layer)
}

#[derive(Deserialize)]
struct LoginQuery {
    user: String,
}

fn internal(e: impl std::fmt::Display) -> Response {
    (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response()
}

async fn login(users: Users, session: Session, Query(query): Query<LoginQuery>) -> Response {
    let user = query.user.trim();
    if user.is_empty() || user.len() > 64 {
        return (StatusCode::BAD_REQUEST, "user must be 1 to 64 bytes").into_response();
    }
    let stamp = users.stamp_for_login(user).await;
    session.regenerate(&[]);
    if let Err(e) = session
        .insert("user", user)
        .and_then(|()| session.insert("stamp", stamp))
    {
        return internal(e);
    }
    Json(json!({ "user": user })).into_response()
}

fn current_user(session: &Session) -> Option<String> {
    session.get::<String>("user").ok().flatten()
}

async fn me(session: Session) -> Response {
    match current_user(&session) {
        Some(user) => Json(json!({ "user": user })).into_response(),
        None => (StatusCode::UNAUTHORIZED, "not logged in").into_response(),
    }
}

/// Changing the password logs out every other device, and keeps this one in with the new stamp.
async fn change_password(users: Users, session: Session) -> Response {
    let Some(user) = current_user(&session) else {
        return (StatusCode::UNAUTHORIZED, "not logged in").into_response();
    };
    // (The new password would be stored here.)
    let stamp = users.revoke_all(&user).await;
    session.regenerate(&["user"]);
    if let Err(e) = session.insert("stamp", stamp) {
        return internal(e);
    }
    StatusCode::NO_CONTENT.into_response()
}

/// Ends every session of the user, this one included.
async fn logout_everywhere(users: Users, session: Session) -> StatusCode {
    let Some(user) = current_user(&session) else {
        return StatusCode::UNAUTHORIZED;
    };
    users.revoke_all(&user).await;
    session.destroy();
    StatusCode::NO_CONTENT
}

async fn logout(session: Session) -> StatusCode {
    session.destroy();
    StatusCode::NO_CONTENT
}

#[tokio::main]
async fn main() -> Result<(), support::Failure> {
    support::init_tracing();
    let keys = support::keys_from_env()?;
    let listener = support::listen("revocation example", 3000).await?;
    axum::serve(listener, app(keys, Users::default())).await?;
    Ok(())
}
