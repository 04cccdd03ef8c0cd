//! A peer for the benchmarks: the counter demo's app with tower-sessions 0.14 and
//! `tower-sessions-redis-store` (on the fred client), the session record kept in Redis under an
//! id sent in the cookie: one GET and one SET to Redis per request. Only the bench scripts run
//! it (`scripts/bench-peers.sh`).
//!
//! ```text
//! REDIS_URL=redis://127.0.0.1:6379 cargo run --release -p sealed-session-bench --example peer_tower_redis
//! curl -c jar -b jar http://127.0.0.1:3000   # {"hello":"route requested 1 times in this session"}
//! ```
//!
//! `REDIS_URL` names the server (default `redis://127.0.0.1:6379`); `PORT` changes the port (0
//! picks a free one).

use axum::routing::get;
use axum::Router;
use tower_sessions::cookie::SameSite;
use tower_sessions::SessionManagerLayer;
use tower_sessions_redis_store::fred::prelude::{ClientLike as _, Config, Pool};
use tower_sessions_redis_store::RedisStore;

// Start-up shared by the server examples; each uses part of it.
#[path = "../../examples/support/mod.rs"]
#[allow(dead_code)]
mod support;

// The counter's route, written once for the peers of each session API.
#[path = "peer_routes/mod.rs"]
#[allow(dead_code)]
mod peer_routes;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
    // One connection per runtime worker; fred pipelines the commands of concurrent requests on
    // each, as actix-session's ConnectionManager does on its one.
    let workers = std::thread::available_parallelism().map_or(1, usize::from);
    let pool = Pool::new(Config::from_url(&url)?, None, None, None, workers)?;
    pool.init().await?;
    // The demo's cookie attributes: `session`, Secure, HttpOnly, SameSite=Lax, Path=/.
    let sessions = SessionManagerLayer::new(RedisStore::new(pool))
        .with_name("session")
        .with_same_site(SameSite::Lax);
    let app = Router::new()
        .route("/", get(peer_routes::tower_count))
        .layer(sessions);
    let listener = support::listen("peer_tower_redis", 3000).await?;
    axum::serve(listener, app).await?;
    Ok(())
}
