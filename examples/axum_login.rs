//! An axum-login app whose sessions are sealed cookies: axum-login's `AuthSession` works on a
//! `tower_sessions::Session` as always, and `SealedSessionManagerLayer` keeps that session's
//! record in the cookie instead of a store.
//!
//! ```text
//! cargo run --example axum_login --features tower-sessions
//! curl -si -c jar -d 'name=ada&password=lovelace' http://127.0.0.1:3000/login
//! curl -s  -b jar http://127.0.0.1:3000/me        # signed in as ada
//! ```
//!
//! - The one change from a tower-sessions app: `SealedSessionManagerLayer` around axum-login's
//!   `AuthManager`, in place of `AuthManagerLayerBuilder::new(backend, SessionManagerLayer)`,
//!   whose builder takes tower-sessions' own layer only.
//! - Changing a password changes the user's `session_auth_hash`: every other cookie of theirs
//!   stops signing them in, with no server-side session to delete.
//! - Keys come from `SESSION_KEYS` as in the counter example; `PORT` changes the port.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_login::{AuthManager, AuthSession, AuthUser, AuthnBackend, UserId};
use sealed_session::{Json, KeyRing, SealedSessionManagerLayer, Sealer};
use serde::Deserialize;
use tower_sessions::cookie::time;
use tower_sessions::Expiry;

// Start-up shared by the server examples; each uses part of it.
#[allow(dead_code)]
mod support;

/// A user of the in-memory backend.
#[derive(Clone)]
pub struct User {
    id: u64,
    name: String,
    /// A real app keeps a password hash (Argon2id, say) and checks it in constant time.
    password: String,
    /// Random, new with every password: axum-login keeps it in the session and signs out a
    /// session whose copy no longer matches.
    auth_stamp: [u8; 16],
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // No password in logs.
        f.debug_struct("User")
            .field("id", &self.id)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl AuthUser for User {
    type Id = u64;

    fn id(&self) -> u64 {
        self.id
    }

    fn session_auth_hash(&self) -> &[u8] {
        &self.auth_stamp
    }
}

/// The users, by id, shared by every request of one instance.
#[derive(Clone)]
pub struct Users(Arc<RwLock<HashMap<u64, User>>>);

impl Users {
    /// The demo's one account: ada, password lovelace.
    pub fn demo() -> Self {
        let ada = User {
            id: 1,
            name: "ada".into(),
            password: "lovelace".into(),
            // Fixed, so that instances started apart agree on it, as with a shared database.
            auth_stamp: [7; 16],
        };
        Self(Arc::new(RwLock::new(HashMap::from([(ada.id, ada)]))))
    }

    fn set_password(&self, id: u64, password: String) -> Option<User> {
        let mut users = self.0.write().unwrap_or_else(|e| e.into_inner());
        let user = users.get_mut(&id)?;
        user.password = password;
        user.auth_stamp = rand::random();
        Some(user.clone())
    }
}

/// What the login form posts.
#[derive(Clone, Deserialize)]
pub struct Credentials {
    name: String,
    password: String,
}

impl AuthnBackend for Users {
    type User = User;
    type Credentials = Credentials;
    type Error = std::convert::Infallible;

    async fn authenticate(&self, creds: Credentials) -> Result<Option<User>, Self::Error> {
        let users = self.0.read().unwrap_or_else(|e| e.into_inner());
        Ok(users
            .values()
            .find(|user| user.name == creds.name && user.password == creds.password)
            .cloned())
    }

    async fn get_user(&self, id: &UserId<Self>) -> Result<Option<User>, Self::Error> {
        let users = self.0.read().unwrap_or_else(|e| e.into_inner());
        Ok(users.get(id).cloned())
    }
}

type Auth = AuthSession<Users>;

/// The session layer: sealed cookies that end after a week without use, and 30 days after
/// login at the latest.
pub fn sessions(keys: KeyRing) -> SealedSessionManagerLayer {
    let sealer = Sealer::with_codec(keys, Json).max_lifetime(Duration::from_secs(30 * 24 * 3600));
    SealedSessionManagerLayer::new(sealer)
        .with_expiry(Expiry::OnInactivity(time::Duration::weeks(1)))
}

/// The routes: `/me` (signed in only), `/login`, `/logout`, `/password` (signed in only).
pub fn routes() -> Router {
    Router::new()
        .route("/me", get(me))
        .route("/password", post(change_password))
        .route_layer(axum_login::login_required!(Users))
        .route("/login", post(login))
        .route("/logout", post(logout))
}

/// `routes` with axum-login over `users` and the sealed sessions of `sessions`.
pub fn with_auth(routes: Router, sessions: SealedSessionManagerLayer, users: Users) -> Router {
    routes
        .layer(tower::layer::layer_fn(move |inner| {
            AuthManager::new(inner, users.clone(), "axum-login.data")
        }))
        .layer(sessions)
}

/// The app.
pub fn app(keys: KeyRing) -> Router {
    with_auth(routes(), sessions(keys), Users::demo())
}

async fn me(auth: Auth) -> impl IntoResponse {
    match auth.user {
        Some(user) => format!("signed in as {}", user.name).into_response(),
        None => StatusCode::UNAUTHORIZED.into_response(),
    }
}

async fn login(mut auth: Auth, Form(creds): Form<Credentials>) -> impl IntoResponse {
    let user = match auth.authenticate(creds).await {
        Ok(Some(user)) => user,
        Ok(None) => return (StatusCode::UNAUTHORIZED, "wrong name or password").into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    // A new session id (and, sealed, a new start time): a session planted before the login
    // is worth nothing after it.
    match auth.login(&user).await {
        Ok(()) => format!("signed in as {}", user.name).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

async fn logout(mut auth: Auth) -> impl IntoResponse {
    match auth.logout().await {
        Ok(_) => "signed out".into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// What the password form posts.
#[derive(Deserialize)]
struct NewPassword {
    password: String,
}

async fn change_password(mut auth: Auth, Form(new): Form<NewPassword>) -> impl IntoResponse {
    let Some(user) = auth.user.clone() else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let Some(user) = auth.backend.set_password(user.id, new.password) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    // This session carries the new stamp; every other one of the user's is signed out.
    match auth.login(&user).await {
        Ok(()) => "password changed".into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

#[tokio::main]
async fn main() -> Result<(), support::Failure> {
    support::init_tracing();
    let keys = support::keys_from_env()?;
    let listener = support::listen("axum-login example", 3000).await?;
    axum::serve(listener, app(keys)).await?;
    Ok(())
}
