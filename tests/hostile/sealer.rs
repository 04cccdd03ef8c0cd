//! The sealer's open paths (`open_at`, `open_bytes_at`) under several configurations and every
//! enabled codec: forged, mutated, truncated and re-labelled values never open, and authentic
//! values opened at any time fail only for time reasons.

use std::collections::BTreeMap;
use std::time::Duration;

use proptest::prelude::*;
use sealed_session::{Codec, Key, KeyRing, OpenError, Sealer, SessionSealer};

use crate::strategies::{cookie_value, unix_time, with_header};

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct Session {
    user_id: u64,
    name: String,
    roles: Vec<String>,
    counters: BTreeMap<String, i64>,
}

fn session() -> Session {
    Session {
        user_id: 42,
        name: "ada".into(),
        roles: vec!["admin".into()],
        counters: BTreeMap::from([("visits".into(), 3)]),
    }
}

const NOW: u64 = 1_750_000_000;

fn primary() -> Key {
    Key::from_bytes([0x31; 32])
}

fn previous() -> Key {
    Key::from_bytes([0x32; 32])
}

fn ring() -> KeyRing {
    KeyRing::from_keys([primary(), previous()]).unwrap()
}

/// Sealers with the default codec that differ in every setting input meets.
fn configs() -> Vec<Sealer> {
    vec![
        Sealer::new(ring()),
        Sealer::new(ring())
            .cookie_name("__Host-s")
            .idle_timeout(Duration::from_secs(900))
            .leeway(Duration::ZERO),
        Sealer::new(ring())
            .invalidate_before_unix(NOW - 60)
            .max_lifetime(Duration::from_secs(3600)),
        Sealer::new(ring()).max_cookie_size(100),
        Sealer::new(ring()).max_cookie_size(0),
        Sealer::new(ring()).max_cookie_size(64 * 1024),
    ]
}

/// A value that was never sealed by a key of the ring fails at or before the AEAD, whatever the
/// time; it never reaches the clock checks or the codec.
fn assert_forged_refused<C: Codec>(sealer: &Sealer<C>, value: &str, now: u64) {
    for result in [
        sealer.open_at::<Session>(value, now).map(drop),
        sealer.open_bytes_at(value, now).map(drop),
        sealer.open_at::<String>(value, now).map(drop),
    ] {
        match result {
            Err(
                OpenError::TooLarge { .. }
                | OpenError::Malformed(_)
                | OpenError::UnsupportedVersion(_)
                | OpenError::WrongCodec { .. }
                | OpenError::UnknownKey(_)
                | OpenError::Unauthenticated,
            ) => {}
            other => panic!("forged value {value:?} under {sealer:?}: {other:?}"),
        }
    }
}

/// Every change to an authentic value is refused.
fn assert_not_open<C: Codec>(sealer: &Sealer<C>, value: &str) {
    assert!(
        sealer.open_at::<Session>(value, NOW).is_err(),
        "changed value {value:?} opened"
    );
    assert!(sealer.open_bytes_at(value, NOW).is_err());
}

/// Apply one of the edits an attacker (or a broken proxy) makes to a cookie value.
fn mutate(value: &str, edit: u8, at: usize, with: char) -> Option<String> {
    let mut chars: Vec<char> = value.chars().collect();
    let at = at % (chars.len() + 1);
    match edit % 6 {
        // Replace one character with a different one.
        0 if at < chars.len() && chars[at] != with => chars[at] = with,
        // Truncate.
        1 if at < chars.len() => chars.truncate(at),
        // Insert.
        2 => chars.insert(at, with),
        // Delete one character.
        3 if at < chars.len() => {
            chars.remove(at);
        }
        // Duplicate the value (two cookies glued together).
        4 => return Some(format!("{value}{value}")),
        // Swap two neighbouring different characters.
        5 if at + 1 < chars.len() && chars[at] != chars[at + 1] => chars.swap(at, at + 1),
        _ => return None,
    }
    Some(chars.into_iter().collect())
}

