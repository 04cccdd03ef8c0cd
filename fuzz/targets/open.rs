//! `Sealer::open_at` / `open_bytes_at` on attacker-controlled cookie values, under every codec
//! and configuration of `SEALERS`, at an attacker-chosen time.
//!
//! The value is the input itself (as text), or the input base64url-encoded (so every value
//! decodes and reaches the version and key checks), or the input with a valid header for a key
//! of the ring put in front (so it reaches the AEAD with a real key). The crate's verdict is
//! held against [`authentic`], an independent reading of the format (docs/format.md) with
//! RustCrypto's XChaCha20-Poly1305: a value opens only if it is authentic, and an authentic
//! value fails only for reasons that come after the tag (its times, its codec, its payload) or
//! for its size.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chacha20poly1305::aead::{Aead as _, KeyInit as _, Payload};
use chacha20poly1305::XChaCha20Poly1305;
use sealed_session::{Codec, OpenError};

use super::fixtures::{previous, primary, split, Configured, Session, SEALERS};

const HEADER: usize = 6;
const NONCE: usize = 24;
const TAG: usize = 16;

/// Whether `value` is a value the ring's keys sealed for `cookie_name`: canonical base64url, a
/// known version, a ring key's id, and a tag that verifies over `header || cookie_name`.
pub(crate) fn authentic(value: &str, cookie_name: &str) -> bool {
    let Ok(raw) = URL_SAFE_NO_PAD.decode(value) else {
        return false;
    };
    if raw.len() < HEADER + NONCE + TAG || !matches!(raw[0], 1 | 2) {
        return false;
    }
    let (header, rest) = raw.split_at(HEADER);
    let (nonce, sealed) = rest.split_at(NONCE);
    let Some(key) = [primary(), previous()]
        .into_iter()
        .find(|key| key.id().to_bytes() == header[1..5])
    else {
        return false;
    };
    let mut aad = header.to_vec();
    aad.extend_from_slice(cookie_name.as_bytes());
    let cipher = XChaCha20Poly1305::new(key.as_bytes().into());
    let Ok(nonce) = <&[u8; NONCE]>::try_from(nonce) else {
        return false;
    };
    cipher
        .decrypt(
            nonce.into(),
            Payload {
                msg: sealed,
                aad: &aad,
            },
        )
        .is_ok()
}

fn check<T>(result: Result<T, OpenError>, genuine: bool, value: &str) {
    match result {
        Ok(_) => assert!(genuine, "a forged value opened: {value:?}"),
        // Reached only past the tag: the times and the payload are inside the ciphertext.
        Err(
            OpenError::Decode(_)
            | OpenError::Expired { .. }
            | OpenError::NotYetValid { .. }
            | OpenError::Revoked { .. },
        ) => assert!(genuine, "a forged value got past the AEAD: {value:?}"),
        Err(OpenError::Unauthenticated | OpenError::UnknownKey(_)) => {
            assert!(
                !genuine,
                "an authentic value was refused as forged: {value:?}"
            )
        }
        Err(_) => {}
    }
}

fn open_all<C: Codec>(configured: &Configured<C>, value: &str, now: u64) {
    let genuine = authentic(value, configured.cookie_name);
    let sealer = &configured.sealer;
    check(sealer.open_at::<Session>(value, now), genuine, value);
    check(sealer.open_bytes_at(value, now), genuine, value);
    check(
        sealer.open_at::<serde_json::Value>(value, now),
        genuine,
        value,
    );
}

/// The `open` target.
pub fn open(data: &[u8]) {
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
            let mut raw = vec![0x02];
            raw.extend_from_slice(&id.to_bytes());
            raw.extend_from_slice(rest);
            URL_SAFE_NO_PAD.encode(raw)
        }
    };
    let sealers = &*SEALERS;
    match (selector >> 2) % 4 {
        #[cfg(feature = "bincode")]
        0 => open_all(&sealers.bincode, &value, now),
        1 => open_all(&sealers.postcard, &value, now),
        #[cfg(feature = "json")]
        2 => open_all(&sealers.json, &value, now),
        3 => open_all(&sealers.tiny, &value, now),
        // A codec this build does not have.
        _ => {}
    }
}

/// The selector that makes `open` read the rest as text and open it with sealer `index` (0
/// bincode, 1 postcard, 2 JSON, 3 tiny), for the seeds.
pub(crate) fn text_selector(index: u8) -> u8 {
    (0..=u8::MAX)
        .find(|s| s % 3 == 0 && (s >> 2) % 4 == index)
        .unwrap_or(0)
}
