//! A peer for the benchmarks: the counter demo's app with tower-sessions 0.14 and its
//! `MemoryStore`, the session record kept in the server's memory under an id sent in the
//! cookie. Only the bench scripts run it (`scripts/bench-peers.sh`), and `request_cost` counts
//! its instructions per request.
//!
//! ```text
//! cargo run --release -p sealed-session-bench --example peer_tower_memory
//! curl -c jar -b jar http://127.0.0.1:3000   # {"hello":"route requested 1 times in this session"}
//! ```
//!
//! `PORT` changes the port (0 picks a free one).

use axum::routing::get;
use axum::Router;
use tower_sessions::cookie::SameSite;
use tower_sessions::{MemoryStore, SessionManagerLayer};

// Start-up shared by the server examples; each uses part of it.
#[path = "../../examples/support/mod.rs"]
#[allow(dead_code)]
mod support;

// The counter's route, written once for the peers of each session API.
#[path = "peer_routes/mod.rs"]
#[allow(dead_code)]
mod peer_routes;

/// The app: the counter's route behind tower-sessions with a store of its own.
pub fn app() -> Router {
    // The demo's cookie attributes: `session`, Secure, HttpOnly, SameSite=Lax, Path=/.
    let sessions = SessionManagerLayer::new(MemoryStore::default())
        .with_name("session")
        .with_same_site(SameSite::Lax);
    Router::new()
        .route("/", get(peer_routes::tower_count))
        .layer(sessions)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let listener = support::listen("peer_tower_memory", 3000).await?;
    axum::serve(listener, app()).await?;
    Ok(())
}
