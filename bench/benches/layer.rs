//! The per-request HTTP path of sessions, in process (no sockets, no load generator):
//! - `cookie/load`: `SessionCookie::load` of a request whose `Cookie` header holds three
//!   unrelated cookies and the counter's session cookie (the sealed `count`);
//! - `cookie/save`: the counter's write: `insert("count", n + 1)` on the loaded session, then
//!   `SessionCookie::set_cookie_values` (seal, encode, format the `Set-Cookie` value);
//! - `cookie/load_save`: both, what one counter request costs the session code;
//! - `counter/{sessions,plain}`: the counter demo's axum `Router` called with
//!   `tower::ServiceExt::oneshot` and its JSON body collected, with `SessionLayer` (and the
//!   same `Cookie` header) and without it (the `counter_plain` example's handler). The ratio
//!   `plain / sessions` is the share of requests per second kept with sessions, before the
//!   HTTP server and the network add the same cost to both.
//!
//! - `untouched/{layer,bare}`: a route that never touches the session (a health check) with
//!   `SessionLayer` around it and the counter's session cookie in the request, and the same
//!   route with no layer: sessions are opened on first access, so the layer should cost
//!   almost nothing here (target: within 3%); `untouched/noop_layer`, the same route in a
//!   tower layer that does nothing, is what any layer costs in axum.
//!
//! Run with a bounded time:
//! `cargo bench -p sealed-session-bench --bench layer -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Request};
use axum::Router;
use criterion::{criterion_group, criterion_main, Criterion};
use http_body_util::BodyExt as _;
use sealed_session::{Key, KeyRing, Sealer, SessionCookie};
use tower::ServiceExt as _;

fn keys() -> KeyRing {
    KeyRing::new(Key::from_bytes([7; 32]))
}

// The demo apps themselves, so that the bench measures what `cargo run --example` serves.
#[allow(dead_code, clippy::duplicate_mod)]
#[path = "../../examples/counter.rs"]
mod counter;
#[allow(dead_code, clippy::duplicate_mod)]
#[path = "../examples/counter_plain.rs"]
mod counter_plain;
#[path = "../examples/untouched_routes/mod.rs"]
mod untouched_routes;

/// A `Cookie` header as a browser sends it: a few cookies of other parts of the site around the
/// session cookie `session=<value>`.
fn cookie_line(session_pair: &str) -> HeaderValue {
    let line = format!(
        "_ga=GA1.1.1234567890.1700000000; theme=dark; {session_pair}; \
         consent=analytics%3Dno%2Cads%3Dno"
    );
    HeaderValue::from_str(&line).unwrap()
}

/// The `name=value` pair of a `Set-Cookie` value.
fn pair(set_cookie: &HeaderValue) -> String {
    set_cookie
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

/// A GET of `uri` through `app` with the `Cookie` header `line`, on `runtime`: the response's
/// head and its whole body.
fn get(
    runtime: &tokio::runtime::Runtime,
    app: &Router,
    uri: &str,
    line: &HeaderValue,
) -> (axum::http::response::Parts, axum::body::Bytes) {
    let request = Request::get(uri)
        .header(header::COOKIE, line.clone())
        .body(Body::empty())
        .unwrap();
    runtime.block_on(async {
        let response = app.clone().oneshot(request).await.unwrap();
        let (parts, body) = response.into_parts();
        (parts, body.collect().await.unwrap().to_bytes())
    })
}

fn cookie(c: &mut Criterion) {
    let cookies = SessionCookie::new(Sealer::new(keys()));
    let session = cookies.load(&HeaderMap::new());
    session.insert("count", 41u64).unwrap();
    let set = cookies.set_cookie_values(&session).unwrap();
    let mut headers = HeaderMap::new();
    headers.insert(header::COOKIE, cookie_line(&pair(&set[0])));
    assert_eq!(
        cookies.load(&headers).get::<u64>("count").unwrap(),
        Some(41)
    );

    let mut group = c.benchmark_group("cookie");
    group.bench_function("load", |b| b.iter(|| cookies.load(black_box(&headers))));
    let loaded = cookies.load(&headers);
    group.bench_function("save", |b| {
        b.iter(|| {
            loaded.insert("count", black_box(42u64)).unwrap();
            cookies.set_cookie_values(&loaded).unwrap()
        })
    });
    group.bench_function("load_save", |b| {
        b.iter(|| {
            let session = cookies.load(black_box(&headers));
            let n = session.get::<u64>("count").unwrap().unwrap_or(0) + 1;
            session.insert("count", n).unwrap();
            cookies.set_cookie_values(&session).unwrap()
        })
    });
    group.finish();
}

fn counter(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    // `with_state(())` turns the handlers into routes once, as `axum::serve` does for each
    // connection; without it every call would rebuild them, layer included.
    let sessions: Router = counter::app(keys()).with_state(());
    let plain: Router = counter_plain::app().with_state(());

    // The session cookie of a first visit, as the load test sends it on every request.
    let first = runtime
        .block_on(
            sessions
                .clone()
                .oneshot(Request::get("/").body(Body::empty()).unwrap()),
        )
        .unwrap();
    let line = cookie_line(&pair(&first.headers()[header::SET_COOKIE]));

    let call = |app: &Router| get(&runtime, app, "/", &line);
    let (parts, body) = call(&sessions);
    assert!(parts.headers.contains_key(header::SET_COOKIE));
    assert!(std::str::from_utf8(&body)
        .unwrap()
        .contains("requested 2 times"));
    assert!(!call(&plain).0.headers.contains_key(header::SET_COOKIE));

    let mut group = c.benchmark_group("counter");
    group.bench_function("sessions", |b| b.iter(|| call(black_box(&sessions))));
    group.bench_function("plain", |b| b.iter(|| call(black_box(&plain))));
    group.finish();
}

fn untouched(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let [layered, bare, noop] = untouched_routes::untouched_routes(keys(), "/health");
    // A real session cookie in the request, as a signed-in browser sends it to every route.
    let cookies = SessionCookie::new(Sealer::new(keys()));
    let session = cookies.load(&HeaderMap::new());
    session.insert("count", 1u64).unwrap();
    let line = cookie_line(&pair(&cookies.set_cookie_values(&session).unwrap()[0]));
    let call = |app: &Router| get(&runtime, app, "/health", &line);
    for app in [&layered, &bare, &noop] {
        let (parts, body) = call(app);
        assert!(!parts.headers.contains_key(header::SET_COOKIE));
        assert_eq!(&body[..], b"ok");
    }
    let mut group = c.benchmark_group("untouched");
    group.bench_function("layer", |b| b.iter(|| call(black_box(&layered))));
    group.bench_function("bare", |b| b.iter(|| call(black_box(&bare))));
    group.bench_function("noop_layer", |b| b.iter(|| call(black_box(&noop))));
    group.finish();
}

criterion_group!(benches, cookie, counter, untouched);
criterion_main!(benches);
