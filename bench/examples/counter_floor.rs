//! The counter on the plain seal / open API, with no session layer: the handler finds the
//! `session` cookie with a plain string search, opens it with `Sealer::open`, and answers with
//! a `Set-Cookie` line it formats itself from `Sealer::seal`. Only the bench scripts run it:
//! next to the plain app and the demo, it shows what the sealing alone costs a request end to
//! end, and what the layer (cookie header parsing, the session, the `Set-Cookie` line) adds.
//!
//! ```text
//! SESSION_KEYS=$(openssl rand -base64 32) cargo run --release -p sealed-session-bench --example counter_floor
//! ```
//!
//! `PORT` changes the port (0 picks a free one).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderName, HeaderValue};
use axum::routing::get;
use axum::{Json, Router};
use sealed_session::{KeyRing, Sealer};
use serde_json::{json, Value};

// Start-up shared by the server examples; each uses part of it.
#[path = "../../examples/support/mod.rs"]
#[allow(dead_code)]
mod support;

/// The session's contents: the same map of one `count` entry that the demo's session holds.
type Counts = BTreeMap<String, u64>;

/// The app: the counter's route, sealing and opening its cookie by hand.
pub fn app(keys: KeyRing) -> Router {
    Router::new()
        .route("/", get(count))
        .with_state(Arc::new(Sealer::new(keys)))
}

async fn count(
    State(sealer): State<Arc<Sealer>>,
    request: Request,
) -> ([(HeaderName, HeaderValue); 1], Json<Value>) {
    let mut counts = request
        .headers()
        .get(COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split("; ").find_map(|c| c.strip_prefix("session=")))
        .and_then(|v| sealer.open::<Counts>(v).ok())
        .map(|opened| opened.into_value())
        .unwrap_or_default();
    let n = counts.get("count").copied().unwrap_or(0) + 1;
    counts.insert("count".to_owned(), n);
    let line = sealer
        .seal(&counts)
        .ok()
        .and_then(|v| {
            HeaderValue::try_from(format!(
                "session={v}; HttpOnly; SameSite=Lax; Secure; Path=/"
            ))
            .ok()
        })
        .unwrap_or_else(|| HeaderValue::from_static("session=; Max-Age=0"));
    (
        [(SET_COOKIE, line)],
        Json(json!({ "hello": format!("route requested {n} times in this session") })),
    )
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let keys = support::keys_from_env()?;
    let listener = support::listen("counter_floor", 3000).await?;
    axum::serve(listener, app(keys)).await?;
    Ok(())
}
