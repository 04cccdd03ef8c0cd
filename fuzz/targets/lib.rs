//! The fuzz targets of sealed-session, as plain functions of one byte slice: every place the
//! crate reads input it does not control, with the property each must keep. `fuzz/` runs them
//! under libFuzzer; the test suite replays the committed corpora and the seeds through them
//! (`tests/hostile/corpus.rs`). A function panics exactly when its property breaks.
//!
//! Each target checks the crate's verdict on a value against an independent implementation of
//! its cipher (RustCrypto's `chacha20poly1305` for the native format, `crypto_secretbox` for the
//! fastify one), so the seeds can be real cookies of the ring's keys: an authentic value may
//! open, a forged one may not, and which is which is decided outside the crate.
//!
//! The sealers of the `bincode` and `json` codecs, and the fastify target, are there with the
//! features of those names; an input that selects one absent from the build does nothing.

mod fixtures;

pub mod seeds;

mod cookie_header;
mod decode;
#[cfg(feature = "fastify")]
mod fastify_open;
mod keys;
mod open;

pub use cookie_header::cookie_header;
pub use decode::decode;
#[cfg(feature = "fastify")]
pub use fastify_open::fastify_open;
pub use keys::keys;
pub use open::open;

/// A target: one input in, a panic when its property breaks.
pub type Target = fn(&[u8]);

/// The targets of this build by name, as `fuzz/` and `fuzz/corpus/<name>/` name them
/// (`fastify_open` with the `fastify` feature).
pub fn targets() -> Vec<(&'static str, Target)> {
    let always: [(&'static str, Target); 4] = [
        ("open", open),
        ("decode", decode),
        ("cookie_header", cookie_header),
        ("keys", keys),
    ];
    #[cfg(feature = "fastify")]
    let fastify: [(&'static str, Target); 1] = [("fastify_open", fastify_open)];
    #[cfg(not(feature = "fastify"))]
    let fastify: [(&'static str, Target); 0] = [];
    always.into_iter().chain(fastify).collect()
}
