//! Name binding, tampering and malformed input: every change to a sealed value is refused with
//! the right error, and nothing panics.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use sealed_session::{Key, KeyRing, Malformed, OpenError, Sealer, OVERHEAD};

use common::{fixed_key, sample_profile, Profile};

const NOW: u64 = 1_000;

fn sealer() -> Sealer {
    Sealer::new(fixed_key(1)).cookie_name("session")
}

fn sealed() -> String {
    sealer().seal_at(&("user", 42u32), NOW).unwrap()
}

fn open(value: &str) -> Result<(String, u32), OpenError> {
    sealer()
        .open_at::<(String, u32)>(value, NOW)
        .map(|o| o.into_value())
}

#[test]
fn a_value_sealed_for_one_cookie_name_does_not_open_under_another() {
    let key = Key::generate();
    let value = Sealer::new(key.clone())
        .cookie_name("session")
        .seal_at(&sample_profile(), NOW)
        .unwrap();
    for other in ["Session", "session2", "sessio", "__Host-session", "sid"] {
        let err = Sealer::new(key.clone())
            .cookie_name(other)
            .open_at::<Profile>(&value, NOW)
            .unwrap_err();
        assert_eq!(err, OpenError::Unauthenticated, "opened under {other:?}");
    }
    let same = Sealer::new(key).cookie_name("session");
    assert_eq!(
        same.open_at::<Profile>(&value, NOW).unwrap().value(),
        &sample_profile()
    );
}

#[test]
fn every_bit_flip_of_the_decoded_value_is_rejected_with_the_right_error() {
    let raw = URL_SAFE_NO_PAD.decode(sealed()).unwrap();
    let id = fixed_key(1).id().to_bytes();
    for byte in 0..raw.len() {
        for bit in 0..8 {
            let mut forged = raw.clone();
            forged[byte] ^= 1 << bit;
            let err = open(&URL_SAFE_NO_PAD.encode(&forged)).unwrap_err();
            let expected = match byte {
                0 => OpenError::UnsupportedVersion(0x02 ^ (1 << bit)),
                1..=4 => {
                    let mut flipped = id;
                    flipped[byte - 1] ^= 1 << bit;
                    OpenError::UnknownKey(sealed_session::KeyId::from_bytes(flipped))
                }
                5 => OpenError::WrongCodec {
                    sealed_with: <sealed_session::DefaultCodec as sealed_session::Codec>::ID
                        ^ (1 << bit),
                    expected: <sealed_session::DefaultCodec as sealed_session::Codec>::ID,
                },
                _ => OpenError::Unauthenticated,
            };
            assert_eq!(err, expected, "byte {byte} bit {bit}");
        }
    }
}

#[test]
fn every_bit_flip_of_the_text_is_rejected() {
    let value = sealed();
    let mut checked = 0;
    for index in 0..value.len() {
        for bit in 0..8 {
            let mut bytes = value.clone().into_bytes();
            bytes[index] ^= 1 << bit;
            // A flip of the top bit is not UTF-8 on its own; a server sees it replaced.
            let forged = String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
            assert!(open(&forged).is_err(), "char {index} bit {bit}: {forged}");
            checked += 1;
        }
    }
    assert_eq!(checked, value.len() * 8);
}

#[test]
fn every_truncation_is_rejected() {
    let value = sealed();
    for len in 0..value.len() {
        let truncated = &value[..len];
        let err = open(truncated).unwrap_err();
        let decoded = URL_SAFE_NO_PAD.decode(truncated).ok();
        match decoded {
            _ if len == 0 => assert_eq!(err, OpenError::Malformed(Malformed::Empty)),
            None => assert_eq!(err, OpenError::Malformed(Malformed::Base64), "len {len}"),
            Some(raw) if raw.len() < OVERHEAD => assert_eq!(
                err,
                OpenError::Malformed(Malformed::TooShort {
                    len: raw.len(),
                    min: OVERHEAD
                }),
                "len {len}"
            ),
            Some(_) => assert_eq!(err, OpenError::Unauthenticated, "len {len}"),
        }
        // Dropping from the front is refused too.
        assert!(open(&value[len + 1..]).is_err(), "suffix from {}", len + 1);
    }
}

