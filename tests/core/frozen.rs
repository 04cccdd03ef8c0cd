//! Frozen vectors: values sealed once with a fixed key must keep opening to the exact same
//! data, in both format versions (1, written by the releases before the cookie-lifetime field,
//! and 2). A change to the wire format, the key id, a codec's encoding or the time
//! checks breaks these tests.
//!
//! Each value was sealed by `Sealer` with key `fixed_key(1)` (key id `10ce5255`), cookie name
//! `session`, a `ManualClock` at 1700000000, absolute lifetime 7 days and idle timeout 3 days,
//! from `sample_profile()`, in the layout of docs/format.md (the codec byte in the header).
//! Never regenerate them to make a failing test pass: once a release has shipped, a failure
//! means cookies already in browsers would stop opening.

use std::time::Duration;

use sealed_session::{Codec, Key, KeyRing, OpenError, Sealer};

use common::{fixed_key, sample_profile, Profile};

const CREATED_AT: u64 = 1_700_000_000;
const EXPIRES_AT: u64 = CREATED_AT + 3 * 86_400;
const OPENED_AT: u64 = CREATED_AT + 3_600;

/// `sample_profile()` under bincode 2 (standard configuration).
#[cfg(feature = "bincode")]
const FROZEN_BINCODE: &str = concat!(
    "ARDOUlUBR_h2d5KN8EctCwVwl9rS6-tUlPEjqA9QsUdHxGsXBcFskyk8FMJMBFF-LKGO3mhH28UNZwHo",
    "LECbz_wHgUlmf5GfcaY_HD32Enowwl3Z7XB1HENlW7POmpzLf6NMe1UgeNSCSWg1MKq4pRhYAYTOJ159",
    "JZI7STHpPM6Y7tiRC1mgeiYCliuippQ2NsEfC7Kct7u3PK8OllWZCwvwlYBCtqqGzcK0RP1I-4I9uAy8",
    "uK0aEUfa4a4ax-V1DI0Av8Ao94pTBmtgcobrFvP_bBHE4X2QZQeP6IedvzirqnNQfdl7L6fT4YNHIY9o",
    "-yNpk6-sWFwohhyI8jg8oMW2Q_Td",
);

/// `sample_profile()` under postcard 1.
const FROZEN_POSTCARD: &str = concat!(
    "ARDOUlUCjlg1DdoDSilzVL6r75sWChJ4_FFOiMPACAXV--gO7gkAGdlQJO7QnnfW6zcuzTGcDmosfRT4",
    "7ltTRP8Oq_A_ck7SLq0A8Nph5itfwvdIjRqr1CxkPeP_mMJxP7Xcb12jBBC6CKP4_-IHFWcEymkTMxgE",
    "b2T2GS-NJQkoIjkcJJ_4RSfGow6k-Clz9kxoxIy6Km5Su6HBsGTvi_klTArzuOqbVRciKHtLva2ix1JY",
    "OfwwS5YoLmIPe0Sr8fgwNjs8enBtYvx3evsi6MZYhGXx9C3V5ZezNmBoDqcjMa6prFixpQzR3R03zXii",
    "078K7n1OcUg8gZG41jzRoZ97ae2VPnE",
);

/// `sample_profile()` under serde_json.
#[cfg(feature = "json")]
const FROZEN_JSON: &str = concat!(
    "ARDOUlUDgruNCozZ7CgjN3lzQjzaQOJllOvT9QMXt7efqlz_BwcQqC63GHeWMSR3wUNTSppYMl4K7Cjv",
    "Izn4WVfYTXWEKUalTEHjm03XJ0oUzmuYQS8qNd2mjSO7IxwVWDnzzrPX8OdGmhxUa18SNGUnGfEmLCq5",
    "-zqj-7-hOtheCdLcn4gCCws3mVnx94wYN-dM-6PJLgN0erDMztC07LLL1bcOWPw2qc8Owg_Vu5uQohUZ",
    "XppXGdqxChtZ2lcbcDplJD0-0_p8gRfZa766yMOklQxcDwxtwL2LF8HTWbCnmZKGELuFpPF6yarzYxjR",
    "4utEQAWOdsfRoZZkc24QNiZP9CvhgJtCEwlMTsgG58eD5Cw8EszaYCHyms-NgVQvCTBmK9AHuuzOjFfJ",
    "QwTz2UiTUKKBrV_m3wRR9ib999PewjVsNArHCzzV3Gus2wQAODPjZ74oDI9lIYt-8Dc77Mrsou2ebIr8",
    "S8MdrflareXnd7HSx0-ZAE7wN9GpkP1_STD5IUriJ4QAoH8U0vgZauypm_h0Vq9S0F7gWiTR4Ix1wGqG",
    "GzC4LzFlbrd6wTyTcIQTZ7xPoGOOfxXKdRRdWMLJLYlai9YrWdwaqxmnIzmCfEiFCX1HR8STNjaa-4Rs",
    "kSRwhcpmHKkG_5qUmc7u3hmCbps62qZh7mtErOjjGSzXQVnZIlmGS3kJVX4G9h12yowwT_9SA5KdazNv",
    "wwe1EXds6Qa0TnLgLD2jcIDDE5hbn5L_BuD-A5RUD5dGsJSe99VIlyA6BCOhYHwM5KCJJ08sRempc7Nu",
    "V-65ijBQ6Shk-BTsA26qbtvjzisOwoX7YMdRxONH-EhPc4fmN_yWWdOstpspjXIyKZH36bRQDgV5nOoy",
    "Kj5gWDAgTIdbBnLMkuVuExrQdiN0KzlUE3Jwma2R35o",
);

