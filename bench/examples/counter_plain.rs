//! The counter demo's app without sessions: the same route, runtime and JSON body, with no
//! cookie read or written. `scripts/bench-http.sh` measures the counter against it, to show what
//! sessions cost per request.
//!
//! ```text
//! cargo run --release -p sealed-session-bench --example counter_plain
//! curl http://127.0.0.1:3000   # {"hello":"route requested 1 times in this session"}
//! ```
//!
//! `PORT` changes the port (0 picks a free one).

use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

// Start-up shared by the server examples; each uses part of it.
#[path = "../../examples/support/mod.rs"]
#[allow(dead_code)]
mod support;

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
    let listener = support::listen("counter_plain", 3000).await?;
    axum::serve(listener, app()).await?;
    Ok(())
}
