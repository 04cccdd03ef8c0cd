//! The three routers that measure what the session layer costs a route that never touches its
//! session (a health check): under `SessionLayer`, bare, and under a layer that does nothing
//! (what wrapping a route in any tower layer costs in axum: a boxed clone of the wrapped
//! service and a boxed future per request). Shared by `benches/layer.rs` and
//! `examples/request_cost.rs`; not an example itself (Cargo builds `examples/*.rs` and
//! `examples/*/main.rs` only).

use axum::body::Body;
use axum::http::Request;
use axum::Router;
use sealed_session::{KeyRing, Sealer, SessionLayer};

/// The routers `[under SessionLayer, bare, under a no-op layer]`, each answering `ok` at
/// `path`, turned into routes once (`with_state`) as `axum::serve` does per connection.
pub fn untouched_routes(keys: KeyRing, path: &str) -> [Router; 3] {
    let health = || Router::new().route(path, axum::routing::get(|| async { "ok" }));
    [
        health()
            .layer(SessionLayer::new(Sealer::new(keys)))
            .with_state(()),
        health().with_state(()),
        health()
            .layer(tower::util::MapRequestLayer::new(
                |request: Request<Body>| request,
            ))
            .with_state(()),
    ]
}