#[test]
fn appended_bytes_are_rejected() {
    let mut raw = URL_SAFE_NO_PAD.decode(sealed()).unwrap();
    raw.push(0);
    assert_eq!(
        open(&URL_SAFE_NO_PAD.encode(&raw)).unwrap_err(),
        OpenError::Unauthenticated
    );
    assert!(open(&format!("{}A", sealed())).is_err());
}

#[test]
fn empty_garbage_and_non_base64_values_are_malformed() {
    assert_eq!(
        open("").unwrap_err(),
        OpenError::Malformed(Malformed::Empty)
    );
    for garbage in [
        "not a cookie",
        "abc=",
        "ab+/",
        "%41%42",
        "ÿÿÿÿ",
        "A",
        "{\"user\":1}",
    ] {
        assert_eq!(
            open(garbage).unwrap_err(),
            OpenError::Malformed(Malformed::Base64),
            "{garbage:?}"
        );
    }
    // Standard base64 with padding is not the format either.
    let padded = base64::engine::general_purpose::URL_SAFE.encode([1u8; 70]);
    assert!(padded.ends_with('='));
    assert_eq!(
        open(&padded).unwrap_err(),
        OpenError::Malformed(Malformed::Base64)
    );
}

#[test]
fn too_short_values_name_their_length() {
    // Version 2 (written now), then version 1 (still read), whose least length lacks the
    // 5-byte cookie field.
    assert_eq!(
        open(&URL_SAFE_NO_PAD.encode([2u8, 0, 0])).unwrap_err(),
        OpenError::Malformed(Malformed::TooShort {
            len: 3,
            min: OVERHEAD
        })
    );
    let just_short = URL_SAFE_NO_PAD.encode(vec![2u8; OVERHEAD - 1]);
    let err = open(&just_short).unwrap_err();
    assert_eq!(
        err,
        OpenError::Malformed(Malformed::TooShort {
            len: OVERHEAD - 1,
            min: OVERHEAD
        })
    );
    assert!(err.to_string().contains(&format!("{}", OVERHEAD - 1)));
    let v1_short = URL_SAFE_NO_PAD.encode(vec![1u8; OVERHEAD - 6]);
    assert_eq!(
        open(&v1_short).unwrap_err(),
        OpenError::Malformed(Malformed::TooShort {
            len: OVERHEAD - 6,
            min: OVERHEAD - 5
        })
    );
}

#[test]
fn a_wrong_version_byte_is_unsupported_version() {
    let mut raw = URL_SAFE_NO_PAD.decode(sealed()).unwrap();
    raw[0] = 3;
    assert_eq!(
        open(&URL_SAFE_NO_PAD.encode(&raw)).unwrap_err(),
        OpenError::UnsupportedVersion(3)
    );
    // Relabelled as version 1, which is read: the header is authenticated, so it does not
    // open (and its cookie field is not taken for payload).
    raw[0] = 1;
    assert_eq!(
        open(&URL_SAFE_NO_PAD.encode(&raw)).unwrap_err(),
        OpenError::Unauthenticated
    );
    raw[0] = 0;
    assert_eq!(
        open(&URL_SAFE_NO_PAD.encode(&raw)).unwrap_err(),
        OpenError::UnsupportedVersion(0)
    );
}

#[test]
fn oversized_values_are_too_large_before_any_decoding() {
    let sealer = sealer();
    // The 4096-byte limit counts the name and the value.
    let max = 4096 - "session".len();
    // Not base64 at all: the length check comes first, so this is TooLarge, not Malformed.
    let junk = "!".repeat(max + 1);
    assert_eq!(
        open(&junk).unwrap_err(),
        OpenError::TooLarge { len: max + 1, max }
    );
    // At the limit the same junk reaches the decoder.
    assert_eq!(
        open(&junk[..max]).unwrap_err(),
        OpenError::Malformed(Malformed::Base64)
    );
    // A genuine value sealed by a sealer with a larger limit is refused by length alone.
    let big = Sealer::new(KeyRing::new(fixed_key(1)))
        .max_cookie_size(16 * 1024)
        .seal_at(&"y".repeat(5_000), NOW)
        .unwrap();
    assert!(matches!(
        sealer.open_at::<String>(&big, NOW),
        Err(OpenError::TooLarge { len, max: m }) if len == big.len() && m == max
    ));
}

