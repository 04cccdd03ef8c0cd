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
//!   `sessions_logged`: the same with the demo's log subscriber installed
//!   (`examples/support`'s `init_tracing`, as `cargo run --example counter` starts), what its
//!   logging costs a request; `first_visit` and `first_visit_logged`: the unrelated cookies
//!   alone, so each request starts a session (count 1, sealed), without and with the
//!   subscriber (which writes a `debug` line per new session; run with stdout to /dev/null);
//! - `load_save`: `SessionCookie::load`, the count, `SessionCookie::set_cookie_values`;
//! - `load`: `SessionCookie::load` alone;
//! - `open_seal`: the plain API as `examples/counter_floor.rs` calls it: `Sealer::open` of a
//!   sealed map of one count, the count, `Sealer::seal` of the map;
//! - `untouched`: a route that never touches the session (a health check) under `SessionLayer`,
//!   the request carrying the same cookies; `bare`: that route with no layer; `noop_layer`: it
//!   in a tower layer that does nothing, what wrapping a route in any layer costs in axum;
//! - the in-process peers of `scripts/bench-peers.sh`, the same request as `sessions` (the
//!   three unrelated cookies and the peer's own cookie from a first request): `tower_memory`
//!   (`examples/peer_tower_memory.rs`: tower-sessions with its `MemoryStore`; the session id
//!   from the first response is sent every time, so each request loads, changes and saves the
//!   same record in the store), `tower_cookie` (`examples/peer_tower_cookie.rs`:
//!   tower-sessions-cookie-store's encrypted cookie) and `private_jar`
//!   (`examples/peer_private_jar.rs`: axum-extra's `PrivateCookieJar` holding the count).
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
#[allow(dead_code, clippy::duplicate_mod)]
#[path = "peer_private_jar.rs"]
mod peer_private_jar;
#[allow(dead_code, clippy::duplicate_mod)]
#[path = "peer_tower_cookie.rs"]
mod peer_tower_cookie;
#[allow(dead_code, clippy::duplicate_mod)]
#[path = "peer_tower_memory.rs"]
mod peer_tower_memory;
#[allow(dead_code, clippy::duplicate_mod)]
#[path = "../../examples/support/mod.rs"]
mod support;
#[path = "untouched_routes/mod.rs"]
mod untouched_routes;

type Failure = Box<dyn std::error::Error>;

/// A request's `Cookie` line: three unrelated cookies around the cookie that `app` set in its
/// answer to a first request without cookies (a signed-in visitor's).
fn signed_in_cookies(
    runtime: &tokio::runtime::Runtime,
    app: &Router,
) -> Result<HeaderValue, Failure> {
    let first = runtime.block_on(app.clone().oneshot(Request::get("/").body(Body::empty())?))?;
    let set_cookie = first
        .headers()
        .get(header::SET_COOKIE)
        .ok_or("no Set-Cookie on a first request")?
        .to_str()?;
    let pair = set_cookie.split(';').next().ok_or("empty Set-Cookie")?;
    Ok(HeaderValue::from_str(&format!(
        "_ga=GA1.1.1234567890.1700000000; theme=dark; {pair}; \
         consent=analytics%3Dno%2Cads%3Dno"
    ))?)
}

