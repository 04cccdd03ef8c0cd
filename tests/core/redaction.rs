//! What the crate shows of a session in errors and `Debug` output: never its values, never the
//! sealed cookie.

use std::time::Duration;

use sealed_session::{ConfigError, OpenError, Sealer, SessionSealer, MAX_LEEWAY};

use common::fixed_key;

const SECRET: &str = "alice@example.com";
const NOW: u64 = 1_700_000_000;

fn shows_nothing_secret(what: &str, shown: &str, sealed: &str) {
    assert!(!shown.contains("alice"), "{what}: {shown}");
    assert!(!shown.contains("example.com"), "{what}: {shown}");
    assert!(
        !shown.contains(sealed),
        "{what} shows the sealed value: {shown}"
    );
}

#[test]
fn debug_of_opened_values_shows_no_session_data() {
    let sealer = Sealer::new(fixed_key(1));
    let sealed = sealer.seal_at(&SECRET, NOW).unwrap();
    let opened = sealer.open_at::<String>(&sealed, NOW).unwrap();
    assert_eq!(opened.value(), SECRET);
    shows_nothing_secret("Opened", &format!("{opened:?}"), &sealed);
    let bytes = sealer.open_bytes_at(&sealed, NOW).unwrap();
    shows_nothing_secret("Opened<Vec<u8>>", &format!("{bytes:?}"), &sealed);
}

#[test]
fn an_error_decoding_a_session_names_no_session_data() {
    let sealer = Sealer::new(fixed_key(1));
    let sealed = sealer.seal_at(&SECRET, NOW).unwrap();
    let err = sealer.open_at::<u64>(&sealed, NOW).unwrap_err();
    assert!(matches!(err, OpenError::Decode(_)), "{err:?}");
    shows_nothing_secret("OpenError", &format!("{err} {err:?}"), &sealed);
    // A session whose payload is not an entry map.
    let err = sealer.open_session(&sealed, NOW).unwrap_err();
    shows_nothing_secret(
        "OpenError of open_session",
        &format!("{err} {err:?}"),
        &sealed,
    );
}

#[cfg(feature = "json")]
#[test]
fn a_json_error_gives_its_kind_and_position_and_not_the_data() {
    let sealer = Sealer::with_codec(fixed_key(1), sealed_session::Json);
    let sealed = sealer
        .seal_at(&serde_json::json!({ "user": SECRET }), NOW)
        .unwrap();
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)] // only decoded, to fail
    struct User {
        user: u64,
    }
    let err = sealer.open_at::<User>(&sealed, NOW).unwrap_err();
    let shown = format!("{err} {err:?}");
    shows_nothing_secret("json OpenError", &shown, &sealed);
    assert!(shown.contains("line 1 column"), "{shown}");
    // A session whose JSON is a string, not an object.
    let sealed = sealer.seal_at(&SECRET, NOW).unwrap();
    let err = sealer.open_session(&sealed, NOW).unwrap_err();
    shows_nothing_secret("json open_session", &format!("{err} {err:?}"), &sealed);
}

#[test]
fn a_leeway_over_the_limit_is_refused_when_the_sealer_is_built() {
    let thirty_years = Duration::from_secs(30 * 365 * 86_400);
    let err = Sealer::new(fixed_key(1))
        .try_leeway(thirty_years)
        .unwrap_err();
    assert_eq!(
        err,
        ConfigError::LeewayTooLarge {
            seconds: thirty_years.as_secs(),
            max: MAX_LEEWAY.as_secs()
        }
    );
    assert!(Sealer::new(fixed_key(1))
        .try_leeway(MAX_LEEWAY + Duration::from_secs(1))
        .is_err());
    // At the limit, an expired session stays expired once the leeway has passed.
    let sealer = Sealer::new(fixed_key(1))
        .max_lifetime(Duration::from_secs(3_600))
        .leeway(MAX_LEEWAY);
    let sealed = sealer.seal_at(&1u8, NOW).unwrap();
    let late = NOW + 3_600 + MAX_LEEWAY.as_secs() + 1;
    assert!(matches!(
        sealer.open_at::<u8>(&sealed, late),
        Err(OpenError::Expired { .. })
    ));
}

#[test]
#[should_panic(expected = "clock-skew leeway")]
fn leeway_panics_on_a_constant_over_the_limit() {
    let _ = Sealer::new(fixed_key(1)).leeway(Duration::from_secs(3_600));
}