#[test]
fn open_errors_name_their_numbers() {
    let id = fixed_key(1).id();
    let cases = [
        (
            OpenError::TooLarge {
                len: 5000,
                max: 4089,
            },
            vec!["5000", "4089"],
        ),
        (OpenError::UnsupportedVersion(2), vec!["2"]),
        (OpenError::UnknownKey(id), vec!["10ce5255"]),
        (OpenError::Expired { expired_at: 1234 }, vec!["1234"]),
        (OpenError::NotYetValid { created_at: 99 }, vec!["99"]),
        (OpenError::Revoked { created_at: 77 }, vec!["77"]),
    ];
    for (err, numbers) in cases {
        let message = err.to_string();
        assert_eq!(message, message.to_lowercase(), "{message}");
        for n in numbers {
            assert!(message.contains(n), "{message} lacks {n}");
        }
    }
}

#[test]
fn invalid_cookie_names_are_refused_when_the_sealer_is_built() {
    let long = "n".repeat(257);
    for bad in [
        "",
        "has space",
        "semi;colon",
        "quote\"",
        "ünï",
        // A name no cookie library writes as it is: some percent-decode it.
        "sess%69on",
        "%",
        long.as_str(),
    ] {
        let err = Sealer::new(fixed_key(1)).try_cookie_name(bad).unwrap_err();
        assert_eq!(
            err,
            sealed_session::ConfigError::InvalidCookieName {
                name: bad.to_owned()
            }
        );
        assert!(!sealed_session::is_valid_cookie_name(bad));
    }
    for good in [
        "session",
        "__Host-session",
        "a",
        "x.y_z~!#$&'*+-^`|",
        &"n".repeat(256),
    ] {
        let sealer = Sealer::new(fixed_key(1)).try_cookie_name(good).unwrap();
        assert_eq!(
            sealed_session::SessionCookie::new(sealer.clone()).name(),
            good
        );
        let value = sealer.seal_at(&1u8, NOW).unwrap();
        assert_eq!(sealer.open_at::<u8>(&value, NOW).unwrap().into_value(), 1);
    }
}

#[test]
#[should_panic(expected = "invalid cookie name")]
fn cookie_name_panics_on_an_invalid_constant() {
    let _ = Sealer::new(fixed_key(1)).cookie_name("bad name");
}

/// A value sealed with one codec never decodes under another, even where its bytes would: the
/// codec byte in the authenticated header is checked before anything is decrypted.
#[cfg(feature = "bincode")]
#[test]
fn a_value_sealed_with_one_codec_is_refused_by_a_sealer_of_another() {
    use sealed_session::{Bincode, Postcard};
    let bincode = Sealer::with_codec(fixed_key(1), Bincode).cookie_name("session");
    let postcard = Sealer::with_codec(fixed_key(1), Postcard).cookie_name("session");
    // Small integers and short strings are encoded alike by the two formats.
    let value = bincode.seal_at(&(7u8, "ab".to_owned()), NOW).unwrap();
    assert_eq!(
        postcard.open_at::<(u8, String)>(&value, NOW).unwrap_err(),
        OpenError::WrongCodec {
            sealed_with: 1,
            expected: 2
        }
    );
    let value = postcard.seal_at(&(7u8, "ab".to_owned()), NOW).unwrap();
    assert_eq!(
        bincode.open_at::<(u8, String)>(&value, NOW).unwrap_err(),
        OpenError::WrongCodec {
            sealed_with: 2,
            expected: 1
        }
    );
    assert_eq!(
        postcard
            .open_at::<(u8, String)>(&value, NOW)
            .unwrap()
            .into_value(),
        (7, "ab".to_owned())
    );
}

/// Which codec `Sealer::new` uses is fixed: enabling a codec's feature anywhere in a dependency
/// tree does not change it.
#[test]
fn the_default_codec_is_postcard_whatever_features_are_on() {
    let value = Sealer::new(fixed_key(1)).seal_at(&1u8, NOW).unwrap();
    let opened = Sealer::new(fixed_key(1))
        .open_bytes_at(&value, NOW)
        .unwrap();
    assert_eq!(
        opened.codec_id(),
        <sealed_session::Postcard as sealed_session::Codec>::ID
    );
    assert_eq!(
        std::any::type_name::<sealed_session::DefaultCodec>(),
        std::any::type_name::<sealed_session::Postcard>()
    );
}
