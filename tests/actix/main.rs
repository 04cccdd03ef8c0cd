//! The actix-web integration: the middleware and extractors in process (`actix_web::test`),
//! the actix counter demo on loopback driven by a real client, and an axum and an actix
//! instance serving one session.
#![cfg(feature = "actix")]

// The examples are compiled in as modules so that the tests drive the exact code they show;
// each brings its own copy of `examples/support`.
#[path = "../../examples/actix_counter.rs"]
#[allow(
    dead_code,
    clippy::duplicate_mod,
    reason = "the example's main runs only as the example; each example brings examples/support"
)]
mod actix_counter;
#[cfg(feature = "axum")]
#[path = "../../examples/counter.rs"]
#[allow(
    dead_code,
    clippy::duplicate_mod,
    reason = "the example's main runs only as the example; each example brings examples/support"
)]
mod counter;

mod csrf;
mod helpers;
mod middleware;
mod server;