/// Wire-format vector from the envelope's unit test: key `[0x42; 32]`, codec byte 2 (postcard),
/// nonce `[0x24; 24]`, created 1700000000, expires 1700086400, name `session`, payload `hello`. Cross-checked against
/// libsodium's `crypto_aead_xchacha20poly1305_ietf_encrypt`.
const FROZEN_HELLO: &str =
    "ARCMB0QCJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkpa-EAG4kTKYibWpfDogNylqU4tYTfXTyyFcG9USe7atuAZLr9w";

/// The same in version 2, with the cookie field `02 00 00 00 00` (until the session expires).
const FROZEN_HELLO_V2: &str =
    "AhCMB0QCJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkpa-EAG4kTKYibWpfDogNyjDxjrp8dxHxTQ5Zo5cidwCakoGUKQdRZrwh";

/// `sample_profile()` under postcard 1, in format version 2 (the cookie field zero: no
/// lifetime chosen).
const FROZEN_POSTCARD_V2: &str = concat!(
    "AhDOUlUCuhCog19ELiHfiMyVoma2SQ5XHlk5IenJqKB-y7rLrhlhnlp_DQCvDQnargtNFm5ET92BsGK6",
    "RrW2GwjF1jfXAUBxTFSvtatvhjcnMm_x0OPj9mrC0aBHdfA4g0VOfsmCPDidl8lZOO9dxnaIlnIsP2M-",
    "hwODhZH4YeiVCXTtChBluTC8JZJhcqC1MDbmx2PNxhalasBBwGpW6FkSnOf3jyBfJj_jVTlVldWXaEt-",
    "UqVWMfQVxlsSA6YLbV7mJNuIEcyb77pfVTQhmpU2A1FN3ivT72rWz0NMxR3DL3-d4-LG3LJQNwy4W78c",
    "vRn2S72HPtypWpopxfJeA6K-kJvRKOwa8BQ8tg",
);

/// A session (`profile` = `sample_profile()`, postcard) that chose
/// `CookieExpiry::UntilSessionExpires`, in format version 2: the choice is sealed with it.
const FROZEN_SESSION_REMEMBERED: &str = concat!(
    "AhDOUlUCd8sY5X4Kxkmenhbbrdd6Q3qV9UF3b2yLKo99rFQiMffm8eoBjmtf58bITGBxTU-YFer69n_Y",
    "67av4kwGP7VVae9wE9yL2iLCdHKtKQFlQ95zbAjAR_6XGmwiD_8SVjUzUr_iahCaVTXwPg7-HrcuhsIX",
    "MHIhFhXibD1X4bMV0IkXTkr3sthliiZoauX38v97If-M-oLBnEUL3s-Xye-gObtJAlcYMYn-FCpAi6e8",
    "A1TFmLiG-vPom7xb1HUqdH95-0oUzTFKNKiHBxlSf-i5m5Gs7A75J0F9K407GwPMnz_enU_mNYHUMFE_",
    "0GHAwS58JtbiYiU4RvrwvQRcr3oNzL9QThMAcE86b8GJvI1Holl6",
);

fn frozen_sealer<C: Codec>(codec: C) -> Sealer<C> {
    Sealer::with_codec(fixed_key(1), codec)
        .cookie_name("session")
        .max_lifetime(Duration::from_secs(7 * 86_400))
        .idle_timeout(Duration::from_secs(3 * 86_400))
}

fn assert_opens_to_the_sample<C: Codec>(codec: C, value: &str) {
    let sealer = frozen_sealer(codec);
    let opened = sealer.open_at::<Profile>(value, OPENED_AT).unwrap();
    assert_eq!(opened.value(), &sample_profile());
    assert_eq!(opened.key_id().to_string(), "10ce5255");
    assert_eq!(opened.created_at(), CREATED_AT);
    assert_eq!(opened.expires_at(), EXPIRES_AT);
    assert!(!opened.needs_reseal());
    // The recorded deadline is enforced too.
    assert_eq!(
        sealer
            .open_at::<Profile>(value, EXPIRES_AT + 61)
            .unwrap_err(),
        OpenError::Expired {
            expired_at: EXPIRES_AT
        }
    );
}