fn main() -> Result<(), Failure> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: request_cost \
                 <plain|sessions|sessions_logged|first_visit|first_visit_logged|load_save|load|\
                 open_seal|untouched|bare|noop_layer|\
                 tower_memory|tower_cookie|private_jar> <iterations>";
    let mode = args.next().ok_or(usage)?;
    let iterations: usize = args.next().ok_or(usage)?.parse()?;

    if mode.ends_with("_logged") {
        support::init_tracing();
    }
    let keys = KeyRing::new(Key::from_bytes([7; 32]));
    let runtime = tokio::runtime::Builder::new_current_thread().build()?;
    let sessions: Router = counter::app(keys.clone()).with_state(());
    let plain: Router = counter_plain::app().with_state(());
    let [untouched, bare, noop] = untouched_routes::untouched_routes(keys.clone(), "/");
    // The peers, each with a fixed key as the demo's, made only for its own mode (the memory
    // store's first request would count in another's heap allocations otherwise).
    let peer: Option<Router> = match mode.as_str() {
        "tower_memory" => Some(peer_tower_memory::app().with_state(())),
        "tower_cookie" => Some(
            peer_tower_cookie::app(tower_sessions_cookie_store::Key::from(&[7; 64])).with_state(()),
        ),
        "private_jar" => Some(
            peer_private_jar::app(axum_extra::extract::cookie::Key::from(&[7; 64])).with_state(()),
        ),
        _ => None,
    };

    // The session cookie of a first visit, sent back among unrelated cookies.
    let line = signed_in_cookies(&runtime, &sessions)?;
    let peer_line = match &peer {
        Some(peer) => signed_in_cookies(&runtime, peer)?,
        None => line.clone(),
    };
    let unrelated = HeaderValue::from_static(
        "_ga=GA1.1.1234567890.1700000000; theme=dark; consent=analytics%3Dno%2Cads%3Dno",
    );
    let sealer = Sealer::new(keys);
    let sealed = sealer.seal(&BTreeMap::from([("count".to_owned(), 1u64)]))?;
    let cookies = SessionCookie::new(sealer.clone());
    let mut headers = HeaderMap::new();
    headers.insert(header::COOKIE, line.clone());

    // One request to the app with that Cookie line, its answer's body collected and returned.
    let call = |app: &Router, line: &HeaderValue| -> Result<axum::body::Bytes, Failure> {
        let request = Request::get("/")
            .header(header::COOKIE, line.clone())
            .body(Body::empty())?;
        let app = app.clone();
        let (parts, body) = runtime.block_on(async {
            let (parts, body) = app.oneshot(request).await?.into_parts();
            Ok::<_, Failure>((parts, body.collect().await?.to_bytes()))
        })?;
        Ok(black_box((parts, body)).1)
    };
    let step = || -> Result<(), Failure> {
        match (mode.as_str(), &peer) {
            (_, Some(peer)) => _ = call(peer, &peer_line)?,
            ("plain", _) => _ = call(&plain, &line)?,
            ("sessions" | "sessions_logged", _) => _ = call(&sessions, &line)?,
            ("first_visit" | "first_visit_logged", _) => _ = call(&sessions, &unrelated)?,
            ("untouched", _) => _ = call(&untouched, &line)?,
            ("bare", _) => _ = call(&bare, &line)?,
            ("noop_layer", _) => _ = call(&noop, &line)?,
            ("load_save", _) => {
                let session = cookies.load(black_box(&headers));
                let n = session.get::<u64>("count")?.unwrap_or(0) + 1;
                session.insert("count", n)?;
                black_box(cookies.set_cookie_values(&session)?);
            }
            ("open_seal", _) => {
                let mut counts = sealer
                    .open::<BTreeMap<String, u64>>(black_box(&sealed))?
                    .into_value();
                *counts.entry("count".to_owned()).or_default() += 1;
                black_box(sealer.seal(&counts)?);
            }
            ("load", _) => {
                black_box(cookies.load(black_box(&headers)));
            }
            _ => return Err(usage.into()),
        }
        Ok(())
    };

    // The cookie of the first visit opens: the next request counts 2, so what is measured is a
    // session's load and save, not a new session each time.
    let counted = match (mode.as_str(), &peer) {
        (_, Some(peer)) => Some(call(peer, &peer_line)?),
        ("sessions" | "sessions_logged", _) => Some(call(&sessions, &line)?),
        _ => None,
    };
    if let Some(body) = counted {
        let body = String::from_utf8_lossy(&body);
        if !body.contains("requested 2 times") {
            return Err(format!("{mode}: the session cookie did not open: {body}").into());
        }
    }
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
