//! The demo counter on `@fastify/secure-session` cookies: it shares sessions with the Node app
//! in `tests/interop/server.js` (fastify 5 with the real plugin) when both have the same keys.
//!
//! ```text
//! export SESSION_KEYS=$(openssl rand -base64 32)
//! cargo run --example fastify_counter --features fastify        # port 3001
//! (cd tests/interop && npm ci && PORT=3002 node server.js)      # the same counter in Node
//! curl -c jar -b jar http://127.0.0.1:3001    # {"hello":"route requested 1 times in this session"}
//! curl -c jar -b jar http://127.0.0.1:3002    # {"hello":"route requested 2 times in this session"}
//! ```
//!
//! Keys, as the plugin takes them: `SESSION_KEYS`, comma-separated base64 keys, newest first
//! (the plugin's `key` array); or `SESSION_SECRET` (at least 32 bytes) and optionally
//! `SESSION_SALT` (16 characters), derived as the plugin's `secret` and `salt` options do.
//! `PORT` changes the port (0 picks a free one).

use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use sealed_session::{FastifySealer, Json as JsonCodec, KeyError, KeyRing, Session, SessionLayer};
use serde_json::{json, Value};

// Start-up shared by the server examples; each uses part of it.
#[allow(dead_code)]
mod support;

/// The app: one counting route behind the session layer, with the plugin's cookie format.
pub fn app(sealer: FastifySealer) -> Router {
    Router::new()
        .route("/", get(count))
        .layer(SessionLayer::new(sealer))
}

async fn count(session: Session<JsonCodec>) -> Result<Json<Value>, (StatusCode, String)> {
    // The same field as server.js: `request.session.get('count')`.
    let n = session.get::<u64>("count").ok().flatten().unwrap_or(0) + 1;
    session
        .insert("count", n)
        .map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    Ok(Json(
        json!({ "hello": format!("route requested {n} times in this session") }),
    ))
}

/// The sealer from `SESSION_KEYS`, or from `SESSION_SECRET` and `SESSION_SALT`.
pub fn sealer_from_env() -> Result<FastifySealer, Box<dyn std::error::Error>> {
    match KeyRing::from_env("SESSION_KEYS") {
        Err(KeyError::EnvNotSet { .. }) => {}
        keys => return Ok(FastifySealer::new(keys?)),
    }
    let secret = std::env::var("SESSION_SECRET")
        .map_err(|_| "set SESSION_KEYS (base64 keys) or SESSION_SECRET")?;
    let salt = std::env::var("SESSION_SALT").ok();
    eprintln!("deriving the key from SESSION_SECRET (Argon2id, a second or so)");
    Ok(FastifySealer::from_secret(
        secret.as_bytes(),
        salt.as_deref().map(str::as_bytes),
    )?)
}

#[tokio::main]
async fn main() -> Result<(), support::Failure> {
    support::init_tracing();
    let sealer = sealer_from_env()?;
    let listener = support::listen("fastify_counter", 3001).await?;
    axum::serve(listener, app(sealer)).await?;
    Ok(())
}
