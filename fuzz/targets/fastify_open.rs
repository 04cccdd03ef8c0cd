//! The `@fastify/secure-session` compatible sealer: `FastifySealer::open_at` and its
//! `SessionSealer::open_session` (what the layer calls) on attacker-controlled values, at an
//! attacker-chosen time.
//!
//! Three kinds of input, chosen by the first byte:
//! - the input as text;
//! - `BASE64(box) ";" BASE64(nonce)` of arbitrary bytes, split where the input says: reaches
//!   the length checks and the trial of every key;
//! - an authentic box of arbitrary plaintext, sealed here with the ring's second key through
//!   `crypto_secretbox` directly: reaches the JSON object, `__ts` and expiry handling that only
//!   a key holder (or a buggy or older writer) can reach.
//!
//! Only a box that `crypto_secretbox` opens under a ring key may get past the keys, and such a
//! box may then fail only for its contents, its age or its size. Which values are such boxes is
//! decided by [`authentic`], outside the crate: every reading of the value that Node's decoders
//! allow (percent-decoded or not, either base64 alphabet, padding optional), opened with
//! `crypto_secretbox` directly. So the seeds can be real cookies of the ring's keys.

use std::sync::LazyLock;

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::{alphabet, Engine as _};
use crypto_secretbox::aead::{Aead as _, KeyInit as _};
use crypto_secretbox::XSalsa20Poly1305;
use sealed_session::{FastifySealer, OpenError, SessionSealer};

use super::fixtures::{previous, primary, ring, split};

static SEALER: LazyLock<FastifySealer> = LazyLock::new(|| FastifySealer::new(ring()));

/// Every base64 spelling Node's decoder accepts for the same bytes: either alphabet, padding
/// optional.
const LOOSE: [GeneralPurpose; 2] = [
    GeneralPurpose::new(
        &alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    ),
    GeneralPurpose::new(
        &alphabet::URL_SAFE,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    ),
];

fn loose_decode(text: &str) -> Vec<Vec<u8>> {
    LOOSE.iter().filter_map(|e| e.decode(text).ok()).collect()
}

/// Whether some reading of `value` as `box;nonce` (percent-decoded or not, either base64
/// alphabet) is a box a ring key opens.
pub(crate) fn authentic(value: &str) -> bool {
    let decoded = percent_decoded(value);
    let readings = [value, decoded.as_deref().unwrap_or(value)];
    let found = readings.into_iter().any(|text| {
        let Some((boxed, nonce)) = text.split_once(';') else {
            return false;
        };
        loose_decode(boxed).iter().any(|boxed| {
            loose_decode(nonce).iter().any(|nonce| {
                let Ok(nonce) = <&[u8; 24]>::try_from(nonce.as_slice()) else {
                    return false;
                };
                [primary(), previous()].into_iter().any(|key| {
                    XSalsa20Poly1305::new(key.as_bytes().into())
                        .decrypt(nonce.into(), boxed.as_slice())
                        .is_ok()
                })
            })
        })
    });
    found
}

fn percent_decoded(value: &str) -> Option<String> {
    if !value.contains('%') {
        return None;
    }
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn sealed_here(plaintext: &[u8], nonce_seed: u8) -> String {
    let cipher = XSalsa20Poly1305::new(previous().as_bytes().into());
    let nonce = [nonce_seed; 24];
    let boxed = cipher
        .encrypt((&nonce).into(), plaintext)
        .expect("secretbox seals any length");
    format!("{};{}", STANDARD.encode(boxed), STANDARD.encode(nonce))
}

/// The `fastify_open` target.
pub fn fastify_open(data: &[u8]) {
    let Some((selector, now, rest)) = split(data) else {
        return;
    };
    let sealer = &*SEALER;
    let value = match selector % 3 {
        0 => String::from_utf8_lossy(rest).into_owned(),
        1 => {
            let at = usize::from(selector / 3) % (rest.len() + 1);
            let (boxed, nonce) = rest.split_at(at);
            format!("{};{}", STANDARD.encode(boxed), STANDARD.encode(nonce))
        }
        _ => sealed_here(rest, selector),
    };
    let typed = sealer.open_at::<serde_json::Value>(&value, now).map(drop);
    let session = sealer.open_session(&value, now).map(drop);
    let genuine = std::cell::OnceCell::new();
    let genuine = || *genuine.get_or_init(|| authentic(&value));
    for result in [typed, session] {
        match result {
            // Only an authentic box gets past the keys: then only its contents or its age
            // can refuse it.
            Ok(()) | Err(OpenError::Decode(_) | OpenError::Expired { .. }) => {
                assert!(genuine(), "a forged value got past the AEAD: {value:?}")
            }
            Err(e) => assert!(
                !genuine() || matches!(e, OpenError::TooLarge { .. }),
                "an authentic box failed before decoding: {e}"
            ),
        }
    }
}
