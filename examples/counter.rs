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

use std::net::{Ipv4Addr, SocketAddr};

use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use sealed_session::{Key, KeyError, KeyRing, Sealer, Session, SessionLayer};
use serde_json::{json, Value};

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

/// The key ring from `SESSION_KEYS`, or an ephemeral one with a warning.
pub fn keys_from_env() -> Result<KeyRing, KeyError> {
    match KeyRing::from_env("SESSION_KEYS") {
        Err(KeyError::EnvNotSet { .. }) => {
            eprintln!(
                "\n  WARNING: SESSION_KEYS is not set: using an EPHEMERAL key.\n  \
                 Every session ends when this process stops, and other instances cannot read\n  \
                 its cookies. Set SESSION_KEYS to a base64 key (openssl rand -base64 32).\n"
            );
            Ok(KeyRing::new(Key::generate()))
        }
        keys => keys,
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sealed_session=debug".into()),
        )
        .init();
    let keys = keys_from_env()?;
    let port = match std::env::var("PORT") {
        Ok(port) => port.parse().map_err(|e| format!("PORT {port:?}: {e}"))?,
        Err(_) => 3000,
    };
    let listener =
        tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await?;
    println!("counter listening on http://{}/", listener.local_addr()?);
    axum::serve(listener, app(keys)).await?;
    Ok(())
}
