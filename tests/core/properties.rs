//! Property tests: arbitrary data round-trips; arbitrary input never panics `open`.

use std::collections::BTreeMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use proptest::prelude::*;
use sealed_session::{Codec, Key, OpenError, Sealer, OVERHEAD};
use serde::{Deserialize, Serialize};

use common::fixed_key;

/// A recursive value: arbitrary nesting of the shapes serde knows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Tree {
    Unit,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Text(String),
    Bytes(Vec<u8>),
    Maybe(Option<Box<Tree>>),
    List(Vec<Tree>),
    Map(BTreeMap<String, Tree>),
    Pair { left: Box<Tree>, right: Box<Tree> },
}

fn tree() -> impl Strategy<Value = Tree> {
    let leaf = prop_oneof![
        Just(Tree::Unit),
        any::<bool>().prop_map(Tree::Bool),
        any::<i64>().prop_map(Tree::Int),
        any::<u64>().prop_map(Tree::Uint),
        ".{0,24}".prop_map(Tree::Text),
        proptest::collection::vec(any::<u8>(), 0..24).prop_map(Tree::Bytes),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::option::of(inner.clone().prop_map(Box::new)).prop_map(Tree::Maybe),
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Tree::List),
            proptest::collection::btree_map(".{0,8}", inner.clone(), 0..6).prop_map(Tree::Map),
            (inner.clone(), inner).prop_map(|(l, r)| Tree::Pair {
                left: Box::new(l),
                right: Box::new(r),
            }),
        ]
    })
}

/// A sealer that takes values of any size the strategies make.
fn roomy<C: Codec>(codec: C) -> Sealer<C> {
    Sealer::with_codec(fixed_key(1), codec).max_cookie_size(1 << 20)
}

fn round_trips<C: Codec>(codec: C, value: &Tree, now: u64) -> Result<(), TestCaseError> {
    let sealer = roomy(codec);
    let sealed = sealer
        .seal_at(value, now)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let opened = sealer
        .open_at::<Tree>(&sealed, now)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(opened.value(), value);
    prop_assert_eq!(opened.created_at(), now);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[cfg(feature = "bincode")]
    #[test]
    fn arbitrary_nested_data_round_trips_with_bincode(value in tree(), now in 0u64..1 << 40) {
        round_trips(sealed_session::Bincode, &value, now)?;
    }

    #[test]
    fn arbitrary_nested_data_round_trips_with_postcard(value in tree(), now in 0u64..1 << 40) {
        round_trips(sealed_session::Postcard, &value, now)?;
    }

    #[cfg(feature = "json")]
    #[test]
    fn arbitrary_nested_data_round_trips_with_json(value in tree(), now in 0u64..1 << 40) {
        round_trips(sealed_session::Json, &value, now)?;
    }

    #[test]
    fn arbitrary_strings_never_open(text in any::<String>()) {
        let sealer = Sealer::new(fixed_key(1));
        prop_assert!(sealer.open_at::<Tree>(&text, 1_000).is_err());
        prop_assert!(sealer.open_bytes_at(&text, 1_000).is_err());
    }

    #[test]
    fn arbitrary_base64url_alphabet_strings_never_open(text in "[A-Za-z0-9_-]{0,400}") {
        let sealer = Sealer::new(fixed_key(1));
        prop_assert!(sealer.open_at::<Tree>(&text, 1_000).is_err());
    }

    #[test]
    fn arbitrary_bytes_as_base64url_never_open(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let sealer = Sealer::new(fixed_key(1));
        let err = sealer.open_at::<Tree>(&URL_SAFE_NO_PAD.encode(&bytes), 1_000).unwrap_err();
        // Shorter than either version's least length (version 1's has no 5-byte cookie
        // field): refused as malformed, or by its version byte, before any key is looked up.
        if bytes.len() < OVERHEAD - 5 {
            prop_assert!(
                matches!(err, OpenError::Malformed(_) | OpenError::UnsupportedVersion(_)),
                "{:?}",
                err
            );
        }
    }

    #[test]
    fn forgeries_with_a_valid_header_fail_authentication(
        version in 1u8..=2,
        body in proptest::collection::vec(any::<u8>(), OVERHEAD - 6..400),
    ) {
        // Either version byte read, a real key id and the codec's byte: the forgery reaches
        // the AEAD, which refuses it.
        let key: Key = fixed_key(1);
        let mut raw = vec![version];
        raw.extend_from_slice(&key.id().to_bytes());
        raw.push(<sealed_session::DefaultCodec as sealed_session::Codec>::ID);
        raw.extend_from_slice(&body);
        let err = Sealer::new(key).open_at::<Tree>(&URL_SAFE_NO_PAD.encode(&raw), 1_000).unwrap_err();
        prop_assert_eq!(err, OpenError::Unauthenticated);
    }
}
