//! The demo: a visit counter kept in a sealed cookie, no server-side storage.
//!
//! ```text
//! cargo run --example counter
//! curl -c jar -b jar http://127.0.0.1:3000   # {"hello":"route requested 1 times in this session"}
//! ```
//!
//! Keys come from `SESSION_KEYS` (comma-separated base64 keys, newest first, as
//! `KeyRing::from_base64_list` reads them; `openssl rand -base64 32` makes one). Without it an
//! ephemeral key is generated, and every session ends when the process does. `PORT` changes
//! the port (0 picks a free one).
//!
//! The cookie keeps its `Secure` attribute although the demo serves plain `http://`: browsers
//! treat `http://127.0.0.1` and `http://localhost` as secure contexts and keep such cookies
//! (the crate's Chromium test checks it).

use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use sealed_session::{KeyRing, Sealer, Session, SessionLayer};
use serde_json::{json, Value};

// Start-up shared by the server examples; each uses part of it.
#[allow(dead_code)]
mod support;

/// The app: one counting route behind the session layer.
pub fn app(keys: KeyRing) -> Router {
    Router::new()
        .route("/", get(count))
        .layer(SessionLayer::new(Sealer::new(keys)))
}

async fn count(session: Session) -> Result<Json<Value>, (StatusCode, String)> {
    // A value that does not decode as a number counts as no value.
    let n = session.get::<u64>("count").ok().flatten().unwrap_or(0) + 1;
    session
        .insert("count", n)
        .map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    Ok(Json(
        json!({ "hello": format!("route requested {n} times in this session") }),
    ))
}

#[tokio::main]
async fn main() -> Result<(), support::Failure> {
    support::init_tracing();
    let keys = support::keys_from_env()?;
    let listener = support::listen("counter", 3000).await?;
    axum::serve(listener, app(keys)).await?;
    Ok(())
}
