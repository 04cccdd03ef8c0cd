//! Key and key-list parsing from configuration text: `Key::from_base64` and
//! `KeyRing::from_base64_list`. A list that parses must print back to a list that parses to the
//! same keys.

use sealed_session::{Key, KeyRing};

/// The `keys` target.
pub fn keys(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(key) = Key::from_base64(&text) {
        let again = Key::from_base64(&key.to_base64()).expect("a printed key parses");
        assert_eq!(key, again);
    }
    if let Ok(ring) = KeyRing::from_base64_list(&text) {
        let again =
            KeyRing::from_base64_list(&ring.to_base64_list()).expect("a printed ring parses");
        assert!(ring.keys().eq(again.keys()));
    }
}
