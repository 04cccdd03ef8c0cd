//! HTTP integration: the cookie helpers, the axum layer in process (`oneshot`), real servers on
//! loopback driven by a real client, and a real headless Chromium.

// The examples are compiled in as modules so that the tests drive the exact code they show.
#[path = "../examples/counter.rs"]
#[allow(dead_code)]
mod counter;
#[path = "../examples/login.rs"]
#[allow(dead_code)]
mod login;

#[path = "web/browser.rs"]
mod browser;
#[path = "web/common.rs"]
mod common;
#[path = "web/helpers.rs"]
mod helpers;
#[path = "web/layer.rs"]
mod layer;
#[path = "web/server.rs"]
mod server;
