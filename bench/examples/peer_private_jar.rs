//! A peer for the benchmarks: the counter demo's app on axum-extra's `PrivateCookieJar`, the
//! count alone encrypted into a cookie `session` (cookie-rs's private jar, AES-256-GCM with the
//! cookie name as associated data): the least a cookie session can do, with no session layer.
//! Only the bench scripts run it (`scripts/bench-peers.sh`), and `request_cost` counts its
//! instructions per request.
//!
//! ```text
//! cargo run --release -p sealed-session-bench --example peer_private_jar
//! curl -c jar -b jar http://127.0.0.1:3000   # {"hello":"route requested 1 times in this session"}
//! ```
//!
//! The key is made at start-up: cookies do not outlive the process. `PORT` changes the port (0
//! picks a free one).

use axum::routing::get;
use axum::{Json, Router};
use axum_extra::extract::cookie::{Cookie, Key, PrivateCookieJar, SameSite};
use serde_json::{json, Value};

// Start-up shared by the server examples; each uses part of it.
#[path = "../../examples/support/mod.rs"]
#[allow(dead_code)]
mod support;

/// The app: the counter's route, its jar opening and sealing with `key`.
pub fn app(key: Key) -> Router {
    Router::new().route("/", get(count)).with_state(key)
}

async fn count(jar: PrivateCookieJar) -> (PrivateCookieJar, Json<Value>) {
    // A cookie that does not open, or does not hold a number, counts as no count.
    let n = jar
        .get("session")
        .and_then(|cookie| cookie.value().parse::<u64>().ok())
        .unwrap_or(0)
        + 1;
    // The demo's cookie attributes: Secure, HttpOnly, SameSite=Lax, Path=/.
    let cookie = Cookie::build(("session", n.to_string()))
        .path("/")
        .secure(true)
        .http_only(true)
        .same_site(SameSite::Lax);
    let body = json!({ "hello": format!("route requested {n} times in this session") });
    (jar.add(cookie), Json(body))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let listener = support::listen("peer_private_jar", 3000).await?;
    axum::serve(listener, app(Key::generate())).await?;
    Ok(())
}
