//! Input generators shared by the hostile-input properties.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use proptest::prelude::*;

/// Bytes of any value, up to `max` long.
pub fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..=max)
}

/// Text an attacker might put in a cookie value: anything at all, text in the base64url alphabet
/// (which passes the first checks), and arbitrary bytes base64url-encoded (which decode).
pub fn cookie_value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[A-Za-z0-9_-]{0,200}",
        "[A-Za-z0-9_=+/%;. -]{0,200}",
        bytes(400).prop_map(|b| URL_SAFE_NO_PAD.encode(b)),
        // Long values: around and over the 4096-byte limit.
        (4000usize..4200).prop_map(|n| "A".repeat(n)),
    ]
}

/// A value with a valid version byte and the given key id in front of arbitrary bytes: it gets as
/// far as the AEAD with a key of the ring.
pub fn with_header(key_id: [u8; 4]) -> impl Strategy<Value = String> {
    bytes(300).prop_map(move |rest| {
        let mut raw = vec![0x01];
        raw.extend_from_slice(&key_id);
        raw.extend_from_slice(&rest);
        URL_SAFE_NO_PAD.encode(raw)
    })
}

/// Times an attacker can make the server reason about: ordinary ones and the extremes.
pub fn unix_time() -> impl Strategy<Value = u64> {
    prop_oneof![
        Just(0u64),
        Just(u64::MAX),
        Just(u64::MAX - 1),
        1_600_000_000u64..2_000_000_000,
        any::<u64>(),
    ]
}
