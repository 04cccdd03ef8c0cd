//! libFuzzer on the `keys` target: its body and its property are in
//! `fuzz/targets/keys.rs`, shared with the test suite's replay of this target's corpus.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_targets::keys(data));
