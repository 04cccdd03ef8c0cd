//! Key handling: redacted `Debug`, stable key ids, base64 forms, derivation and its errors.

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;
use sealed_session::{DeriveParams, Key, KeyError, KeyRing, Sealer};

use common::fixed_key;

/// Cheap Argon2id parameters so that tests stay fast; never for production.
const LIGHT: DeriveParams = DeriveParams::new(1, 64, 1);
const SECRET: &[u8] = b"a secret of at least thirty-two bytes, for tests";
const SALT: &[u8] = b"sixteen byte slt";

/// Every text form in which key bytes could leak into a log.
fn leak_forms(bytes: &[u8; 32]) -> Vec<String> {
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let mut forms = vec![
        hex.clone(),
        hex.to_uppercase(),
        STANDARD.encode(bytes),
        STANDARD_NO_PAD.encode(bytes),
        URL_SAFE.encode(bytes),
        URL_SAFE_NO_PAD.encode(bytes),
        format!("{bytes:?}"),
        format!("{bytes:#?}"),
    ];
    // Any 4 consecutive bytes: in hex, and as a run of a decimal array (`[165, 180, ...]`).
    for window in bytes.windows(4) {
        forms.push(window.iter().map(|b| format!("{b:02x}")).collect());
        forms.push(
            window
                .iter()
                .map(u8::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    // Any 8-character run of the base64 forms.
    for text in [STANDARD.encode(bytes), URL_SAFE.encode(bytes)] {
        for i in 0..text.len() - 8 {
            forms.push(text[i..i + 8].to_string());
        }
    }
    forms
}

#[test]
fn debug_of_keys_rings_and_sealers_leaks_no_key_bytes() {
    let keys = [fixed_key(1), fixed_key(2), fixed_key(3)];
    let ring = KeyRing::from_keys(keys.clone()).unwrap();
    let sealer = Sealer::new(ring.clone());
    let outputs = [
        format!("{:?}", keys[0]),
        format!("{:#?}", keys[0]),
        format!("{ring:?}"),
        format!("{ring:#?}"),
        format!("{sealer:?}"),
        format!("{sealer:#?}"),
    ];
    for key in &keys {
        for form in leak_forms(key.as_bytes()) {
            for output in &outputs {
                assert!(!output.contains(&form), "{output} contains {form}");
            }
        }
    }
    // What Debug does show: the public ids.
    assert_eq!(format!("{:?}", keys[0]), "Key { id: KeyId(10ce5255), .. }");
    for key in &keys {
        assert!(outputs[2].contains(&key.id().to_string()));
    }
}

#[test]
fn key_ids_match_an_independent_blake2b_computation() {
    // Computed with Python: hashlib.blake2b(b"sealed-session key-id v1", key=k,
    // digest_size=32).hexdigest()[:8]
    assert_eq!(Key::from_bytes([0x42; 32]).id().to_string(), "108c0744");
    let counting: [u8; 32] = core::array::from_fn(|i| i as u8);
    assert_eq!(Key::from_bytes(counting).id().to_string(), "b0cddeb5");
    assert_eq!(fixed_key(0).id().to_string(), "5ea0fc5d");
    assert_eq!(fixed_key(1).id().to_string(), "10ce5255");
    assert_eq!(fixed_key(7).id().to_string(), "0662ab1d");
    assert_eq!(
        Key::from_bytes([0x42; 32]).id().to_bytes(),
        [0x10, 0x8c, 0x07, 0x44]
    );
    assert_eq!(format!("{:?}", fixed_key(1).id()), "KeyId(10ce5255)");
}

#[test]
fn from_base64_accepts_both_alphabets_padded_or_not() {
    // Chosen so that the standard and url-safe forms differ: it starts "++++////".
    let mut bytes = [0u8; 32];
    bytes[..6].copy_from_slice(&[0xfb, 0xef, 0xbe, 0xff, 0xff, 0xff]);
    for (i, b) in bytes.iter_mut().enumerate().skip(6) {
        *b = 94 + i as u8;
    }
    let key = Key::from_bytes(bytes);
    assert_eq!(key.id().to_string(), "72cc9aeb");
    let forms = [
        STANDARD.encode(bytes),
        STANDARD_NO_PAD.encode(bytes),
        URL_SAFE.encode(bytes),
        URL_SAFE_NO_PAD.encode(bytes),
    ];
    assert_eq!(forms[0], "++++////ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH0=");
    assert_eq!(forms[3], "----____ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH0");
    for form in &forms {
        assert_eq!(Key::from_base64(form).unwrap(), key, "{form}");
        assert_eq!(Key::from_base64(&format!("  {form}\n")).unwrap(), key);
    }
    assert_eq!(key.to_base64(), forms[0]);
    assert_eq!(Key::from_base64(&key.to_base64()).unwrap(), key);
}

#[test]
fn from_base64_names_the_length_or_refuses_non_base64() {
    for len in [0usize, 1, 16, 31, 33, 64] {
        let text = STANDARD.encode(vec![7u8; len]);
        assert_eq!(
            Key::from_base64(&text).unwrap_err(),
            KeyError::Length { len }
        );
    }
    assert_eq!(
        Key::from_base64(&STANDARD.encode([7u8; 31]))
            .unwrap_err()
            .to_string(),
        "a key is 32 bytes, got 31"
    );
    for bad in ["not base64!", "++++----", "AAAA=AAA", "ÄÖÜ"] {
        assert_eq!(
            Key::from_base64(bad).unwrap_err(),
            KeyError::Base64,
            "{bad}"
        );
    }
    assert_eq!(
        Key::from_slice(&[1; 31]).unwrap_err(),
        KeyError::Length { len: 31 }
    );
    assert_eq!(Key::from_slice(&[1; 32]).unwrap(), Key::from_bytes([1; 32]));
}

#[test]
fn keys_compare_by_their_bytes() {
    assert_eq!(fixed_key(1), fixed_key(1));
    assert_ne!(fixed_key(1), fixed_key(2));
    let a = Key::generate();
    let b = Key::generate();
    assert_ne!(a, b);
    assert_ne!(a.id(), b.id());
    assert_eq!(a.clone(), a);
}

#[test]
fn argon2id_derivation_matches_libsodiums_published_vector() {
    // libsodium test/default/pwhash_argon2id.c, tv3 entry 4, which libsodium's own test
    // verifies (pwhash_argon2id.exp reports no failure for it):
    // "$argon2id$v=19$m=4096,t=19,p=1$PkEgMTYtYnl0ZXMgc2FsdA$ltB/ue1kPtBMBGfsysMpPigE6hiNEKZ9vs8vLNVDQGA"
    // A 66-byte password, the 16-byte salt ">A 16-bytes salt", 32-byte output: exactly what
    // derive_with takes. Also reproduced with libsodium's crypto_pwhash (opslimit 19,
    // memlimit 4 MiB).
    let password = b"^T5H$JYt39n%K*j:W]!1s?vg!:jGi]Ax?..l7[p0v:1jHTpla9;]bUN;?bWyCbtqg ";
    let salt = b">A 16-bytes salt";
    let key = Key::derive_with(password, salt, DeriveParams::new(19, 4096, 1)).unwrap();
    assert_eq!(
        key.to_base64(),
        "ltB/ue1kPtBMBGfsysMpPigE6hiNEKZ9vs8vLNVDQGA="
    );
}

#[test]
fn the_default_derivation_parameters_are_libsodium_moderate() {
    // crypto_pwhash_argon2id_OPSLIMIT_MODERATE = 3, MEMLIMIT_MODERATE = 268435456 bytes.
    let moderate = DeriveParams::default();
    assert_eq!(moderate, DeriveParams::MODERATE);
    assert_eq!(
        (
            moderate.t_cost(),
            moderate.m_cost_kib() as u64 * 1024,
            moderate.p_cost()
        ),
        (3, 268_435_456, 1)
    );
    // INTERACTIVE: 2 and 67108864; SENSITIVE: 4 and 1073741824.
    let i = DeriveParams::INTERACTIVE;
    assert_eq!((i.t_cost(), i.m_cost_kib() as u64 * 1024), (2, 67_108_864));
    let s = DeriveParams::SENSITIVE;
    assert_eq!(
        (s.t_cost(), s.m_cost_kib() as u64 * 1024),
        (4, 1_073_741_824)
    );
}

#[test]
fn the_interactive_preset_derives_the_key_libsodium_derives() {
    // Computed with libsodium through PyNaCl: nacl.pwhash.argon2id.kdf(32, secret, salt,
    // opslimit=OPSLIMIT_INTERACTIVE, memlimit=MEMLIMIT_INTERACTIVE). 64 MiB, the cheapest
    // preset; MODERATE gives "5IaPnyddpwc+EEMJPOcaIXwzlhjlGxD2XbPqlfJ6+rE=" the same way.
    let key = Key::derive_with(
        b"0123456789abcdef0123456789abcdef",
        b"mq9hDxBVDbspDR6n",
        DeriveParams::INTERACTIVE,
    )
    .unwrap();
    assert_eq!(
        key.to_base64(),
        "2nwWkGh3cYcXTsE7HlgsK/fEGbwKxhr9jcum3Onbes8="
    );
}

#[test]
fn derivation_is_deterministic_and_depends_on_secret_and_salt() {
    let a = Key::derive_with(SECRET, SALT, LIGHT).unwrap();
    assert_eq!(a, Key::derive_with(SECRET, SALT, LIGHT).unwrap());
    assert_ne!(
        a,
        Key::derive_with(SECRET, b"sixteen byte sl2", LIGHT).unwrap()
    );
    let mut other_secret = SECRET.to_vec();
    other_secret[0] ^= 1;
    assert_ne!(a, Key::derive_with(&other_secret, SALT, LIGHT).unwrap());
    assert_ne!(
        a,
        Key::derive_with(SECRET, SALT, DeriveParams::new(2, 64, 1)).unwrap()
    );
}

#[test]
fn derivation_refuses_short_secrets_and_wrong_salts() {
    assert_eq!(
        Key::derive_with(&SECRET[..31], SALT, LIGHT).unwrap_err(),
        KeyError::SecretTooShort { len: 31 }
    );
    assert!(Key::derive_with(&SECRET[..32], SALT, LIGHT).is_ok());
    for len in [0usize, 15, 17, 32] {
        assert_eq!(
            Key::derive_with(SECRET, &vec![1u8; len], LIGHT).unwrap_err(),
            KeyError::SaltLength { len }
        );
    }
    // derive() checks its inputs before any expensive work.
    assert_eq!(
        Key::derive(b"short", SALT).unwrap_err(),
        KeyError::SecretTooShort { len: 5 }
    );
    assert_eq!(
        Key::derive(SECRET, b"salt").unwrap_err().to_string(),
        "salt must be exactly 16 bytes, got 4"
    );
    assert_eq!(
        KeyError::SecretTooShort { len: 5 }.to_string(),
        "secret must be at least 32 bytes, got 5"
    );
}

#[test]
fn derivation_refuses_impossible_parameters() {
    // Argon2 needs at least 8 KiB per lane and one pass.
    assert!(matches!(
        Key::derive_with(SECRET, SALT, DeriveParams::new(1, 1, 1)),
        Err(KeyError::Params(_))
    ));
    assert!(matches!(
        Key::derive_with(SECRET, SALT, DeriveParams::new(0, 64, 1)),
        Err(KeyError::Params(_))
    ));
}
