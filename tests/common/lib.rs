//! Helpers the crate's test binaries share: fixed keys and sealers, a nested session value,
//! requests through an app in process and the `Set-Cookie` values they bring back, servers on
//! loopback and a client for them, and the crate's log output captured.
//!
//! A library of its own (not a module each binary includes by path), so that each binary takes
//! what it needs. It asks for no feature of `sealed-session`: the test build's features are the
//! ones it runs with.

mod http;
mod keys;
mod logs;
mod loopback;
mod profile;

pub use http::{
    attribute, attributes, demo_count, one_set_cookie, oneshot, pair, send, set_cookies,
    status_text, text, value,
};
pub use keys::{fixed_key, key_a, key_b, named, sealer_at, T0};
pub use logs::{capture_logs, capture_logs_of};
pub use loopback::{client, serve, Server};
pub use profile::{sample_profile, Pref, Profile, Role};
