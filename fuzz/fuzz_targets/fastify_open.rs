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
#![no_main]

use std::sync::LazyLock;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use crypto_secretbox::aead::{Aead as _, KeyInit as _};
use crypto_secretbox::XSalsa20Poly1305;
use libfuzzer_sys::fuzz_target;
use sealed_session::{FastifySealer, KeyRing, OpenError, SessionSealer};
use sealed_session_fuzz::{previous, primary, split};

static SEALER: LazyLock<FastifySealer> = LazyLock::new(|| {
    let ring = KeyRing::from_keys([primary(), previous()]).expect("fixed keys");
    FastifySealer::new(ring)
});

fn authentic(plaintext: &[u8], nonce_seed: u8) -> String {
    let cipher = XSalsa20Poly1305::new(previous().as_bytes().into());
    let nonce = [nonce_seed; 24];
    let boxed = cipher
        .encrypt((&nonce).into(), plaintext)
        .expect("secretbox seals any length");
    format!("{};{}", STANDARD.encode(boxed), STANDARD.encode(nonce))
}

fuzz_target!(|data: &[u8]| {
    let Some((selector, now, rest)) = split(data) else {
        return;
    };
    let sealer = &*SEALER;
    let (value, genuine) = match selector % 3 {
        0 => (String::from_utf8_lossy(rest).into_owned(), false),
        1 => {
            let at = usize::from(selector / 3) % (rest.len() + 1);
            let (boxed, nonce) = rest.split_at(at);
            (
                format!("{};{}", STANDARD.encode(boxed), STANDARD.encode(nonce)),
                false,
            )
        }
        _ => (authentic(rest, selector), true),
    };
    let typed = sealer.open_at::<serde_json::Value>(&value, now).map(drop);
    let session = sealer.open_session(&value, now).map(drop);
    for result in [typed, session] {
        match result {
            // Only an authentic box gets past the keys: then only its contents or its age
            // can refuse it.
            Ok(()) | Err(OpenError::Decode(_) | OpenError::Expired { .. }) => {
                assert!(genuine, "a forged value got past the AEAD: {value:?}")
            }
            Err(e) => assert!(
                !genuine || matches!(e, OpenError::TooLarge { .. }),
                "an authentic box failed before decoding: {e}"
            ),
        }
    }
});
