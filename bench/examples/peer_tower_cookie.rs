//! A peer for the benchmarks: the counter demo's app with tower-sessions-cookie-store in its
//! private mode: the whole tower-sessions record encrypted into the cookie (cookie-rs's private
//! jar, AES-256-GCM), no server-side storage, as with sealed-session. Only the bench scripts
//! run it (`scripts/bench-peers.sh`), and `request_cost` counts its instructions per request.
//!
//! ```text
//! cargo run --release -p sealed-session-bench --example peer_tower_cookie
//! curl -c jar -b jar http://127.0.0.1:3000   # {"hello":"route requested 1 times in this session"}
//! ```
//!
//! The key is made at start-up: cookies do not outlive the process. `PORT` changes the port (0
//! picks a free one).

use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use tower_sessions_cookie_store::{
    CookieSessionConfig, CookieSessionManagerLayer, Key, SameSite, Session,
};

// Start-up shared by the server examples; each uses part of it.
#[path = "../../examples/support/mod.rs"]
#[allow(dead_code)]
mod support;

/// The app: the counter's route behind the encrypted cookie store, sealing with `key`.
pub fn app(key: Key) -> Router {
    // The demo's cookie attributes: `session`, Secure, HttpOnly, SameSite=Lax, Path=/.
    let config = CookieSessionConfig::default()
        .with_name("session")
        .with_same_site(SameSite::Lax);
    Router::new()
        .route("/", get(count))
        .layer(CookieSessionManagerLayer::private(key).with_config(config))
}

async fn count(session: Session) -> Result<Json<Value>, (StatusCode, String)> {
    // A value that does not decode as a number counts as no value.
    let n = session
        .get::<u64>("count")
        .await
        .ok()
        .flatten()
        .unwrap_or(0)
        + 1;
    session
        .insert("count", n)
        .await
        .map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    Ok(Json(
        json!({ "hello": format!("route requested {n} times in this session") }),
    ))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let listener = support::listen("peer_tower_cookie", 3000).await?;
    axum::serve(listener, app(Key::generate())).await?;
    Ok(())
}
