//! Frozen vectors: values sealed once by this release with a fixed key must keep opening to the
//! exact same data. A change to the wire format, the key id, a codec's encoding or the time
//! checks breaks these tests.
//!
//! Each value was sealed by `Sealer` with key `fixed_key(1)` (key id `10ce5255`), cookie name
//! `session`, a `ManualClock` at 1700000000, absolute lifetime 7 days and idle timeout 3 days,
//! from `sample_profile()`. Never regenerate them to make a failing test pass: a failure means
//! cookies already in browsers would stop opening.

use std::time::Duration;

use sealed_session::{Codec, Key, KeyRing, OpenError, Sealer};

use crate::common::{fixed_key, sample_profile, Profile};

const CREATED_AT: u64 = 1_700_000_000;
const EXPIRES_AT: u64 = CREATED_AT + 3 * 86_400;
const OPENED_AT: u64 = CREATED_AT + 3_600;

/// `sample_profile()` under bincode 2 (standard configuration).
const FROZEN_BINCODE: &str = concat!(
    "ARDOUlXFxzrnFq8LIcOvbxAYk6CvfADeCTrhw5hrNUafsilVWvHT2_QdiomdgC9WK_3tkMERx3xxFcZy",
    "mWpsNgb8XGiWaZEEYrl2fkv55SIPaHjRFbDRktFo6DMOIjOnkUJyVBADcEN37kMInU5_YlkCjyPUFM_U",
    "Hyz_1Xv7BVq4VgISUMThjwXxOPhTLb4LjIIptJmpKfVOXjGnp3vmuAf3n_bkAqBMISSHUF9QJCkabWx8",
    "b3q2ZTdoQsFlPrn28gVb1AKqBLfzZYn90KcsL-k9J7f6xcQq1nojhGpxEYfo2YbZWq5drjTEx-vykijE",
    "jCLwpYFL9jzhY-QImGD4kfo9tQQ",
);

/// `sample_profile()` under postcard 1.
#[cfg(feature = "postcard")]
const FROZEN_POSTCARD: &str = concat!(
    "ARDOUlXLTlYVrMnVUitLH0KuZtlAwU-bjL-7Y_amOTko3anhcL9HyeJeENGSuq6lPqD392MZmyHzBFRA",
    "jWAbN1oKlhd56g68uDO5C-66RbljEn-mtXcpenUY0d6fJ7liFE_8N9-rVWVBEqxPRIXcuOm3VB8Krmh9",
    "7qNV-aU5A4BYAIkaTJjmfBdLbAU5qFjZK8fS336Q_6rp_r7pP-e_zsgUyKiZetTVOqzzLH-obdKeYI-h",
    "QhAT6w3j1mY8I3gISnH8-0iHS06p_Vf9igpdqtMGHMrwpZAhPIDKfuHEQptEeszPePJrT7szyX3wEoJQ",
    "lWoARS7qmmK2UNWC0ExWsN6h79rciA",
);

/// `sample_profile()` under serde_json.
#[cfg(feature = "json")]
const FROZEN_JSON: &str = concat!(
    "ARDOUlWGgW_XeNy7ysFuExqOWld3M2E8W24pj4rLGHJbiJlGwskg_EDRpIpP64nzZdUvMdURGV7-FDM5",
    "6gHjL6MCP05AzZ-PEgixe9pc1JLg6DrRN6reunnOfg_CQEk5ERauny-ez2xc3zdFsLIDgrCrQXwaRmP2",
    "gpGUASmOjj2kkkDP4H0MBkVrzH4u_6sjAcggOd9jv66oQHRboQjLLVbPFRqnnDIaGIsc1tfGkddruzq2",
    "lqpf8dl0jQF8mSt1CivlYTxFCfHDcNgmdRYZCqt_QwETzOELOSIRJAvGOFeZDa2I9VtpwL9zuJO8GrWh",
    "iz21HBZPZxKtCREHPTZ8IDvfdQbSlTV3Gsag53JD6PlwQ4gGOzJNk3vC4sYu45ji7UBrByjaV0lbOvyF",
    "Z8refo84RfcP1x5mjmSqW91TjXutDX2rD6yF5rHdDKSdgs9A64nJjPgwmJRl3qmE223DlLqBjwIgxxCO",
    "oqCwiVG-zyQCb4MBiBbZzDdc971X1colrvpuhGAVIhoIE_p8TZ6nTLfWhHJoz2Yj4EFGWMHAbM0ySDYs",
    "QnKUN4g5n0V0C0o8ZajkzFjvaEM3u3ylTlNADyK4_VkTGQUT-u68-RGOhUjBOWy8zuk4_fztSGINwY-V",
    "3S20lbaEmJ-bnbd71CU4s5kn0BFj__1Z_g6gTjfQrd94tN_eC7iJFRTBMC8IUQjczbdLOTA2g3512jIJ",
    "xv67XS5VAb0CXMPOb3fP5R8l2EMRdueSHZn2D6_gXkPsktwRwiZt74bHlR5pGxznroFJrgKMlihkZ_-g",
    "P_OuTPyj_kP_oiaSNePKDdgnNMaVbZTbOuBRZEduDly3QPN2PtwTvj6p4uXgk_JOngm2itEznng8IWJN",
    "vdYD02tIAxcT-os5F1uqNVmkMcmUtIBzsZBIaLWAHQ",
);

/// Wire-format vector from the envelope's unit test: key `[0x42; 32]`, nonce `[0x24; 24]`,
/// created 1700000000, expires 1700086400, name `session`, payload `hello`. Cross-checked against
/// libsodium's `crypto_aead_xchacha20poly1305_ietf_encrypt`.
const FROZEN_HELLO: &str =
    "ARCMB0QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCSlr4QAbiRMpiJtal8OiA3KWpTi1hNa2kqD3AsNO4diSdd2vD5F";

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

#[cfg(feature = "postcard")]
#[test]
fn frozen_postcard_value_opens_to_the_exact_profile() {
    assert_opens_to_the_sample(sealed_session::Postcard, FROZEN_POSTCARD);
}

#[cfg(feature = "json")]
#[test]
fn frozen_json_value_opens_to_the_exact_profile() {
    assert_opens_to_the_sample(sealed_session::Json, FROZEN_JSON);
}

#[test]
fn frozen_wire_vector_opens_to_its_payload_and_times() {
    let sealer = Sealer::new(Key::from_bytes([0x42; 32]));
    let opened = sealer.open_bytes_at(FROZEN_HELLO, 1_700_000_001).unwrap();
    assert_eq!(opened.value(), b"hello");
    assert_eq!(opened.key_id().to_string(), "108c0744");
    assert_eq!(opened.created_at(), 1_700_000_000);
    assert_eq!(opened.expires_at(), 1_700_086_400);
}

#[test]
fn frozen_values_do_not_open_under_another_key_or_name() {
    let other_key = Sealer::new(KeyRing::new(fixed_key(2)));
    assert!(matches!(
        other_key.open_bytes_at(FROZEN_BINCODE, OPENED_AT),
        Err(OpenError::UnknownKey(id)) if id.to_string() == "10ce5255"
    ));
    let other_name = frozen_sealer(sealed_session::DefaultCodec::default()).cookie_name("sid");
    assert_eq!(
        other_name
            .open_bytes_at(FROZEN_BINCODE, OPENED_AT)
            .unwrap_err(),
        OpenError::Unauthenticated
    );
}
