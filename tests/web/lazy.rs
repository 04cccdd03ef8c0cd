//! Sessions opened on first access: a route that never touches the session costs no opening
//! and no validator call and sends no cookie; the validator runs at most once per request;
//! `Option<Session>` tells a visitor who brought a session from a new one.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use sealed_session::{
    DefaultName, KeyRing, NamedSession, Sealer, Session, SessionLayer, TypedSession,
};

use common::{key_a, key_b, named, one_set_cookie, pair, send, set_cookies, status_text};

/// Routes that touch the session in different ways, under a layer whose validator counts its
/// calls and refuses sessions holding `revoked`.
fn counted(sealer: Sealer) -> (Router, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let layer = SessionLayer::new(sealer).validator({
        let calls = Arc::clone(&calls);
        move |session: Session| {
            calls.fetch_add(1, Ordering::SeqCst);
            let revoked = session.contains_key("revoked");
            async move { !revoked }
        }
    });
    let router = Router::new()
        .route("/static", get(|| async { "no session here" }))
        .route(
            "/login",
            get(|s: Session| async move {
                s.insert("user", "ada").unwrap();
            }),
        )
        .route(
            "/revoke",
            get(|s: Session| async move {
                s.insert("revoked", true).unwrap();
            }),
        )
        .route(
            "/twice",
            get(
                |a: Session, b: TypedSession<String>, c: NamedSession<DefaultName>| async move {
                    // One session behind all three.
                    a.insert("seen", 1u8).unwrap();
                    format!(
                        "{:?} {:?}",
                        b.session().get::<u8>("seen"),
                        c.get::<u8>("seen")
                    )
                },
            ),
        )
        .route(
            "/whoami",
            get(|s: Option<Session>| async move {
                match s {
                    Some(s) => format!("{:?}", s.get::<String>("user").unwrap()),
                    None => "new visitor".to_owned(),
                }
            }),
        )
        .route(
            "/whoami-typed",
            get(|s: Option<TypedSession<String>>| async move { s.is_some().to_string() }),
        )
        .route(
            "/whoami-named",
            get(|s: Option<NamedSession<DefaultName>>| async move { s.is_some().to_string() }),
        )
        .layer(layer);
    (router, calls)
}

fn sealer() -> Sealer {
    Sealer::new(key_a())
}

#[tokio::test]
async fn a_route_that_never_touches_the_session_opens_nothing_and_sends_nothing() {
    let (app, calls) = counted(sealer());
    let cookie = pair(&one_set_cookie(&send(&app, "/login", None).await));
    assert_eq!(
        calls.load(Ordering::SeqCst),
        0,
        "a new session has nothing to validate"
    );
    let response = send(&app, "/static", Some(&cookie)).await;
    assert!(set_cookies(&response).is_empty());
    assert_eq!(status_text(response).await.1, "no session here");
    assert_eq!(
        calls.load(Ordering::SeqCst),
        0,
        "the validator ran for a static route"
    );
}

#[tokio::test]
async fn an_untouched_request_leaves_an_old_key_cookie_for_the_next_touching_one_to_reseal() {
    // The cookie was sealed under key b; the app now seals with a and still opens b.
    let (old, _) = counted(Sealer::new(key_b()));
    let cookie = pair(&one_set_cookie(&send(&old, "/login", None).await));
    let ring = KeyRing::new(key_a()).with_previous(key_b()).unwrap();
    let (app, _) = counted(Sealer::new(ring));
    assert!(set_cookies(&send(&app, "/static", Some(&cookie)).await).is_empty());
    let resealed = one_set_cookie(&send(&app, "/whoami", Some(&cookie)).await);
    let only_new = Sealer::new(key_a());
    let value = pair(&resealed).split_once('=').unwrap().1.to_owned();
    assert!(only_new.open_bytes_at(&value, only_new.now()).is_ok());
}

#[tokio::test]
async fn the_validator_runs_once_however_many_extractors_ask() {
    let (app, calls) = counted(sealer());
    let cookie = pair(&one_set_cookie(&send(&app, "/login", None).await));
    let response = send(&app, "/twice", Some(&cookie)).await;
    assert_eq!(status_text(response).await.1, "Ok(Some(1)) Ok(Some(1))");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn option_session_is_some_only_for_a_session_that_opened_and_passed_the_validator() {
    let (app, _) = counted(sealer());
    // No cookie: a new visitor, and no cookie is sent back.
    let response = send(&app, "/whoami", None).await;
    assert!(set_cookies(&response).is_empty());
    assert_eq!(status_text(response).await.1, "new visitor");
    // A session that opens.
    let cookie = pair(&one_set_cookie(&send(&app, "/login", None).await));
    let response = send(&app, "/whoami", Some(&cookie)).await;
    assert_eq!(status_text(response).await.1, r#"Some("ada")"#);
    for path in ["/whoami-typed", "/whoami-named"] {
        let response = send(&app, path, Some(&cookie)).await;
        assert_eq!(status_text(response).await.1, "true", "{path}");
        let response = send(&app, path, None).await;
        assert_eq!(status_text(response).await.1, "false", "{path}");
    }
    // Tampered, or sealed for another key: a new visitor, never an error.
    let mut tampered = cookie.clone().into_bytes();
    let last = tampered.len() - 1;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let (other, _) = counted(Sealer::new(key_b()));
    for (app, cookie) in [(&app, tampered.as_str()), (&other, cookie.as_str())] {
        let response = send(app, "/whoami", Some(cookie)).await;
        assert_eq!(
            status_text(response).await,
            (StatusCode::OK, "new visitor".into())
        );
    }
}

#[tokio::test]
async fn option_session_is_none_for_a_session_the_validator_refused_and_its_cookie_goes() {
    let (app, calls) = counted(sealer());
    let cookie = pair(&one_set_cookie(&send(&app, "/revoke", None).await));
    let response = send(&app, "/whoami", Some(&cookie)).await;
    // Refused: the browser's cookie is removed.
    let removal = one_set_cookie(&response);
    assert!(removal.contains("Max-Age=0"), "{removal}");
    assert_eq!(status_text(response).await.1, "new visitor");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn without_the_layer_option_session_is_an_error_naming_the_layer_not_none() {
    let router: Router = Router::new().route(
        "/whoami",
        get(|s: Option<Session>| async move { s.is_some().to_string() }),
    );
    let (status, body) = status_text(send(&router, "/whoami", None).await).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(body.contains("SessionLayer"), "{body}");
    // The same app with its layer answers.
    let router = router.layer(SessionLayer::new(named(key_a())));
    let (status, body) = status_text(send(&router, "/whoami", None).await).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "false"));
}

/// Over loopback with a real client and its cookie jar: a health check between two visits
/// sends no cookie and calls no validator, and the session goes on.
#[tokio::test]
async fn over_loopback_a_route_that_never_asks_sends_no_cookie_between_visits() {
    let (router, calls) = counted(sealer());
    let server = crate::server::serve(router).await;
    let client = crate::server::client(true);
    let login = client
        .get(format!("{}/login", server.url))
        .send()
        .await
        .unwrap();
    assert!(login.headers().get("set-cookie").is_some());
    let health = client
        .get(format!("{}/static", server.url))
        .send()
        .await
        .unwrap();
    assert!(health.headers().get("set-cookie").is_none());
    assert_eq!(health.text().await.unwrap(), "no session here");
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    let me = client
        .get(format!("{}/whoami", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(me.text().await.unwrap(), r#"Some("ada")"#);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}
