//! The axum layer in process, with `tower::ServiceExt::oneshot`, reading `Set-Cookie`.

use std::time::Duration;

use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use sealed_session::{
    CookieExpiry, DefaultName, KeyRing, ManualClock, NamedSession, Sealer, Session, SessionCookie,
    SessionLayer, SessionName, SessionSealer, TypedSession,
};

use common::{
    attribute, key_a, key_b, named, one_set_cookie, pair, sealer_at, send, set_cookies,
    status_text, value, T0,
};

/// Routes exercising each session operation.
fn routes() -> Router {
    Router::new()
        .route(
            "/incr",
            get(|s: Session| async move {
                let n = s.get::<u32>("n").unwrap().unwrap_or(0) + 1;
                s.insert("n", n).unwrap();
                n.to_string()
            }),
        )
        .route(
            "/read",
            get(|s: Session| async move { format!("{:?}", s.get::<u32>("n").unwrap()) }),
        )
        .route("/destroy", get(|s: Session| async move { s.destroy() }))
        .route("/clear", get(|s: Session| async move { s.clear() }))
        .route("/touch", get(|s: Session| async move { s.touch() }))
        .route(
            "/remember",
            get(|s: Session| async move {
                s.insert("user", "ada").unwrap();
                s.set_cookie_expiry(CookieExpiry::UntilSessionExpires);
            }),
        )
        .route(
            "/regenerate",
            get(|s: Session| async move {
                s.insert("privileged", true).unwrap();
                s.regenerate(&["n"]);
                format!("{:?}", s.keys())
            }),
        )
        .route(
            "/big",
            get(|s: Session| async move {
                s.insert("blob", "x".repeat(5_000)).unwrap();
                "still answered"
            }),
        )
        .route(
            "/created",
            get(|s: Session| async move { format!("{:?}", s.created_at()) }),
        )
}

fn app(sealer: Sealer) -> Router {
    routes().layer(SessionLayer::new(sealer))
}

/// The cookie pair after one `/incr`.
async fn started(app: &Router) -> String {
    pair(&one_set_cookie(&send(app, "/incr", None).await))
}

#[tokio::test]
async fn first_change_sends_a_cookie_with_the_default_attributes() {
    let app = app(named(key_a()));
    let response = send(&app, "/incr", None).await;
    let set_cookie = one_set_cookie(&response);
    assert!(set_cookie.starts_with("session="));
    for expected in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(
            set_cookie.contains(expected),
            "{expected} missing: {set_cookie}"
        );
    }
    assert_eq!(attribute(&set_cookie, "Max-Age"), None);
    assert_eq!(status_text(response).await, (StatusCode::OK, "1".into()));
}

#[tokio::test]
async fn the_session_continues_with_the_returned_cookie() {
    let app = app(named(key_a()));
    let mut cookie = started(&app).await;
    for expected in 2..=5 {
        let response = send(&app, "/incr", Some(&cookie)).await;
        cookie = pair(&one_set_cookie(&response));
        assert_eq!(status_text(response).await.1, expected.to_string());
    }
}

#[tokio::test]
async fn reads_alone_send_no_cookie() {
    let app = app(named(key_a()));
    let cookie = started(&app).await;
    let response = send(&app, "/read", Some(&cookie)).await;
    assert!(set_cookies(&response).is_empty());
    assert_eq!(status_text(response).await.1, "Some(1)");
}

#[tokio::test]
async fn an_untouched_new_session_sends_no_cookie() {
    let app = app(named(key_a()));
    let response = send(&app, "/read", None).await;
    assert!(set_cookies(&response).is_empty());
    assert_eq!(status_text(response).await.1, "None");
}

#[tokio::test]
async fn destroy_sends_an_expired_empty_cookie() {
    let app = app(named(key_a()));
    let cookie = started(&app).await;
    let set_cookie = one_set_cookie(&send(&app, "/destroy", Some(&cookie)).await);
    assert_eq!(pair(&set_cookie), "session=");
    assert_eq!(attribute(&set_cookie, "Max-Age").as_deref(), Some("0"));
    assert!(attribute(&set_cookie, "Expires").unwrap().contains("1970"));
}

#[tokio::test]
async fn clearing_a_stored_session_removes_the_cookie() {
    let app = app(named(key_a()));
    let cookie = started(&app).await;
    let set_cookie = one_set_cookie(&send(&app, "/clear", Some(&cookie)).await);
    assert_eq!(pair(&set_cookie), "session=");
}

#[tokio::test]
async fn touch_reseals_keeping_created_at() {
    let (sealer, clock) = sealer_at(key_a());
    let app = app(sealer.clone());
    let cookie = started(&app).await;
    clock.advance(Duration::from_secs(120));
    let set_cookie = one_set_cookie(&send(&app, "/touch", Some(&cookie)).await);
    let opened = sealer.open_session(&value(&set_cookie), T0 + 120).unwrap();
    assert_eq!(opened.created_at, T0);
}

