//! Hostile input at every public entry point: arbitrary bytes and strings thrown at key parsing,
//! cookie names, the sealer's open paths under several configurations, the HTTP header path and
//! the fastify-compatible sealer. Each property asserts that nothing panics and that bad input is
//! refused with a typed error (or "no session"), never accepted.

mod strategies;

#[cfg(feature = "fastify")]
mod fastify;

mod http_path;

mod keys;

mod sealer;

mod corpus;
