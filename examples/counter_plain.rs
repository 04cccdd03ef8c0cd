//! The counter demo's app without sessions: the same route, runtime and JSON body, with no
//! cookie read or written. `scripts/bench-http.sh` measures the counter against it, to show what
//! sessions cost per request.
//!
//! ```text
//! cargo run --release --example counter_plain
//! curl http://127.0.0.1:3000   # {"hello":"route requested 1 times in this session"}
//! ```
//!
//! `PORT` changes the port (0 picks a free one).

use std::net::{Ipv4Addr, SocketAddr};

use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

/// The app: the counter's route, answering as a first visit every time.
pub fn app() -> Router {
    Router::new().route("/", get(count))
}

async fn count() -> Json<Value> {
    let n: u64 = 1;
    Json(json!({ "hello": format!("route requested {n} times in this session") }))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port = match std::env::var("PORT") {
        Ok(port) => port.parse().map_err(|e| format!("PORT {port:?}: {e}"))?,
        Err(_) => 3000,
    };
    let listener =
        tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await?;
    println!(
        "counter_plain listening on http://{}/",
        listener.local_addr()?
    );
    axum::serve(listener, app()).await?;
    Ok(())
}