#[tokio::test]
async fn an_old_key_cookie_is_resealed_with_the_primary_on_a_read() {
    let (old_sealer, _) = sealer_at(key_a());
    let old_cookie = started(&app(old_sealer)).await;

    let clock = ManualClock::new(T0 + 60);
    let ring = KeyRing::new(key_b()).with_previous(key_a()).unwrap();
    let sealer = Sealer::new(ring).cookie_name("session").clock(clock);
    let app = app(sealer);
    let response = send(&app, "/read", Some(&old_cookie)).await;
    let set_cookie = one_set_cookie(&response);
    assert_eq!(status_text(response).await.1, "Some(1)");

    // Under the new key only, keeping the session's start.
    let only_new = named(key_b());
    let opened = only_new
        .open_bytes_at(&value(&set_cookie), T0 + 60)
        .unwrap();
    assert_eq!(opened.key_id(), key_b().id());
    assert_eq!(opened.created_at(), T0);
}

#[tokio::test]
async fn idle_deadline_slides_once_half_the_idle_timeout_has_passed() {
    let (sealer, clock) = sealer_at(key_a());
    let sealer = sealer.idle_timeout(Duration::from_secs(600));
    let app = app(sealer.clone());
    let cookie = started(&app).await;

    clock.set(T0 + 200); // less than half: nothing to do
    assert!(set_cookies(&send(&app, "/read", Some(&cookie)).await).is_empty());

    clock.set(T0 + 400); // more than half: re-sealed on a mere read
    let set_cookie = one_set_cookie(&send(&app, "/read", Some(&cookie)).await);
    let opened = sealer.open_session(&value(&set_cookie), T0 + 400).unwrap();
    assert_eq!(opened.created_at, T0);
    assert_eq!(opened.expires_at, T0 + 1_000);
}

#[tokio::test]
async fn bad_cookies_give_a_fresh_session_and_never_a_server_error() {
    let (sealer, clock) = sealer_at(key_a());
    let app = app(sealer.clone().max_lifetime(Duration::from_secs(60)));
    let good = started(&app).await;
    let good_value = good.split_once('=').unwrap().1.to_owned();

    let mut tampered = good_value.clone().into_bytes();
    tampered[20] = if tampered[20] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    // Version byte 0x02: base64url of a value whose first byte is 2.
    let other_version = format!("Ag{}", &good_value[2..]);
    let other_key = value(&one_set_cookie(
        &send(&self::app(named(key_b())), "/incr", None).await,
    ));
    let cases = [
        format!("session={tampered}"),
        format!("session={other_version}"),
        format!("session={other_key}"),
        "session=!!!not base64!!!".to_owned(),
        "session=".to_owned(),
        format!("session={}", "A".repeat(10_000)),
        "session=%ZZ%%".to_owned(),
    ];
    for cookie in &cases {
        let response = send(&app, "/read", Some(cookie)).await;
        assert!(set_cookies(&response).is_empty(), "{cookie}");
        assert_eq!(
            status_text(response).await,
            (StatusCode::OK, "None".into()),
            "{cookie}"
        );
        // And a change starts a new session.
        let response = send(&app, "/incr", Some(cookie)).await;
        assert_eq!(set_cookies(&response).len(), 1);
        assert_eq!(status_text(response).await.1, "1");
    }

    clock.set(T0 + 3_600); // expired
    let response = send(&app, "/read", Some(&good)).await;
    assert_eq!(status_text(response).await, (StatusCode::OK, "None".into()));
}

#[tokio::test]
async fn without_the_layer_the_extractor_answers_500_naming_session_layer() {
    let response = send(&routes(), "/read", None).await;
    let (status, body) = status_text(response).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(body.contains("SessionLayer"), "{body}");
}

