//! A measuring tool, not a demo: what one counter request costs the session code, counted
//! rather than timed, so that small changes show through a noisy machine.
//!
//! ```text
//! cargo run --release -p sealed-session-bench --example request_cost -- <mode> <iterations>
//! scripts/bench-instructions.sh      # instructions per request of each mode, under valgrind
//! ```
//!
//! Modes, each one iteration per request:
//! - `plain`: the app of `examples/counter_plain.rs` (the counter without sessions), called in
//!   process with `tower::ServiceExt::oneshot`, body collected;
//! - `sessions`: the app of `examples/counter.rs` (with `SessionLayer`), the request carrying
//!   three unrelated cookies and the session cookie (open, count, seal, `Set-Cookie`);
//! - `load_save`: `SessionCookie::load`, the count, `SessionCookie::set_cookie_values`;
//! - `load`: `SessionCookie::load` alone;
//! - `open_seal`: the plain API as `examples/counter_floor.rs` calls it: `Sealer::open` of a
//!   sealed map of one count, the count, `Sealer::seal` of the map;
//! - `untouched`: a route that never touches the session (a health check) under `SessionLayer`,
//!   the request carrying the same cookies; `bare`: that route with no layer; `noop_layer`: it
//!   in a tower layer that does nothing, what wrapping a route in any layer costs in axum.
//!
//! Prints the heap allocations per iteration (counted by `stats_alloc`). The routers are
//! turned into routes once (`with_state`), as `axum::serve` does per connection.

use std::collections::BTreeMap;
use std::hint::black_box;

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Request};
use axum::Router;
use http_body_util::BodyExt as _;
use sealed_session::{Key, KeyRing, Sealer, SessionCookie};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};
use tower::ServiceExt as _;

#[global_allocator]
static GLOBAL: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

// The demo apps themselves, so that what is counted is what `scripts/bench-http.sh` serves.
// Their `main`s go unused here, and each brings its own copy of `examples/support`.
#[allow(dead_code, clippy::duplicate_mod)]
#[path = "../../examples/counter.rs"]
mod counter;
#[allow(dead_code, clippy::duplicate_mod)]
#[path = "counter_plain.rs"]
mod counter_plain;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: request_cost \
                 <plain|sessions|load_save|load|open_seal|untouched|bare|noop_layer> <iterations>";
    let mode = args.next().ok_or(usage)?;
    let iterations: usize = args.next().ok_or(usage)?.parse()?;

    let keys = KeyRing::new(Key::from_bytes([7; 32]));
    let runtime = tokio::runtime::Builder::new_current_thread().build()?;
    let sessions: Router = counter::app(keys.clone()).with_state(());
    let plain: Router = counter_plain::app().with_state(());
    let health = || Router::new().route("/", axum::routing::get(|| async { "ok" }));
    let untouched: Router = health()
        .layer(sealed_session::SessionLayer::new(Sealer::new(keys.clone())))
        .with_state(());
    let bare: Router = health().with_state(());
    let noop: Router = health()
        .layer(tower::util::MapRequestLayer::new(
            |request: Request<Body>| request,
        ))
        .with_state(());

    // The session cookie of a first visit, sent back among unrelated cookies.
    let first = runtime.block_on(
        sessions
            .clone()
            .oneshot(Request::get("/").body(Body::empty())?),
    )?;
    let set_cookie = first.headers()[header::SET_COOKIE].to_str()?;
    let pair = set_cookie.split(';').next().ok_or("empty Set-Cookie")?;
    let line = HeaderValue::from_str(&format!(
        "_ga=GA1.1.1234567890.1700000000; theme=dark; {pair}; \
         consent=analytics%3Dno%2Cads%3Dno"
    ))?;
    let sealer = Sealer::new(keys);
    let sealed = sealer.seal(&BTreeMap::from([("count".to_owned(), 1u64)]))?;
    let cookies = SessionCookie::new(sealer.clone());
    let mut headers = HeaderMap::new();
    headers.insert(header::COOKIE, line.clone());

    let call = |app: &Router| -> Result<(), Box<dyn std::error::Error>> {
        let request = Request::get("/")
            .header(header::COOKIE, line.clone())
            .body(Body::empty())?;
        let app = app.clone();
        let (parts, body) = runtime.block_on(async {
            let (parts, body) = app.oneshot(request).await?.into_parts();
            Ok::<_, Box<dyn std::error::Error>>((parts, body.collect().await?.to_bytes()))
        })?;
        black_box((parts, body));
        Ok(())
    };
    let step = || -> Result<(), Box<dyn std::error::Error>> {
        match mode.as_str() {
            "plain" => call(&plain)?,
            "sessions" => call(&sessions)?,
            "untouched" => call(&untouched)?,
            "bare" => call(&bare)?,
            "noop_layer" => call(&noop)?,
            "load_save" => {
                let session = cookies.load(black_box(&headers));
                let n = session.get::<u64>("count")?.unwrap_or(0) + 1;
                session.insert("count", n)?;
                black_box(cookies.set_cookie_values(&session)?);
            }
            "open_seal" => {
                let mut counts = sealer
                    .open::<BTreeMap<String, u64>>(black_box(&sealed))?
                    .into_value();
                *counts.entry("count".to_owned()).or_default() += 1;
                black_box(sealer.seal(&counts)?);
            }
            "load" => {
                black_box(cookies.load(black_box(&headers)));
            }
            _ => return Err(usage.into()),
        }
        Ok(())
    };

    step()?; // warm-up: per-thread buffers, lazy statics
    let region = Region::new(GLOBAL);
    for _ in 0..iterations {
        step()?;
    }
    let change = region.change();
    println!(
        "{mode}: {:.2} allocations per request",
        (change.allocations + change.reallocations) as f64 / iterations.max(1) as f64
    );
    Ok(())
}
