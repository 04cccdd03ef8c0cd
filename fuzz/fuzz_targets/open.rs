//! `Sealer::open_at` / `open_bytes_at` on attacker-controlled cookie values, under every codec
//! and configuration of `SEALERS`, at an attacker-chosen time.
//!
//! The value is the input itself (as text), or the input base64url-encoded (so every value
//! decodes and reaches the version and key checks), or the input with a valid header for a key
//! of the ring put in front (so it reaches the AEAD with a real key).
#![no_main]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use sealed_session::{Codec, OpenError, Sealer};
use sealed_session_fuzz::{previous, primary, split, Session, SEALERS};

fn open_all<C: Codec>(sealer: &Sealer<C>, value: &str, now: u64) {
    // Nothing here can be authentic: the only way to open is to hold a key.
    match sealer.open_at::<Session>(value, now) {
        Err(OpenError::Decode(_)) | Ok(_) => panic!("a forged value authenticated"),
        Err(_) => {}
    }
    assert!(sealer.open_bytes_at(value, now).is_err());
    assert!(sealer.open_at::<serde_json::Value>(value, now).is_err());
}

fuzz_target!(|data: &[u8]| {
    let Some((selector, now, rest)) = split(data) else {
        return;
    };
    let value = match selector % 3 {
        0 => String::from_utf8_lossy(rest).into_owned(),
        1 => URL_SAFE_NO_PAD.encode(rest),
        _ => {
            let id = if selector & 0x80 == 0 {
                primary().id()
            } else {
                previous().id()
            };
            let mut raw = vec![0x01];
            raw.extend_from_slice(&id.to_bytes());
            raw.extend_from_slice(rest);
            URL_SAFE_NO_PAD.encode(raw)
        }
    };
    let sealers = &*SEALERS;
    match (selector >> 2) % 4 {
        0 => open_all(&sealers.bincode, &value, now),
        1 => open_all(&sealers.postcard, &value, now),
        2 => open_all(&sealers.json, &value, now),
        _ => open_all(&sealers.tiny, &value, now),
    }
});
