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

use axum::routing::get;
use axum::Router;
use tower_sessions_cookie_store::{CookieSessionConfig, CookieSessionManagerLayer, Key, SameSite};

// Start-up shared by the server examples; each uses part of it.
#[path = "../../examples/support/mod.rs"]
#[allow(dead_code)]
mod support;

// The counter's route, written once for the peers of each session API.
#[path = "peer_routes/mod.rs"]
#[allow(dead_code)]
mod peer_routes;

/// The app: the counter's route behind the encrypted cookie store, sealing with `key`.
pub fn app(key: Key) -> Router {
    // The demo's cookie attributes: `session`, Secure, HttpOnly, SameSite=Lax, Path=/.
    let config = CookieSessionConfig::default()
        .with_name("session")
        .with_same_site(SameSite::Lax);
    Router::new()
        .route("/", get(peer_routes::tower_count))
        .layer(CookieSessionManagerLayer::private(key).with_config(config))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let listener = support::listen("peer_tower_cookie", 3000).await?;
    axum::serve(listener, app(Key::generate())).await?;
    Ok(())
}
