//! The counter demo on actix-web with actix-session's `RedisSessionStore`: the same route and
//! JSON body as `examples/actix_counter.rs`, the count kept in Redis under a session key that
//! actix-session's cookie carries, encrypted (its default, private content security): a GET
//! and a SET per request, on one multiplexed connection. Only the bench scripts run it
//! (`scripts/bench-peers.sh`).
//!
//! ```text
//! REDIS_URL=redis://127.0.0.1:6379 cargo run --release -p sealed-session-bench --example actix_session_redis_counter
//! curl -c jar -b jar http://127.0.0.1:3000   # {"hello":"route requested 1 times in this session"}
//! ```
//!
//! The cookie key is made at start-up. `REDIS_URL` names the server (default
//! `redis://127.0.0.1:6379`); `PORT` changes the port (0 picks a free one).

use actix_session::storage::RedisSessionStore;
use actix_session::SessionMiddleware;
use actix_web::cookie::Key;
use actix_web::{web, App, HttpServer};

// Start-up shared by the server examples; each uses part of it.
#[path = "../../examples/support/mod.rs"]
#[allow(dead_code)]
mod support;

// The counter's route, written once for the peers of each session API.
#[path = "peer_routes/mod.rs"]
#[allow(dead_code)]
mod peer_routes;

#[actix_web::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
    let store = RedisSessionStore::new(url)
        .await
        .map_err(|e| e.to_string())?;
    let key = Key::generate();
    let listener = support::listen("actix_session_redis_counter", 3000)
        .await?
        .into_std()?;
    HttpServer::new(move || {
        App::new()
            .route("/", web::get().to(peer_routes::actix_count))
            .wrap(
                // The cookie of examples/actix_session_counter.rs: `session`, Secure, HttpOnly,
                // SameSite=Lax (actix-session's defaults); here it carries the session key alone.
                SessionMiddleware::builder(store.clone(), key.clone())
                    .cookie_name("session".to_owned())
                    .build(),
            )
    })
    .listen(listener)?
    .run()
    .await?;
    Ok(())
}
