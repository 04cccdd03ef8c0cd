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
use actix_session::{Session, SessionMiddleware};
use actix_web::cookie::Key;
use actix_web::{web, App, HttpResponse, HttpServer};
use serde_json::json;

// Start-up shared by the server examples; each uses part of it.
#[path = "../../examples/support/mod.rs"]
#[allow(dead_code)]
mod support;

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
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let key = Key::generate();
    let listener = support::listen("actix_session_counter", 3000)
        .await?
        .into_std()?;
    HttpServer::new(move || {
        App::new().route("/", web::get().to(count)).wrap(
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
