//! Nested serde data comes back exactly as it went in, with every codec that is compiled in.

use sealed_session::{Codec, Key, OpenError, SealError, Sealer, OVERHEAD};

use common::{sample_profile, Profile};

fn assert_round_trip<C: Codec>(sealer: Sealer<C>) {
    let profile = sample_profile();
    let value = sealer.seal_at(&profile, 1_000).unwrap();
    let opened = sealer.open_at::<Profile>(&value, 1_001).unwrap();
    assert_eq!(opened.value(), &profile);
    assert_eq!(opened.created_at(), 1_000);
    assert_eq!(opened.key_id(), sealer.ring().primary().id());
    assert!(!opened.needs_reseal());
    assert_eq!(opened.into_value(), profile);
}

#[cfg(feature = "bincode")]
#[test]
fn nested_data_round_trips_with_bincode() {
    assert_round_trip(Sealer::with_codec(Key::generate(), sealed_session::Bincode));
}

#[test]
fn nested_data_round_trips_with_postcard() {
    assert_round_trip(Sealer::with_codec(
        Key::generate(),
        sealed_session::Postcard,
    ));
}

#[cfg(feature = "json")]
#[test]
fn nested_data_round_trips_with_json() {
    assert_round_trip(Sealer::with_codec(Key::generate(), sealed_session::Json));
}

#[test]
fn nested_data_round_trips_with_the_default_codec() {
    assert_round_trip(Sealer::new(Key::generate()));
}

#[test]
fn two_seals_of_one_value_differ_but_both_open() {
    // Fresh random nonce per seal: equal sessions are not linkable by their cookie values.
    let sealer = Sealer::new(Key::generate());
    let a = sealer.seal_at(&sample_profile(), 5).unwrap();
    let b = sealer.seal_at(&sample_profile(), 5).unwrap();
    assert_ne!(a, b);
    assert_eq!(
        sealer.open_at::<Profile>(&a, 5).unwrap().value(),
        &sample_profile()
    );
    assert_eq!(
        sealer.open_at::<Profile>(&b, 5).unwrap().value(),
        &sample_profile()
    );
}

#[test]
fn sealed_values_are_unpadded_base64url_with_the_fixed_overhead() {
    let sealer = Sealer::new(Key::generate());
    let payload = b"0123456789";
    let value = sealer.seal_bytes_at(payload, 10, 10).unwrap();
    assert!(value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    assert_eq!(value.len(), ((OVERHEAD + payload.len()) * 4).div_ceil(3));
}

#[test]
fn raw_payload_bytes_round_trip_without_the_codec() {
    let sealer = Sealer::new(Key::generate());
    let value = sealer.seal_bytes_at(b"\x00\xffraw", 10, 20).unwrap();
    let opened = sealer.open_bytes_at(&value, 20).unwrap();
    assert_eq!(opened.value(), b"\x00\xffraw");
    assert_eq!(opened.created_at(), 10);
}

#[test]
fn a_payload_of_the_wrong_type_is_a_decode_error() {
    let sealer = Sealer::new(Key::generate());
    let value = sealer.seal_at(&(1u8, 2u8), 10).unwrap();
    match sealer.open_at::<u8>(&value, 10) {
        Err(OpenError::Decode(e)) => {
            assert_eq!(e.codec(), <sealed_session::DefaultCodec as Codec>::NAME)
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[test]
fn a_cookie_over_4096_bytes_is_refused_at_seal_naming_its_size() {
    let sealer = Sealer::new(Key::generate()).cookie_name("sid");
    let big = "x".repeat(3_100);
    let mut encoded = Vec::new();
    sealed_session::DefaultCodec::default()
        .encode(&big, &mut encoded)
        .unwrap();
    match sealer.seal_at(&big, 10) {
        Err(error @ SealError::TooLarge(too_large)) => {
            let (size, max) = (too_large.size, too_large.max);
            assert_eq!(max, 4096);
            // name + base64 of (overhead + encoded payload)
            assert_eq!(size, 3 + ((OVERHEAD + encoded.len()) * 4).div_ceil(3));
            let message = error.to_string();
            assert!(message.contains(&size.to_string()) && message.contains("4096"));
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
    // Just under the limit still seals, and opens.
    let fits = "x".repeat(2_900);
    let value = sealer.seal_at(&fits, 10).unwrap();
    assert!(value.len() + 3 <= 4096);
    assert_eq!(sealer.open_at::<String>(&value, 10).unwrap().value(), &fits);
}

#[test]
fn opened_map_keeps_the_envelope_facts() {
    let sealer = Sealer::new(Key::generate());
    let value = sealer.seal_at(&7u32, 100).unwrap();
    let opened = sealer.open_at::<u32>(&value, 100).unwrap();
    let (id, created, expires) = (opened.key_id(), opened.created_at(), opened.expires_at());
    let mapped = opened.map(|n| n.to_string());
    assert_eq!(mapped.value(), "7");
    assert_eq!(
        (mapped.key_id(), mapped.created_at(), mapped.expires_at()),
        (id, created, expires)
    );
}
