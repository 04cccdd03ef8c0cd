//! Lifetimes: absolute expiry, idle timeout and sliding, leeway, revocation by start time.

use std::time::{Duration, UNIX_EPOCH};

use sealed_session::{Clock, ManualClock, OpenError, SealError, Sealer};

use common::fixed_key;

const T: u64 = 1_700_000_000;

/// Absolute lifetime 1000 s, no idle timeout, no leeway unless a test sets one.
fn sealer() -> Sealer {
    Sealer::new(fixed_key(1))
        .max_lifetime(Duration::from_secs(1_000))
        .leeway(Duration::ZERO)
}

fn open_at(sealer: &Sealer, value: &str, now: u64) -> Result<u64, OpenError> {
    sealer.open_at::<String>(value, now).map(|o| o.expires_at())
}

#[test]
fn a_session_opens_until_its_absolute_deadline_and_not_after() {
    let sealer = sealer();
    let value = sealer.seal_at("v", T).unwrap();
    assert_eq!(open_at(&sealer, &value, T), Ok(T + 1_000));
    assert_eq!(open_at(&sealer, &value, T + 1_000), Ok(T + 1_000));
    assert_eq!(
        open_at(&sealer, &value, T + 1_001),
        Err(OpenError::Expired {
            expired_at: T + 1_000
        })
    );
}

#[test]
fn the_sealer_clock_decides_expiry() {
    let clock = ManualClock::new(T);
    let sealer = sealer().clock(clock.clone());
    let value = sealer.seal(&"v").unwrap();
    clock.advance(Duration::from_secs(999));
    assert_eq!(sealer.open::<String>(&value).unwrap().created_at(), T);
    clock.advance(Duration::from_secs(2));
    assert_eq!(
        sealer.open::<String>(&value).unwrap_err(),
        OpenError::Expired {
            expired_at: T + 1_000
        }
    );
}

#[test]
fn an_idle_session_expires_after_the_idle_timeout() {
    let sealer = sealer().idle_timeout(Duration::from_secs(100));
    let value = sealer.seal_at("v", T).unwrap();
    assert_eq!(open_at(&sealer, &value, T + 100), Ok(T + 100));
    assert_eq!(
        open_at(&sealer, &value, T + 101),
        Err(OpenError::Expired {
            expired_at: T + 100
        })
    );
}

#[test]
fn resealing_slides_the_idle_deadline_but_never_past_the_absolute_one() {
    let sealer = sealer().idle_timeout(Duration::from_secs(100));
    let mut value = sealer.seal_at("v", T).unwrap();
    let mut now = T;
    // Active every 90 s: each re-seal moves the idle deadline 100 s ahead of it.
    while now + 90 < T + 1_000 {
        now += 90;
        let opened = sealer.open_at::<String>(&value, now).unwrap();
        assert_eq!(opened.created_at(), T);
        value = sealer
            .reseal_at(opened.value(), opened.created_at(), now)
            .unwrap();
        let expires = open_at(&sealer, &value, now).unwrap();
        assert_eq!(expires, (now + 100).min(T + 1_000), "at {now}");
    }
    // The last re-seal ends exactly at the absolute deadline.
    assert_eq!(open_at(&sealer, &value, T + 1_000), Ok(T + 1_000));
    assert!(open_at(&sealer, &value, T + 1_001).is_err());
    // And no re-seal extends a session past it.
    assert_eq!(
        sealer.reseal_at("v", T, T + 1_000).unwrap_err(),
        SealError::LifetimeExceeded {
            ended_at: T + 1_000
        }
    );
}

#[test]
fn sealing_a_session_past_its_lifetime_is_lifetime_exceeded() {
    let sealer = sealer();
    assert!(sealer.reseal_at("v", T, T + 999).is_ok());
    let err = sealer.reseal_at("v", T, T + 5_000).unwrap_err();
    assert_eq!(
        err,
        SealError::LifetimeExceeded {
            ended_at: T + 1_000
        }
    );
    assert!(err.to_string().contains(&(T + 1_000).to_string()));
}

#[test]
fn leeway_extends_deadlines_by_exactly_its_length() {
    let sealer = sealer()
        .idle_timeout(Duration::from_secs(100))
        .leeway(Duration::from_secs(30));
    let value = sealer.seal_at("v", T).unwrap();
    assert_eq!(open_at(&sealer, &value, T + 130), Ok(T + 100));
    assert_eq!(
        open_at(&sealer, &value, T + 131),
        Err(OpenError::Expired {
            expired_at: T + 100
        })
    );
}