/// "Remember me" is sealed with the session: every later cookie of it is persistent too,
/// whether a change, an idle refresh or a re-seal under a new key writes it, until the
/// session is regenerated.
#[tokio::test]
async fn remember_me_lasts_across_reseals_idle_refreshes_and_key_rotation() {
    let max_age = |set_cookie: &str| -> Option<u64> {
        attribute(set_cookie, "Max-Age").map(|v| v.parse().unwrap())
    };
    let (sealer, clock) = sealer_at(key_a());
    let sealer = sealer
        .max_lifetime(Duration::from_secs(30 * 86_400))
        .idle_timeout(Duration::from_secs(7 * 86_400));
    let app = app(sealer.clone());
    let set_cookie = one_set_cookie(&send(&app, "/remember", None).await);
    assert_eq!(max_age(&set_cookie), Some(7 * 86_400), "{set_cookie}");
    // A later change, with no choice made in that request.
    clock.set(T0 + 60);
    let set_cookie = one_set_cookie(&send(&app, "/incr", Some(&pair(&set_cookie))).await);
    assert_eq!(max_age(&set_cookie), Some(7 * 86_400), "{set_cookie}");
    // An idle refresh: a read past half the idle timeout re-seals.
    clock.set(T0 + 5 * 86_400);
    let set_cookie = one_set_cookie(&send(&app, "/read", Some(&pair(&set_cookie))).await);
    assert_eq!(max_age(&set_cookie), Some(7 * 86_400), "{set_cookie}");
    // A re-seal under a new primary key.
    let rotated = KeyRing::new(key_b()).with_previous(key_a()).unwrap();
    let app = routes().layer(SessionLayer::new(
        Sealer::new(rotated)
            .cookie_name("session")
            .clock(clock.clone())
            .max_lifetime(Duration::from_secs(30 * 86_400))
            .idle_timeout(Duration::from_secs(7 * 86_400)),
    ));
    clock.set(T0 + 5 * 86_400 + 10);
    let set_cookie = one_set_cookie(&send(&app, "/read", Some(&pair(&set_cookie))).await);
    assert!(max_age(&set_cookie).is_some(), "{set_cookie}");
    let only_new = Sealer::new(key_b())
        .cookie_name("session")
        .max_lifetime(Duration::from_secs(30 * 86_400));
    let opened = only_new.open_bytes_at(&value(&set_cookie), T0 + 5 * 86_400 + 10);
    assert!(opened.is_ok(), "{opened:?}");
    // Regenerated (a new login): back to the layer's browser-session cookie.
    let set_cookie = one_set_cookie(&send(&app, "/regenerate", Some(&pair(&set_cookie))).await);
    assert_eq!(max_age(&set_cookie), None, "{set_cookie}");
}

#[tokio::test]
async fn a_persistent_layer_sets_max_age_on_every_cookie() {
    let (sealer, _) = sealer_at(key_a());
    let cookie = SessionCookie::new(sealer.max_lifetime(Duration::from_secs(900))).persistent();
    let app = routes().layer(SessionLayer::from_cookie(cookie));
    let set_cookie = one_set_cookie(&send(&app, "/incr", None).await);
    assert_eq!(attribute(&set_cookie, "Max-Age").as_deref(), Some("900"));
}

#[tokio::test]
async fn regenerate_restarts_the_session_keeping_listed_keys() {
    let (sealer, clock) = sealer_at(key_a());
    let app = app(sealer.clone());
    let cookie = started(&app).await;
    clock.set(T0 + 500);
    let response = send(&app, "/regenerate", Some(&cookie)).await;
    let set_cookie = one_set_cookie(&response);
    assert_eq!(status_text(response).await.1, r#"["n"]"#);
    let opened = sealer.open_session(&value(&set_cookie), T0 + 500).unwrap();
    assert_eq!(opened.created_at, T0 + 500);
    assert_eq!(opened.entries.keys().collect::<Vec<_>>(), ["n"]);
}

#[tokio::test]
async fn created_at_is_the_sessions_start() {
    let (sealer, clock) = sealer_at(key_a());
    let app = app(sealer);
    assert_eq!(
        status_text(send(&app, "/created", None).await).await.1,
        "None"
    );
    let cookie = started(&app).await;
    clock.set(T0 + 10);
    let body = status_text(send(&app, "/created", Some(&cookie)).await)
        .await
        .1;
    assert_eq!(body, format!("Some({T0})"));
}

struct Flash;
impl SessionName for Flash {
    const NAME: &'static str = "flash";
}

fn two_sessions() -> Router {
    Router::new()
        .route(
            "/set",
            get(
                |s: NamedSession<DefaultName>, f: NamedSession<Flash>| async move {
                    s.insert("user", "ada").unwrap();
                    f.insert("note", "saved").unwrap();
                },
            ),
        )
        .route(
            "/show",
            get(
                |s: NamedSession<DefaultName>, f: NamedSession<Flash>| async move {
                    let user: Option<String> = s.get("user").unwrap();
                    let note: Option<String> = f.take("note").unwrap();
                    format!("{user:?} {note:?}")
                },
            ),
        )
        .route(
            "/plain",
            get(|s: Session| async move { s.is_empty().to_string() }),
        )
        .layer(SessionLayer::new(Sealer::new(key_a())))
        .layer(SessionLayer::new(
            Sealer::new(key_b())
                .cookie_name("flash")
                .max_lifetime(Duration::from_secs(300)),
        ))
}

#[tokio::test]
async fn named_sessions_have_their_own_cookies() {
    let app = two_sessions();
    let response = send(&app, "/set", None).await;
    let cookies = set_cookies(&response);
    assert_eq!(cookies.len(), 2, "{cookies:?}");
    let header = cookies
        .iter()
        .map(|c| pair(c))
        .collect::<Vec<_>>()
        .join("; ");
    assert!(header.contains("__Host-session=") && header.contains("flash="));

    let response = send(&app, "/show", Some(&header)).await;
    // Only the flash session changed (its note was taken): it alone is written, and removed
    // because it is now empty.
    let written = set_cookies(&response);
    assert_eq!(written.len(), 1, "{written:?}");
    assert_eq!(pair(&written[0]), "flash=");
    assert_eq!(
        status_text(response).await.1,
        r#"Some("ada") Some("saved")"#
    );
}

#[tokio::test]
async fn plain_session_with_two_same_codec_layers_is_ambiguous() {
    let (status, body) = status_text(send(&two_sessions(), "/plain", None).await).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        body.contains("NamedSession") && body.contains("flash"),
        "{body}"
    );
}

