//! Hardening features of the HTTP layer: sessions too large for a cookie (the error path and
//! opt-in chunking over several cookies), revocation through the layer's validator hook, and
//! cookies planted beside the session's (cookie tossing).
#![cfg(feature = "axum")]

// The example is compiled in as a module so that the tests drive the exact code it shows.
#[path = "../../examples/revocation.rs"]
#[allow(dead_code, reason = "the example's main runs only as the example")]
mod revocation_example;

mod chunking;
mod large;
mod revocation;
mod tossing;

/// A sealer that cannot tell a session's size before sealing it: the `@fastify/secure-session`
/// format's (its standard base64 is percent-encoded, so the length depends on the bytes).
/// Sessions of it are checked for size only when sealed, so tests reach the errors of that
/// moment.
#[cfg(feature = "fastify")]
pub fn unmeasured(key: sealed_session::Key) -> sealed_session::FastifySealer {
    sealed_session::FastifySealer::new(key).cookie_name("session")
}

use axum::body::Body;
use axum::http::Response;

/// The `Cookie` header a browser sends after receiving `set_cookies`: every cookie not expired
/// by it, in order.
pub fn cookie_header(set_cookies: &[String]) -> String {
    set_cookies
        .iter()
        .filter(|c| !is_removal(c))
        .map(|c| common::pair(c))
        .collect::<Vec<_>>()
        .join("; ")
}

/// True for a `Set-Cookie` that removes its cookie.
pub fn is_removal(set_cookie: &str) -> bool {
    common::attribute(set_cookie, "Max-Age").as_deref() == Some("0")
}

/// The names of the cookies a response sets (not removes).
pub fn set_names(response: &Response<Body>) -> Vec<String> {
    names(response, false)
}

/// The names of the cookies a response removes.
pub fn removed_names(response: &Response<Body>) -> Vec<String> {
    names(response, true)
}

fn names(response: &Response<Body>, removals: bool) -> Vec<String> {
    common::set_cookies(response)
        .iter()
        .filter(|c| is_removal(c) == removals)
        .map(|c| common::pair(c).split_once('=').unwrap().0.to_owned())
        .collect()
}
