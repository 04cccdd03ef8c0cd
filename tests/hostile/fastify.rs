//! The `@fastify/secure-session` compatible sealer under hostile input: forged values never get
//! past the keys, and authentic boxes of arbitrary plaintext (what only a key holder, or a buggy
//! writer, can make) fail only in decoding or for their age.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use crypto_secretbox::aead::{Aead as _, KeyInit as _};
use crypto_secretbox::XSalsa20Poly1305;
use proptest::prelude::*;
use sealed_session::{FastifySealer, Key, KeyRing, OpenError, SessionCookie, SessionSealer};

use crate::strategies::{bytes, cookie_value, unix_time};

fn primary() -> Key {
    Key::from_bytes([0x61; 32])
}

fn previous() -> Key {
    Key::from_bytes([0x62; 32])
}

fn sealer() -> FastifySealer {
    FastifySealer::new(KeyRing::from_keys([primary(), previous()]).unwrap())
}

/// A box the plugin's format accepts, sealed with `key` around arbitrary plaintext.
fn authentic(key: &Key, plaintext: &[u8], nonce: [u8; 24]) -> String {
    let boxed = XSalsa20Poly1305::new(key.as_bytes().into())
        .encrypt((&nonce).into(), plaintext)
        .unwrap();
    format!("{};{}", STANDARD.encode(boxed), STANDARD.encode(nonce))
}

fn assert_forged_refused(value: &str, now: u64) {
    let sealer = sealer();
    for result in [
        sealer.open_at::<serde_json::Value>(value, now).map(drop),
        sealer.open_session(value, now).map(drop),
    ] {
        match result {
            Ok(()) | Err(OpenError::Decode(_) | OpenError::Expired { .. }) => {
                panic!("forged value {value:?} got past the keys: {result:?}")
            }
            Err(_) => {}
        }
    }
}

fn plaintext() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        bytes(300),
        // JSON-shaped: objects with and without a usable __ts.
        (
            prop_oneof![
                Just(String::new()),
                Just(r#""__ts":1750000000,"#.to_owned()),
                Just(r#""__ts":-1,"#.to_owned()),
                Just(r#""__ts":1e99,"#.to_owned()),
                Just(r#""__ts":"1750000000","#.to_owned()),
                Just(r#""__ts":18446744073709551615,"#.to_owned()),
            ],
            "[a-z\"{}:,\\[\\]0-9 ]{0,80}",
        )
            .prop_map(|(ts, rest)| format!("{{{ts}\"k\":{rest}").into_bytes()),
        Just(br#"{"__ts":1750000000,"user":"ada"}"#.to_vec()),
        Just(br#"[1,2,3]"#.to_vec()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_values_never_open(value in cookie_value(), now in unix_time()) {
        assert_forged_refused(&value, now);
    }

    #[test]
    fn base64_boxes_without_the_key_never_open(
        boxed in bytes(300),
        nonce in bytes(40),
        now in unix_time(),
        separator in prop_oneof![Just(";"), Just("%3B"), Just("%3b"), Just(";;")],
    ) {
        let value = format!("{}{separator}{}", STANDARD.encode(&boxed), STANDARD.encode(&nonce));
        assert_forged_refused(&value, now);
    }

    #[test]
    fn a_box_under_a_key_outside_the_ring_never_opens(
        key in any::<[u8; 32]>(),
        plaintext in plaintext(),
        nonce in any::<[u8; 24]>(),
    ) {
        let stranger = Key::from_bytes(key);
        prop_assume!(stranger != primary() && stranger != previous());
        assert_forged_refused(&authentic(&stranger, &plaintext, nonce), 1_750_000_000);
    }

    #[test]
    fn arbitrary_cookie_headers_open_no_fastify_session(
        lines in proptest::collection::vec(crate::http_path::cookie_line(), 0..4),
    ) {
        let headers = crate::http_path::headers(&lines);
        for cookies in [SessionCookie::new(sealer()), SessionCookie::chunked(sealer(), 4)] {
            let session = cookies.load(&headers);
            prop_assert!(session.is_empty());
            session.insert("seen", 1u8).unwrap();
            prop_assert!(cookies.set_cookie_values(&session).is_ok());
            session.destroy();
            prop_assert!(!cookies.set_cookie_values(&session).unwrap().is_empty());
        }
    }

    #[test]
    fn authentic_boxes_of_any_plaintext_fail_only_in_decoding_or_for_age(
        plaintext in plaintext(),
        nonce in any::<[u8; 24]>(),
        now in unix_time(),
        old_key in any::<bool>(),
    ) {
        let key = if old_key { previous() } else { primary() };
        let value = authentic(&key, &plaintext, nonce);
        let sealer = sealer();
        for result in [
            sealer.open_at::<serde_json::Value>(&value, now).map(drop),
            sealer.open_session(&value, now).map(drop),
        ] {
            match result {
                Ok(()) | Err(OpenError::Decode(_) | OpenError::Expired { .. }) => {}
                Err(other) => prop_assert!(false, "authentic box failed with {other:?}"),
            }
        }
    }
}

#[test]
fn a_well_formed_authentic_box_opens_so_the_properties_are_not_vacuous() {
    let value = authentic(&previous(), br#"{"__ts":1750000000,"user":"ada"}"#, [7; 24]);
    let opened = sealer()
        .open_at::<serde_json::Value>(&value, 1_750_000_100)
        .unwrap();
    assert_eq!(opened.value()["user"], "ada");
    assert!(opened.needs_reseal());
}