#[tokio::test]
async fn a_named_session_that_no_layer_provides_is_a_500_naming_it() {
    let app = Router::new()
        .route("/", get(|_f: NamedSession<Flash>| async {}))
        .layer(SessionLayer::new(named(key_a())));
    let (status, body) = status_text(send(&app, "/", None).await).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        body.contains("\"flash\"") && body.contains("session"),
        "{body}"
    );
}

#[derive(serde::Serialize, serde::Deserialize, Default, Debug)]
struct Cart {
    items: Vec<String>,
}

#[tokio::test]
async fn typed_session_keeps_one_struct() {
    let app = Router::new()
        .route(
            "/add",
            get(|cart: TypedSession<Cart>| async move {
                let cart = cart.update(|c| c.items.push("apple".into())).unwrap();
                cart.items.len().to_string()
            }),
        )
        .layer(SessionLayer::new(named(key_a())));
    let response = send(&app, "/add", None).await;
    let cookie = pair(&one_set_cookie(&response));
    assert_eq!(status_text(response).await.1, "1");
    let response = send(&app, "/add", Some(&cookie)).await;
    assert_eq!(status_text(response).await.1, "2");
}

#[cfg(feature = "json")]
#[tokio::test]
async fn a_json_session_is_a_plain_json_object_inside_the_envelope() {
    let sealer = named(key_a()).codec(sealed_session::Json);
    let app = Router::new()
        .route(
            "/",
            get(|s: Session<sealed_session::Json>| async move {
                s.insert("count", 3).unwrap();
                s.insert("user", serde_json::json!({"id": 7})).unwrap();
            }),
        )
        .layer(SessionLayer::new(sealer.clone()));
    let set_cookie = one_set_cookie(&send(&app, "/", None).await);
    let opened = sealer
        .open_bytes_at(&value(&set_cookie), sealer.now())
        .unwrap();
    assert_eq!(opened.value().as_slice(), br#"{"count":3,"user":{"id":7}}"#);
}

#[tokio::test]
async fn a_layer_applied_twice_for_one_cookie_writes_it_once() {
    let sealer = named(key_a());
    let inner = routes().layer(SessionLayer::new(sealer.clone()));
    let app = Router::new()
        .nest("/api", inner)
        .layer(SessionLayer::new(sealer));
    let response = send(&app, "/api/incr", None).await;
    let cookie = pair(&one_set_cookie(&response));
    assert_eq!(status_text(response).await.1, "1");
    let response = send(&app, "/api/incr", Some(&cookie)).await;
    assert_eq!(set_cookies(&response).len(), 1);
    assert_eq!(status_text(response).await.1, "2");
}

#[cfg(feature = "json")]
#[tokio::test]
async fn asking_for_another_codecs_session_is_a_500_naming_what_is_installed() {
    let app = Router::new()
        .route("/", get(|_s: Session| async {}))
        .layer(SessionLayer::new(
            named(key_a()).codec(sealed_session::Json),
        ));
    let (status, body) = status_text(send(&app, "/", None).await).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        body.contains("Session<Postcard>")
            && body.contains("session (Session<Json>)")
            && body.contains("`Session<Json>`"),
        "{body}"
    );
}

#[test]
fn the_common_case_names_no_generics() {
    // `SessionCookie` and `SessionLayer` default to the crate's own `Sealer`, as `Session`
    // defaults to its codec: a handler, a layer and a helper read as plain names.
    let cookies: sealed_session::SessionCookie = sealed_session::SessionCookie::new(named(key_a()));
    let layer: SessionLayer = SessionLayer::from_cookie(cookies.clone());
    let session: Session = cookies.load(&axum::http::HeaderMap::new());
    assert!(session.is_empty());
    let _ = layer;
}