#[test]
fn leeway_tolerates_a_start_time_slightly_in_the_future() {
    // Another instance whose clock runs 30 s ahead sealed it.
    let ahead = sealer().leeway(Duration::from_secs(30));
    let value = ahead.seal_at("v", T + 30).unwrap();
    assert!(open_at(&ahead, &value, T).is_ok());
    let too_far = ahead.seal_at("v", T + 31).unwrap();
    assert_eq!(
        open_at(&ahead, &too_far, T),
        Err(OpenError::NotYetValid { created_at: T + 31 })
    );
}

#[test]
fn a_start_time_in_the_future_is_not_yet_valid() {
    let sealer = sealer();
    let value = sealer.seal_at("v", T + 1).unwrap();
    assert_eq!(
        open_at(&sealer, &value, T),
        Err(OpenError::NotYetValid { created_at: T + 1 })
    );
    assert_eq!(open_at(&sealer, &value, T + 1), Ok(T + 1_001));
}

#[test]
fn the_default_leeway_is_one_minute() {
    let sealer = Sealer::new(fixed_key(1)).max_lifetime(Duration::from_secs(1_000));
    let value = sealer.seal_at("v", T).unwrap();
    assert!(open_at(&sealer, &value, T + 1_060).is_ok());
    assert!(open_at(&sealer, &value, T + 1_061).is_err());
    let future = sealer.seal_at("v", T + 60).unwrap();
    assert!(open_at(&sealer, &future, T).is_ok());
}

#[test]
fn invalidate_before_revokes_sessions_that_began_earlier() {
    let sealer = sealer();
    let old = sealer.seal_at("v", T - 1).unwrap();
    let new = sealer.seal_at("v", T).unwrap();
    let cut = sealer.clone().invalidate_before_unix(T);
    assert_eq!(
        open_at(&cut, &old, T + 10),
        Err(OpenError::Revoked { created_at: T - 1 })
    );
    assert!(open_at(&cut, &new, T + 10).is_ok());
    // Re-sealing keeps created_at, so a revoked session cannot be refreshed back to life.
    let by_time = sealer.invalidate_before(UNIX_EPOCH + Duration::from_secs(T));
    assert_eq!(
        open_at(&by_time, &old, T + 10),
        Err(OpenError::Revoked { created_at: T - 1 })
    );
}

#[test]
fn shortening_max_lifetime_ends_older_sessions_at_once() {
    let long = sealer().max_lifetime(Duration::from_secs(10_000));
    let value = long.seal_at("v", T).unwrap();
    let short = long.clone().max_lifetime(Duration::from_secs(100));
    assert_eq!(open_at(&long, &value, T + 500), Ok(T + 10_000));
    assert_eq!(open_at(&short, &value, T + 50), Ok(T + 100));
    assert_eq!(
        open_at(&short, &value, T + 500),
        Err(OpenError::Expired {
            expired_at: T + 100
        })
    );
}

#[test]
fn idle_refresh_is_due_once_half_the_idle_timeout_is_gone() {
    let sealer = sealer().idle_timeout(Duration::from_secs(100));
    let value = sealer.seal_at("v", T).unwrap();
    let due = |now| {
        sealer
            .open_at::<String>(&value, now)
            .unwrap()
            .idle_refresh_due()
    };
    assert!(!due(T));
    assert!(!due(T + 50));
    assert!(due(T + 51));
    assert!(due(T + 100));

    // Near the absolute deadline there is nothing to refresh: a re-seal could not extend it.
    let late = sealer.reseal_at("v", T, T + 950).unwrap();
    let opened = sealer.open_at::<String>(&late, T + 990).unwrap();
    assert_eq!(opened.expires_at(), T + 1_000);
    assert!(!opened.idle_refresh_due());

    // Without an idle timeout it is never due.
    let plain = self::sealer();
    let value = plain.seal_at("v", T).unwrap();
    assert!(!plain
        .open_at::<String>(&value, T + 999)
        .unwrap()
        .idle_refresh_due());
}

#[test]
fn a_manual_clock_is_shared_by_its_clones() {
    let clock = ManualClock::new(T);
    let copy = clock.clone();
    clock.set(T + 5);
    clock.advance(Duration::from_secs(5));
    assert_eq!(copy.now(), T + 10);
}
