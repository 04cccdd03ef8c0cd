//! The counter demo on actix-web with actix-session's `CookieSessionStore`, the cookie session
//! actix users would otherwise pick: the same route and JSON body as `examples/actix_counter.rs`,
//! the count kept in actix-session's private (encrypted) cookie. Only the bench scripts run it,
//! against the actix counter with sealed-session.
//!
//! ```text
//! cargo run --release -p sealed-session-bench --example actix_session_counter
//! curl -c jar -b jar http://127.0.0.1:3000   # {"hello":"route requested 1 times in this session"}
//! ```
//!
//! The key is made at start-up (actix-session has no key rotation): cookies do not outlive the
//! process. `PORT` changes the port (0 picks a free one).

use actix_session::storage::CookieSessionStore;
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
    let key = Key::generate();
    let listener = support::listen("actix_session_counter", 3000)
        .await?
        .into_std()?;
    HttpServer::new(move || {
        App::new()
            .route("/", web::get().to(peer_routes::actix_count))
            .wrap(
                // The sealed-session demo's cookie: named `session`-something, Secure, HttpOnly,
                // SameSite=Lax (actix-session's defaults), its content encrypted.
                SessionMiddleware::builder(CookieSessionStore::default(), key.clone())
                    .cookie_name("session".to_owned())
                    .build(),
            )
    })
    .listen(listener)?
    .run()
    .await?;
    Ok(())
}
