//! `FastifyMigration::open_session` on the plugin's cookies: the native sealer's revocation,
//! lifetime, idle timeout and not-yet-valid rules apply to them, counted from `__ts`.

use std::time::Duration;

use sealed_session::{
    FastifyMigration, FastifySealer, Json, Key, OpenError, SealError, Sealer, SessionSealer,
};
use serde_json::json;

use crate::{unwire, NOW};

/// A native sealer with the default leeway (60 s) and the plugin's sealer with its default
/// expiry (86401 s), so that the native rules are the ones that bite.
fn sealers(native: Sealer<Json>) -> (FastifyMigration, FastifySealer) {
    let legacy = FastifySealer::new(Key::generate());
    (FastifyMigration::new(native, legacy.clone()), legacy)
}

fn native() -> Sealer<Json> {
    Sealer::with_codec(Key::generate(), Json).cookie_name("session")
}

/// The plugin's cookie for `{"views": 5}`, last written at `ts`, as the layer hands it over.
fn legacy_cookie(legacy: &FastifySealer, ts: u64) -> String {
    unwire(&legacy.seal_at(&json!({ "views": 5 }), ts).unwrap())
}

pub(crate) fn a_plugin_session_starts_at_its_ts_and_keeps_that_start_natively() {
    let (migration, legacy) = sealers(native().max_lifetime(Duration::from_secs(3_600)));
    let ts = NOW - 1_000;
    let opened = migration
        .open_session(&legacy_cookie(&legacy, ts), NOW)
        .unwrap();
    assert_eq!(opened.created_at, ts);
    // The native deadline, earlier than the plugin's `ts + 86400`.
    assert_eq!(opened.expires_at, ts + 3_600);
    assert!(opened.needs_reseal);
    assert_eq!(opened.entries.get("views").unwrap().as_slice(), b"5");

    // Re-sealed, it is a native session that began at `ts`.
    let sealed = migration
        .seal_session(&opened.entries, opened.created_at, None, NOW)
        .unwrap();
    let native = migration.native().open_session(&sealed.value, NOW).unwrap();
    assert_eq!(native.created_at, ts);
    assert_eq!(native.expires_at, ts + 3_600);
}

pub(crate) fn a_plugin_session_last_written_before_the_cut_off_is_revoked() {
    let cutoff = NOW - 500;
    let (migration, legacy) = sealers(native().invalidate_before_unix(cutoff));
    assert_eq!(
        migration.open_session(&legacy_cookie(&legacy, cutoff - 1), NOW),
        Err(OpenError::Revoked {
            created_at: cutoff - 1
        })
    );
    // Written at the cut-off or after: it opens.
    let opened = migration
        .open_session(&legacy_cookie(&legacy, cutoff), NOW)
        .unwrap();
    assert_eq!(opened.created_at, cutoff);
}

pub(crate) fn a_plugin_session_past_the_native_lifetime_from_its_ts_has_expired() {
    let lifetime = 3_600;
    let (migration, legacy) = sealers(native().max_lifetime(Duration::from_secs(lifetime)));
    // The native rule: expired once `now` is past `created_at + lifetime` by more than the
    // leeway (60 s).
    let ts = NOW - lifetime - 61;
    assert_eq!(
        migration.open_session(&legacy_cookie(&legacy, ts), NOW),
        Err(OpenError::Expired {
            expired_at: ts + lifetime
        })
    );
    // Within the leeway it opens, as a native session would, and cannot be sealed again: the
    // layer then removes the cookie.
    let ts = NOW - lifetime - 60;
    let opened = migration
        .open_session(&legacy_cookie(&legacy, ts), NOW)
        .unwrap();
    assert_eq!(
        migration.seal_session(&opened.entries, opened.created_at, None, NOW),
        Err(SealError::LifetimeExceeded {
            ended_at: ts + lifetime
        })
    );
}

pub(crate) fn a_plugin_session_idle_past_the_native_idle_timeout_has_expired() {
    let (migration, legacy) = sealers(native().idle_timeout(Duration::from_secs(600)));
    let ts = NOW - 600 - 61;
    assert_eq!(
        migration.open_session(&legacy_cookie(&legacy, ts), NOW),
        Err(OpenError::Expired {
            expired_at: ts + 600
        })
    );
    let opened = migration
        .open_session(&legacy_cookie(&legacy, NOW - 100), NOW)
        .unwrap();
    assert_eq!(opened.expires_at, NOW - 100 + 600);
}

pub(crate) fn a_plugin_session_from_beyond_the_native_leeway_is_not_yet_valid() {
    let (migration, legacy) = sealers(native().leeway(Duration::from_secs(30)));
    assert_eq!(
        migration.open_session(&legacy_cookie(&legacy, NOW + 31), NOW),
        Err(OpenError::NotYetValid {
            created_at: NOW + 31
        })
    );
    let opened = migration
        .open_session(&legacy_cookie(&legacy, NOW + 30), NOW)
        .unwrap();
    assert_eq!(opened.created_at, NOW + 30);
}

pub(crate) fn native_cookies_are_the_native_sealers_alone() {
    // The rules above are the native sealer's own: a native cookie meets the same ones.
    let native = native().invalidate_before_unix(NOW - 500);
    let (migration, _) = sealers(native.clone());
    // A JSON session is one JSON object, so a sealed object is a session.
    let old = native.seal_at(&json!({ "views": 5 }), NOW - 501).unwrap();
    assert_eq!(
        migration.open_session(&old, NOW),
        Err(OpenError::Revoked {
            created_at: NOW - 501
        })
    );
}

/// The browsers hold the sessions to move under the plugin's cookie name, so that is the name
/// the migration reads and writes, whatever the native sealer was named (its default,
/// `__Host-session`, is not the plugin's `session`).
pub(crate) fn the_migration_reads_and_writes_under_the_plugins_cookie_name() {
    let native = Sealer::with_codec(Key::generate(), Json);
    assert_eq!(native.name(), "__Host-session");
    let legacy = FastifySealer::new(Key::generate());
    let migration = FastifyMigration::new(native, legacy.clone());
    assert_eq!(SessionSealer::name(&migration), legacy.name());
    assert_eq!(migration.native().name(), legacy.name());
    // A native value it writes opens under that name.
    let session = sealed_session::Session::new(Json);
    session.insert("n", 1).unwrap();
    let cookies = sealed_session::SessionCookie::new(migration.clone());
    let line = cookies.set_cookie_lines(&session).unwrap().remove(0);
    let value = line.split(';').next().unwrap();
    let value = value.strip_prefix(&format!("{}=", legacy.name())).unwrap();
    assert!(migration.native().open::<serde_json::Value>(value).is_ok());
}
