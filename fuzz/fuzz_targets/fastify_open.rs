//! libFuzzer on the `fastify_open` target: its body and its property are in
//! `fuzz/targets/fastify_open.rs`, shared with the test suite's replay of this target's corpus.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_targets::fastify_open(data));
