//! HTTP integration: the cookie helpers, the axum layer in process (`oneshot`), real servers on
//! loopback driven by a real client (the browser tests are in `tests/browser`).
#![cfg(feature = "axum")]

// The examples are compiled in as modules so that the tests drive the exact code they show;
// each brings its own copy of `examples/support`.
#[path = "../../examples/counter.rs"]
#[allow(
    dead_code,
    clippy::duplicate_mod,
    reason = "the example's main runs only as the example; each example brings examples/support"
)]
mod counter;
// It calls ring directly: it is the ring backend's cipher work alone.
#[cfg(feature = "ring")]
#[path = "../../bench/examples/counter_cipher.rs"]
#[allow(
    dead_code,
    clippy::duplicate_mod,
    reason = "the example's main runs only as the example; each example brings examples/support"
)]
mod counter_cipher;
#[path = "../../bench/examples/counter_floor.rs"]
#[allow(
    dead_code,
    clippy::duplicate_mod,
    reason = "the example's main runs only as the example; each example brings examples/support"
)]
mod counter_floor;
#[path = "../../examples/login.rs"]
#[allow(
    dead_code,
    clippy::duplicate_mod,
    reason = "the example's main runs only as the example; each example brings examples/support"
)]
mod login;

mod csrf;
mod flash;
mod helpers;
mod layer;
mod lazy;
mod login_example;
mod server;
