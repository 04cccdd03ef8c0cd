//! Hostile input at every public entry point: arbitrary bytes and strings thrown at key parsing,
//! cookie names, the sealer's open paths under several configurations, the HTTP header path and
//! the fastify-compatible sealer. Each property asserts that nothing panics and that bad input is
//! refused with a typed error (or "no session"), never accepted.

#[path = "hostile/strategies.rs"]
mod strategies;

#[cfg(feature = "fastify")]
#[path = "hostile/fastify.rs"]
mod fastify;

#[path = "hostile/http_path.rs"]
mod http_path;

#[path = "hostile/keys.rs"]
mod keys;

#[path = "hostile/sealer.rs"]
mod sealer;
