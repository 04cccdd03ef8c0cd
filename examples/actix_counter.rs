//! The demo on actix-web: the visit counter of `examples/counter.rs`, kept in a sealed cookie,
//! no server-side storage. The cookie is the axum demo's (same name, same format), so both
//! demos with the same `SESSION_KEYS` continue one session.
//!
//! ```text
//! cargo run --example actix_counter --features actix
//! curl -c jar -b jar http://127.0.0.1:3000   # {"hello":"route requested 1 times in this session"}
//! ```
//!
//! Keys come from `SESSION_KEYS` (comma-separated base64 keys, newest first, as
//! `KeyRing::from_base64_list` reads them; `openssl rand -base64 32` makes one). Without it an
//! ephemeral key is generated, and every session ends when the process does. `PORT` changes
//! the port (0 picks a free one).

use actix_web::dev::Server;
use actix_web::{web, App, HttpResponse, HttpServer};
use sealed_session::actix::SessionMiddleware;
use sealed_session::{KeyRing, Sealer, Session};
use serde_json::json;

// Start-up shared by the server examples; each uses part of it.
#[allow(dead_code)]
mod support;

/// The server: one counting route behind the session middleware, on `listener`. Every worker
/// builds its own `App`, with a clone of the one sealer (the clones share its keys).
pub fn server(keys: KeyRing, listener: std::net::TcpListener) -> std::io::Result<Server> {
    let sealer = Sealer::new(keys);
    let server = HttpServer::new(move || {
        App::new()
            .route("/", web::get().to(count))
            .wrap(SessionMiddleware::new(sealer.clone()))
    })
    .listen(listener)?
    .run();
    Ok(server)
}

async fn count(session: Session) -> HttpResponse {
    // A value that does not decode as a number counts as no value.
    let n = session.get::<u64>("count").ok().flatten().unwrap_or(0) + 1;
    match session.insert("count", n) {
        Ok(()) => HttpResponse::Ok()
            .json(json!({ "hello": format!("route requested {n} times in this session") })),
        Err(e) => HttpResponse::InternalServerError().body(e.to_string()),
    }
}

#[actix_web::main]
async fn main() -> Result<(), support::Failure> {
    support::init_tracing();
    let keys = support::keys_from_env()?;
    let listener = support::listen("actix_counter", 3000).await?.into_std()?;
    server(keys, listener)?.await?;
    Ok(())
}
