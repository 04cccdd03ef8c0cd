//! Authenticated but arbitrary payloads: what a codec decodes after the AEAD has passed (a value
//! sealed by a buggy or older release, or with another codec). The input is sealed with
//! `seal_bytes_at` and opened with each codec into realistic types and as a session's entry
//! map; every failure must be a typed `Decode` error, and the raw payload must come back byte
//! for byte.

use sealed_session::{Codec, OpenError, SealError, SessionSealer};

use super::fixtures::{split, Configured, Session, SEALERS};

fn round_trip<C: Codec>(configured: &Configured<C>, payload: &[u8], created_at: u64, now: u64) {
    let sealer = &configured.sealer;
    let value = match sealer.seal_bytes_at(payload, created_at, now) {
        Ok(value) => value,
        Err(SealError::TooLarge(too_large)) => {
            assert!(too_large.size > too_large.max);
            return;
        }
        Err(SealError::LifetimeExceeded { ended_at }) => {
            assert!(now >= ended_at);
            return;
        }
        Err(e) => panic!("unexpected seal error: {e}"),
    };
    assert!(
        super::open::authentic(&value, configured.cookie_name),
        "a sealed value does not verify independently"
    );
    match sealer.open_bytes_at(&value, now) {
        Ok(opened) => {
            assert_eq!(opened.value().as_slice(), payload);
            assert_eq!(opened.created_at(), created_at);
        }
        // A session that began before the sealer's cut-off, or in the far future.
        Err(OpenError::Revoked { .. } | OpenError::NotYetValid { .. }) => return,
        Err(e) => panic!("a value just sealed did not open: {e}"),
    }
    for result in [
        sealer.open_at::<Session>(&value, now).map(drop),
        sealer.open_at::<serde_json::Value>(&value, now).map(drop),
        sealer.open_at::<Vec<String>>(&value, now).map(drop),
        // As a session's entry map (bincode's is read by the crate's own decoder).
        sealer.open_session(&value, now).map(drop),
    ] {
        match result {
            Ok(()) | Err(OpenError::Decode(_)) => {}
            Err(e) => panic!("authentic value failed with a non-decode error: {e}"),
        }
    }
}

/// The `decode` target.
pub fn decode(data: &[u8]) {
    let Some((selector, now, payload)) = split(data) else {
        return;
    };
    // Sessions that began up to a day before `now` (or at an extreme, when the selector says).
    let created_at = if selector & 0x80 == 0 {
        now.saturating_sub(u64::from(selector) * 337)
    } else {
        u64::MAX - u64::from(selector)
    };
    let sealers = &*SEALERS;
    match selector % 4 {
        #[cfg(feature = "bincode")]
        0 => round_trip(&sealers.bincode, payload, created_at, now),
        1 => round_trip(&sealers.postcard, payload, created_at, now),
        #[cfg(feature = "json")]
        2 => round_trip(&sealers.json, payload, created_at, now),
        3 => round_trip(&sealers.tiny, payload, created_at, now),
        // A codec this build does not have.
        _ => {}
    }
}
