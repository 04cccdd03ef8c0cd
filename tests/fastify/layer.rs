//! The crate's `SessionLayer` and `Session` over a [`FastifySealer`], driven in process with
//! `oneshot`, with cookies from and for the real plugin.

use axum::body::Body;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{Request, StatusCode};
use axum::routing::get;
use axum::Router;
use http_body_util::BodyExt as _;
use std::time::Duration;

use sealed_session::{
    FastifyMigration, FastifySealer, Json, Key, KeyRing, ManualClock, OpenError, Sealer, Session,
    SessionCookie, SessionLayer, SessionSealer,
};
use serde_json::{json, Value};
use tower::ServiceExt as _;

use crate::{key_config, node, unwire, NOW};

/// Counts views; `/read` only reads.
fn app<S: SessionSealer<Codec = Json>>(sealer: S) -> Router {
    async fn count(session: Session<Json>) -> String {
        let views: u64 = session.get("views").ok().flatten().unwrap_or(0) + 1;
        session.insert("views", views).expect("a number encodes");
        views.to_string()
    }
    async fn read(session: Session<Json>) -> String {
        let views: u64 = session.get("views").ok().flatten().unwrap_or(0);
        views.to_string()
    }
    Router::new()
        .route("/", get(count))
        .route("/read", get(read))
        .layer(SessionLayer::from_cookie(
            SessionCookie::new(sealer).secure(false),
        ))
}