#[cfg(feature = "bincode")]
#[test]
fn frozen_bincode_value_opens_to_the_exact_profile() {
    assert_opens_to_the_sample(sealed_session::Bincode, FROZEN_BINCODE);
}

#[test]
fn frozen_postcard_value_opens_to_the_exact_profile() {
    assert_opens_to_the_sample(sealed_session::Postcard, FROZEN_POSTCARD);
    assert_opens_to_the_sample(sealed_session::Postcard, FROZEN_POSTCARD_V2);
    let sealer = frozen_sealer(sealed_session::Postcard);
    let v1 = sealer
        .open_at::<Profile>(FROZEN_POSTCARD, OPENED_AT)
        .unwrap();
    let v2 = sealer
        .open_at::<Profile>(FROZEN_POSTCARD_V2, OPENED_AT)
        .unwrap();
    assert_eq!((v1.cookie_expiry(), v2.cookie_expiry()), (None, None));
}

#[test]
fn a_frozen_session_keeps_the_cookie_lifetime_it_chose() {
    use sealed_session::{CookieExpiry, SessionSealer};
    let opened = frozen_sealer(sealed_session::Postcard)
        .open_session(FROZEN_SESSION_REMEMBERED, OPENED_AT)
        .unwrap();
    assert_eq!(
        opened.cookie_expiry,
        Some(CookieExpiry::UntilSessionExpires)
    );
    assert_eq!(opened.created_at, CREATED_AT);
    let profile = opened.entries.get("profile").unwrap();
    assert_eq!(
        sealed_session::Postcard.decode::<Profile>(profile).unwrap(),
        sample_profile()
    );
}

#[cfg(feature = "json")]
#[test]
fn frozen_json_value_opens_to_the_exact_profile() {
    assert_opens_to_the_sample(sealed_session::Json, FROZEN_JSON);
}

#[test]
fn frozen_wire_vector_opens_to_its_payload_and_times() {
    let sealer = Sealer::new(Key::from_bytes([0x42; 32])).cookie_name("session");
    let opened = sealer.open_bytes_at(FROZEN_HELLO, 1_700_000_001).unwrap();
    assert_eq!(opened.value(), b"hello");
    let v2 = sealer
        .open_bytes_at(FROZEN_HELLO_V2, 1_700_000_001)
        .unwrap();
    assert_eq!(v2.value(), b"hello");
    assert_eq!(
        v2.cookie_expiry(),
        Some(sealed_session::CookieExpiry::UntilSessionExpires)
    );
    assert_eq!(opened.codec_id(), 2);
    assert_eq!(opened.key_id().to_string(), "108c0744");
    assert_eq!(opened.created_at(), 1_700_000_000);
    assert_eq!(opened.expires_at(), 1_700_086_400);
}

#[test]
fn frozen_values_do_not_open_under_another_key_or_name() {
    let other_key = Sealer::new(KeyRing::new(fixed_key(2)));
    assert!(matches!(
        other_key.open_bytes_at(FROZEN_POSTCARD, OPENED_AT),
        Err(OpenError::UnknownKey(id)) if id.to_string() == "10ce5255"
    ));
    let other_name = frozen_sealer(sealed_session::DefaultCodec::default()).cookie_name("sid");
    assert_eq!(
        other_name
            .open_bytes_at(FROZEN_POSTCARD, OPENED_AT)
            .unwrap_err(),
        OpenError::Unauthenticated
    );
}

/// Each frozen value names its codec, and a sealer of another codec refuses it before decoding,
/// whether or not the bytes would happen to decode.
#[test]
fn frozen_values_name_their_codec_and_open_under_no_other() {
    let postcard = frozen_sealer(sealed_session::Postcard);
    assert_eq!(
        postcard
            .open_bytes_at(FROZEN_POSTCARD, OPENED_AT)
            .unwrap()
            .codec_id(),
        2
    );
    #[cfg(feature = "bincode")]
    {
        let bincode = frozen_sealer(sealed_session::Bincode);
        assert_eq!(
            bincode
                .open_bytes_at(FROZEN_BINCODE, OPENED_AT)
                .unwrap()
                .codec_id(),
            1
        );
        assert_eq!(
            postcard
                .open_at::<Profile>(FROZEN_BINCODE, OPENED_AT)
                .unwrap_err(),
            OpenError::WrongCodec {
                sealed_with: 1,
                expected: 2
            }
        );
        assert_eq!(
            bincode
                .open_at::<Profile>(FROZEN_POSTCARD, OPENED_AT)
                .unwrap_err(),
            OpenError::WrongCodec {
                sealed_with: 2,
                expected: 1
            }
        );
    }
    #[cfg(feature = "json")]
    assert_eq!(
        postcard
            .open_at::<Profile>(FROZEN_JSON, OPENED_AT)
            .unwrap_err(),
        OpenError::WrongCodec {
            sealed_with: 3,
            expected: 2
        }
    );
}
