//! libFuzzer on the `cookie_header` target: its body and its property are in
//! `fuzz/targets/cookie_header.rs`, shared with the test suite's replay of this target's corpus.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_targets::cookie_header(data));