/// One request: the body and the session cookie's value from `Set-Cookie`, if any.
async fn call(app: &Router, path: &str, cookie: Option<&str>) -> (String, Option<String>) {
    let mut request = Request::builder().uri(path);
    if let Some(value) = cookie {
        request = request.header(COOKIE, format!("session={value}"));
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let set = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .find_map(|h| h.strip_prefix("session="))
        .map(|h| h.split(';').next().unwrap_or_default().to_owned());
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (String::from_utf8(body.to_vec()).unwrap(), set)
}

pub(crate) async fn the_layer_continues_a_node_session_and_node_continues_the_layers() {
    let node = node::require();
    let key = Key::generate();
    let config = key_config(&[&key]);
    let (wire, _, _) = node.seal(&config, &json!({ "views": 41, "user": "ada" }), NOW as f64);

    let sealer = FastifySealer::new(key).clock(ManualClock::new(NOW + 5));
    let app = app(sealer);
    let (body, set) = call(&app, "/", Some(&wire)).await;
    assert_eq!(body, "42");
    let set = set.expect("a changed session is sealed");

    let reply = node.open(&config, &set, (NOW + 5) as f64);
    assert_eq!(reply["ok"], true, "{reply}");
    // The other field is kept, `__ts` is the time of the change.
    assert_eq!(reply["data"], json!({ "views": 42, "user": "ada" }));
    assert_eq!(reply["ts"], NOW + 5);
}

pub(crate) async fn the_layer_reseals_a_cookie_of_an_old_key_with_the_first() {
    let node = node::require();
    let (new, old) = (Key::generate(), Key::generate());
    let (wire, _, _) = node.seal(&key_config(&[&old]), &json!({ "views": 7 }), NOW as f64);

    let ring = KeyRing::from_keys([new.clone(), old]).unwrap();
    let app = app(FastifySealer::new(ring).clock(ManualClock::new(NOW + 5)));
    // A read alone sends nothing, except that an old key's cookie is re-sealed.
    let (body, set) = call(&app, "/read", Some(&wire)).await;
    assert_eq!(body, "7");
    let set = set.expect("re-sealed with the first key");

    let reply = node.open(&key_config(&[&new]), &set, (NOW + 5) as f64);
    assert_eq!(reply["ok"], true, "{reply}");
    assert_eq!(reply["data"], json!({ "views": 7 }));
    assert_eq!(reply["rotated"], false);
}

pub(crate) async fn reads_of_a_current_cookie_send_nothing() {
    let key = Key::generate();
    let sealer = FastifySealer::new(key).clock(ManualClock::new(NOW));
    let value = sealer.seal_at(&json!({ "views": 2 }), NOW).unwrap();
    let app = app(sealer);
    assert_eq!(
        call(&app, "/read", Some(&value)).await,
        ("2".to_owned(), None)
    );
}

pub(crate) async fn bad_cookies_are_a_new_session() {
    let key = Key::generate();
    let sealer = FastifySealer::new(key.clone()).clock(ManualClock::new(NOW));
    let expired = sealer
        .seal_at(&json!({ "views": 9 }), NOW - 86_401)
        .unwrap();
    let foreign = FastifySealer::new(Key::generate())
        .seal_at(&json!({ "views": 9 }), NOW)
        .unwrap();
    let app = app(sealer);
    for bad in [
        "abc",
        "%3B",
        "AAAA%3BAAAA",
        "%zz",
        expired.as_str(),
        foreign.as_str(),
    ] {
        let (body, set) = call(&app, "/", Some(bad)).await;
        assert_eq!(body, "1", "cookie {bad:?}");
        assert!(set.is_some());
    }
}

pub(crate) fn open_session_keeps_ts_out_of_the_entries_and_types_its_errors() {
    let key = Key::generate();
    let sealer = FastifySealer::new(key);
    let value = sealer
        .seal_at(&json!({ "views": 3, "user": { "id": 7 } }), NOW)
        .unwrap();
    let decoded = unwire(&value);
    let opened = sealer.open_session(&decoded, NOW).unwrap();
    assert_eq!(opened.entries.keys().collect::<Vec<_>>(), ["user", "views"]);
    assert_eq!(opened.entries.get("views").unwrap().as_slice(), b"3");
    assert_eq!(opened.created_at, NOW);
    assert_eq!(opened.expires_at, NOW + 86_400);
    assert!(!opened.needs_reseal);
    assert_eq!(
        sealer.open_session(&decoded, NOW + 86_401).unwrap_err(),
        OpenError::Expired {
            expired_at: NOW + 86_400
        }
    );

    // A sealed session opens with the plain API too, `__ts` = the time of the seal.
    let sealed = sealer
        .seal_session(&opened.entries, NOW, None, NOW + 10)
        .unwrap();
    assert_eq!(sealed.expires_at, NOW + 10 + 86_400);
    let again = sealer.open_at::<Value>(&sealed.value, NOW + 10).unwrap();
    assert_eq!(again.value(), &json!({ "views": 3, "user": { "id": 7 } }));
    assert_eq!(again.created_at(), NOW + 10);
}

pub(crate) async fn migration_moves_a_plugin_session_to_the_native_format_on_first_read() {
    let node = node::require();
    let legacy_key = Key::generate();
    let config = key_config(&[&legacy_key]);
    let (wire, _, _) = node.seal(&config, &json!({ "views": 5, "user": "ada" }), NOW as f64);

    let native = Sealer::with_codec(Key::generate(), Json)
        .cookie_name("session")
        .clock(ManualClock::new(NOW + 5));
    let app = app(FastifyMigration::new(
        native.clone(),
        FastifySealer::new(legacy_key).clock(ManualClock::new(NOW + 5)),
    ));
    // A read of the plugin's cookie answers a native cookie.
    let (body, set) = call(&app, "/read", Some(&wire)).await;
    assert_eq!(body, "5");
    let set = set.expect("the plugin's cookie is re-sealed natively");
    assert!(!set.contains(';') && !set.contains('%'), "native: {set}");
    let opened = native.open_session(&set, NOW + 5).expect("a native value");
    assert_eq!(opened.entries.get("user").unwrap().as_slice(), br#""ada""#);
    assert_eq!(opened.entries.get("views").unwrap().as_slice(), b"5");
    assert!(!opened.entries.contains_key("__ts"));
    // The plugin no longer reads it: only switch once no Node service reads the cookie.
    assert_eq!(node.open(&config, &set, (NOW + 5) as f64)["ok"], false);

    // The native cookie reads without a new cookie, and counts on.
    assert_eq!(
        call(&app, "/read", Some(&set)).await,
        ("5".to_owned(), None)
    );
    assert_eq!(call(&app, "/", Some(&set)).await.0, "6");
}

pub(crate) async fn migration_treats_bad_cookies_of_either_format_as_a_new_session() {
    let native = Sealer::with_codec(Key::generate(), Json)
        .cookie_name("session")
        .clock(ManualClock::new(NOW));
    let legacy = FastifySealer::new(Key::generate()).clock(ManualClock::new(NOW));
    let expired_legacy = legacy
        .seal_at(&json!({ "views": 9 }), NOW - 86_401)
        .unwrap();
    let foreign_native = Sealer::with_codec(Key::generate(), Json)
        .cookie_name("session")
        .seal_at(&json!({ "views": 9 }), NOW)
        .unwrap();
    let app = app(FastifyMigration::new(native, legacy));
    for bad in [
        "abc",
        "a;b",
        "%3B",
        expired_legacy.as_str(),
        foreign_native.as_str(),
    ] {
        assert_eq!(call(&app, "/", Some(bad)).await.0, "1", "cookie {bad:?}");
    }
}

/// A migration layer whose native sealer has `native`'s rules, at `NOW` on both clocks, and the
/// plugin's sealer it reads with.
fn migration_app(native: Sealer<Json>) -> (Router, Sealer<Json>, FastifySealer) {
    let native = native.clock(ManualClock::new(NOW));
    let legacy = FastifySealer::new(Key::generate()).clock(ManualClock::new(NOW));
    let app = app(FastifyMigration::new(native.clone(), legacy.clone()));
    (app, native, legacy)
}

pub(crate) async fn migration_layer_starts_a_new_session_for_a_plugin_cookie_written_before_the_cut_off(
) {
    let (app, native, legacy) = migration_app(
        Sealer::with_codec(Key::generate(), Json)
            .cookie_name("session")
            .invalidate_before_unix(NOW - 500),
    );
    let revoked = legacy.seal_at(&json!({ "views": 41 }), NOW - 501).unwrap();
    let (body, set) = call(&app, "/", Some(&revoked)).await;
    assert_eq!(body, "1", "the revoked session's views are not counted on");
    let fresh = native.open_session(&set.unwrap(), NOW).unwrap();
    assert_eq!(fresh.created_at, NOW);

    // Written after the cut-off, it is continued.
    let current = legacy.seal_at(&json!({ "views": 41 }), NOW - 499).unwrap();
    assert_eq!(call(&app, "/", Some(&current)).await.0, "42");
}

pub(crate) async fn migration_layer_counts_the_native_lifetime_from_the_plugins_ts() {
    let (app, native, legacy) = migration_app(
        Sealer::with_codec(Key::generate(), Json)
            .cookie_name("session")
            .max_lifetime(Duration::from_secs(3_600)),
    );
    // Past `__ts + lifetime` (and the leeway): a new session.
    let over = legacy
        .seal_at(&json!({ "views": 41 }), NOW - 3_661)
        .unwrap();
    assert_eq!(call(&app, "/", Some(&over)).await.0, "1");

    // Within it: the native cookie keeps `__ts` as its start, so its lifetime does not restart.
    let ts = NOW - 1_000;
    let cookie = legacy.seal_at(&json!({ "views": 41 }), ts).unwrap();
    let (body, set) = call(&app, "/read", Some(&cookie)).await;
    assert_eq!(body, "41");
    let set = set.expect("re-sealed natively");
    let opened = native.open_session(&set, NOW).unwrap();
    assert_eq!(opened.created_at, ts);
    assert_eq!(
        native.open_session(&set, ts + 3_600 + 61),
        Err(OpenError::Expired {
            expired_at: ts + 3_600
        })
    );
}

pub(crate) async fn migration_layer_applies_the_native_idle_timeout_from_the_plugins_ts() {
    let (app, _, legacy) = migration_app(
        Sealer::with_codec(Key::generate(), Json)
            .cookie_name("session")
            .idle_timeout(Duration::from_secs(600)),
    );
    let idle = legacy.seal_at(&json!({ "views": 41 }), NOW - 661).unwrap();
    assert_eq!(call(&app, "/", Some(&idle)).await.0, "1");
    let active = legacy.seal_at(&json!({ "views": 41 }), NOW - 100).unwrap();
    assert_eq!(call(&app, "/", Some(&active)).await.0, "42");
}

pub(crate) async fn migration_layer_starts_a_new_session_for_a_plugin_cookie_from_the_future() {
    let (app, _, legacy) =
        migration_app(Sealer::with_codec(Key::generate(), Json).cookie_name("session"));
    // The default leeway is 60 s.
    let future = legacy.seal_at(&json!({ "views": 41 }), NOW + 61).unwrap();
    assert_eq!(call(&app, "/", Some(&future)).await.0, "1");
    let skewed = legacy.seal_at(&json!({ "views": 41 }), NOW + 60).unwrap();
    assert_eq!(call(&app, "/", Some(&skewed)).await.0, "42");
}
