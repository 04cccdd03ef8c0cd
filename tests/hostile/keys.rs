//! Key material and cookie names from configuration: parsing never panics, and what parses is
//! what was meant.

use proptest::prelude::*;
use sealed_session::{
    is_valid_cookie_name, ConfigError, Key, KeyError, KeyRing, Sealer, MAX_NAME_LEN,
};

fn key_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[A-Za-z0-9+/=_ -]{0,60}",
        "[A-Za-z0-9+/]{43}=?",
        "[A-Za-z0-9_-]{43}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn key_from_base64_refuses_with_a_typed_error(text in key_text()) {
        match Key::from_base64(&text) {
            Ok(key) => prop_assert_eq!(Key::from_base64(&key.to_base64()), Ok(key)),
            Err(KeyError::Base64) => {}
            Err(KeyError::Length { len }) => prop_assert_ne!(len, 32),
            Err(other) => prop_assert!(false, "unexpected error {other:?}"),
        }
    }

    #[test]
    fn key_list_refuses_with_a_typed_error(
        entries in proptest::collection::vec(key_text(), 0..5),
        sep in prop_oneof![Just(","), Just(", "), Just(",,"), Just(";")],
    ) {
        let list = entries.join(sep);
        match KeyRing::from_base64_list(&list) {
            Ok(ring) => {
                let again = KeyRing::from_base64_list(&ring.to_base64_list());
                prop_assert!(again.is_ok_and(|again| again.keys().eq(ring.keys())));
            }
            Err(
                KeyError::EmptyRing
                | KeyError::DuplicateKeyId(_)
                | KeyError::ListEntry { .. },
            ) => {}
            Err(other) => prop_assert!(false, "unexpected error {other:?}"),
        }
    }

    #[test]
    fn cookie_names_are_accepted_exactly_when_valid(name in prop_oneof![
        any::<String>(),
        "[A-Za-z0-9!#$%&'*+.^_`|~-]{0,300}",
        "__Host-[a-z]{1,10}",
    ]) {
        let result = Sealer::new(Key::from_bytes([1; 32])).try_cookie_name(&name);
        let valid = !name.is_empty()
            && name.len() <= MAX_NAME_LEN
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$&'*+-.^_`|~".contains(&b));
        prop_assert_eq!(is_valid_cookie_name(&name), valid);
        match result {
            Ok(sealer) => {
                prop_assert!(valid);
                prop_assert_eq!(sealer.name(), name.as_str());
            }
            Err(ConfigError::InvalidCookieName { name: refused }) => {
                prop_assert!(!valid);
                prop_assert_eq!(refused, name);
            }
            Err(other) => prop_assert!(false, "unexpected error {other:?}"),
        }
    }
}