fn base64url_char() -> impl Strategy<Value = char> {
    prop_oneof![
        proptest::char::range('A', 'Z'),
        proptest::char::range('a', 'z'),
        proptest::char::range('0', '9'),
        Just('-'),
        Just('_'),
        Just('='),
        Just('%'),
        any::<char>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_values_never_open(value in cookie_value(), now in unix_time()) {
        for sealer in configs() {
            assert_forged_refused(&sealer, &value, now);
        }
    }

    #[test]
    fn values_with_a_real_key_id_still_need_the_key(
        value in prop_oneof![with_header(primary().id().to_bytes()), with_header(previous().id().to_bytes())],
        now in unix_time(),
    ) {
        for sealer in configs() {
            assert_forged_refused(&sealer, &value, now);
        }
    }

    #[test]
    fn every_edit_of_an_authentic_value_is_refused(
        config in 0usize..3,
        edit in any::<u8>(),
        at in any::<usize>(),
        with in base64url_char(),
    ) {
        let sealer = configs().swap_remove(config);
        let value = sealer.seal_at(&session(), NOW).unwrap();
        prop_assert_eq!(sealer.open_at::<Session>(&value, NOW).unwrap().into_value(), session());
        if let Some(changed) = mutate(&value, edit, at, with) {
            prop_assume!(changed != value);
            assert_not_open(&sealer, &changed);
        }
    }

    #[test]
    fn authentic_values_opened_at_any_time_fail_only_for_time(
        config in 0usize..3,
        sealed_at in unix_time(),
        now in unix_time(),
    ) {
        let sealer = configs().swap_remove(config);
        let Ok(value) = sealer.seal_at(&session(), sealed_at) else {
            // Only an absurd time (the lifetime ends past u64::MAX) refuses to seal.
            return Ok(());
        };
        match sealer.open_at::<Session>(&value, now) {
            Ok(opened) => prop_assert_eq!(opened.into_value(), session()),
            Err(
                OpenError::Expired { .. }
                | OpenError::NotYetValid { .. }
                | OpenError::Revoked { .. },
            ) => {}
            Err(other) => prop_assert!(false, "authentic value failed with {other:?}"),
        }
    }

    #[test]
    fn a_value_sealed_for_another_name_or_ring_never_opens(
        name in "[a-z]{1,12}",
        key in any::<[u8; 32]>(),
    ) {
        let sealer = Sealer::new(ring());
        let other_name = Sealer::new(ring()).cookie_name(&name);
        prop_assume!(name != sealer.name());
        let relabelled = other_name.seal_at(&session(), NOW).unwrap();
        prop_assert_eq!(
            sealer.open_at::<Session>(&relabelled, NOW).unwrap_err(),
            OpenError::Unauthenticated
        );
        let stranger = Key::from_bytes(key);
        prop_assume!(ring().get(stranger.id()).is_none());
        let foreign = Sealer::new(stranger.clone()).seal_at(&session(), NOW).unwrap();
        prop_assert_eq!(
            sealer.open_at::<Session>(&foreign, NOW).unwrap_err(),
            OpenError::UnknownKey(stranger.id())
        );
    }

    #[test]
    fn arbitrary_authentic_payloads_fail_only_in_the_codec(payload in crate::strategies::bytes(600)) {
        // What a key holder (or an older release, or another codec) could have sealed.
        let sealer = Sealer::new(ring()).max_cookie_size(64 * 1024);
        check_payload(&sealer, &payload);
        check_payload(&sealer.clone().codec(sealed_session::Postcard), &payload);
        #[cfg(feature = "json")]
        check_payload(&sealer.clone().codec(sealed_session::Json), &payload);
    }
}

fn check_payload<C: Codec>(sealer: &Sealer<C>, payload: &[u8]) {
    let value = sealer.seal_bytes_at(payload, NOW, NOW).unwrap();
    assert_eq!(
        sealer.open_bytes_at(&value, NOW).unwrap().into_value(),
        payload
    );
    for result in [
        sealer.open_at::<Session>(&value, NOW).map(drop),
        sealer.open_at::<Vec<String>>(&value, NOW).map(drop),
        sealer
            .open_at::<BTreeMap<String, u64>>(&value, NOW)
            .map(drop),
        // As a session's entry map: bincode's is read by the crate's own decoder.
        sealer.open_session(&value, NOW).map(drop),
    ] {
        match result {
            Ok(()) | Err(OpenError::Decode(_)) => {}
            Err(other) => panic!("authentic payload failed with {other:?}"),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn arbitrary_values_never_open_with_any_codec(value in cookie_value(), now in unix_time()) {
        assert_forged_refused(&Sealer::with_codec(ring(), sealed_session::Postcard), &value, now);
        #[cfg(feature = "json")]
        assert_forged_refused(
            &Sealer::with_codec(ring(), sealed_session::Json).cookie_name("s"),
            &value,
            now,
        );
    }
}
