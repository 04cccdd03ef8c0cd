//! Revocation through the layer's validator: a session that still opens can be rejected by
//! an app check; rejected means a fresh, empty session and the cookie removed.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use sealed_session::{KeyRing, Sealer, Session, SessionLayer};

use crate::{cookie_header, is_removal, removed_names};
use common::{key_a, one_set_cookie, pair, send, set_cookies, status_text};

/// A layer whose validator answers `accept` and counts its calls.
fn app(accept: Arc<AtomicBool>, calls: Arc<AtomicUsize>) -> Router {
    let layer = SessionLayer::new(Sealer::new(key_a())).validator(move |session: Session| {
        let accept = Arc::clone(&accept);
        let calls = Arc::clone(&calls);
        async move {
            calls.fetch_add(1, Ordering::SeqCst);
            // The validator sees the opened session's contents.
            assert_eq!(
                session.get::<String>("user").unwrap().as_deref(),
                Some("ada")
            );
            accept.load(Ordering::SeqCst)
        }
    });
    Router::new()
        .route(
            "/login",
            get(|s: Session| async move { s.insert("user", "ada").unwrap() }),
        )
        .route(
            "/me",
            get(|s: Session| async move { format!("{:?}", s.get::<String>("user").unwrap()) }),
        )
        .route(
            "/login-again",
            get(|s: Session| async move {
                assert!(s.is_empty());
                s.insert("user", "ada").unwrap();
            }),
        )
        .layer(layer)
}

#[tokio::test]
async fn an_accepted_session_reaches_the_handler_and_sends_nothing() {
    let (accept, calls) = (Arc::new(AtomicBool::new(true)), Arc::default());
    let app = app(accept, Arc::clone(&calls));
    let cookie = pair(&one_set_cookie(&send(&app, "/login", None).await));
    let response = send(&app, "/me", Some(&cookie)).await;
    assert!(set_cookies(&response).is_empty());
    assert_eq!(status_text(response).await.1, r#"Some("ada")"#);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_rejected_session_is_a_fresh_empty_session_and_its_cookie_is_removed() {
    let (accept, calls) = (Arc::new(AtomicBool::new(true)), Arc::default());
    let app = app(Arc::clone(&accept), calls);
    let cookie = pair(&one_set_cookie(&send(&app, "/login", None).await));
    accept.store(false, Ordering::SeqCst);
    let response = send(&app, "/me", Some(&cookie)).await;
    assert_eq!(
        removed_names(&response),
        [sealed_session::DEFAULT_COOKIE_NAME]
    );
    assert_eq!(status_text(response).await, (StatusCode::OK, "None".into()));
}

#[tokio::test]
async fn the_handler_can_start_a_new_session_after_a_rejection() {
    let (accept, calls) = (Arc::new(AtomicBool::new(false)), Arc::default());
    let app = app(accept, calls);
    let old = pair(&one_set_cookie(&send(&app, "/login", None).await));
    let response = send(&app, "/login-again", Some(&old)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let set = one_set_cookie(&response);
    assert!(!is_removal(&set), "a new session is sealed: {set}");
    assert_ne!(pair(&set), old);
}

#[tokio::test]
async fn the_validator_is_not_asked_about_requests_without_a_session() {
    let (accept, calls) = (
        Arc::new(AtomicBool::new(true)),
        Arc::<AtomicUsize>::default(),
    );
    let app = app(accept, Arc::clone(&calls));
    send(&app, "/me", None).await;
    send(&app, "/me", Some("session=forged-value")).await;
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

mod example {
    use super::*;
    use crate::revocation_example::{app, Users};

    async fn login(app: &Router) -> String {
        let response = send(app, "/login?user=ada", None).await;
        assert_eq!(response.status(), StatusCode::OK);
        cookie_header(&set_cookies(&response))
    }

    async fn me(app: &Router, cookie: &str) -> StatusCode {
        send(app, "/me", Some(cookie)).await.status()
    }

    #[tokio::test]
    async fn logging_out_everywhere_ends_the_sessions_of_every_device() {
        let app = app(KeyRing::new(key_a()), Users::default());
        let phone = login(&app).await;
        let laptop = login(&app).await;
        assert_eq!(me(&app, &phone).await, StatusCode::OK);
        let response = send(&app, "/logout-everywhere", Some(&laptop)).await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        // The phone's cookie still opens (nothing about it changed) but no longer passes.
        assert_eq!(me(&app, &phone).await, StatusCode::UNAUTHORIZED);
        assert_eq!(me(&app, &laptop).await, StatusCode::UNAUTHORIZED);
        // Logging in again works.
        let phone = login(&app).await;
        assert_eq!(me(&app, &phone).await, StatusCode::OK);
    }

    #[tokio::test]
    async fn a_password_change_keeps_this_device_and_logs_out_the_others() {
        let app = app(KeyRing::new(key_a()), Users::default());
        let phone = login(&app).await;
        let laptop = login(&app).await;
        let response = send(&app, "/password", Some(&laptop)).await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        let laptop = cookie_header(&set_cookies(&response));
        assert_eq!(me(&app, &laptop).await, StatusCode::OK);
        assert_eq!(me(&app, &phone).await, StatusCode::UNAUTHORIZED);
    }

    #[tokio::test]
    async fn another_users_revocation_does_not_touch_this_one() {
        let app = app(KeyRing::new(key_a()), Users::default());
        let ada = login(&app).await;
        let response = send(&app, "/login?user=bob", None).await;
        let bob = cookie_header(&set_cookies(&response));
        send(&app, "/logout-everywhere", Some(&bob)).await;
        assert_eq!(me(&app, &ada).await, StatusCode::OK);
    }
}

#[tokio::test]
async fn a_validator_that_awaits_is_waited_for_before_the_handler_runs() {
    let checked = Arc::new(AtomicBool::new(false));
    let layer = SessionLayer::new(Sealer::new(key_a())).validator({
        let checked = Arc::clone(&checked);
        move |_session: Session| {
            let checked = Arc::clone(&checked);
            async move {
                // A real lookup awaits: yield to the runtime a few times first.
                for _ in 0..3 {
                    tokio::task::yield_now().await;
                }
                checked.store(true, Ordering::SeqCst);
                false
            }
        }
    });
    let app = Router::new()
        .route(
            "/login",
            get(|s: Session| async move { s.insert("user", "ada").unwrap() }),
        )
        .route(
            "/me",
            get({
                let checked = Arc::clone(&checked);
                move |s: Session| async move {
                    assert!(
                        checked.load(Ordering::SeqCst),
                        "handler ran before the check"
                    );
                    format!("{:?}", s.get::<String>("user").unwrap())
                }
            }),
        )
        .layer(layer);
    let cookie = pair(&one_set_cookie(&send(&app, "/login", None).await));
    let (status, body) = status_text(send(&app, "/me", Some(&cookie)).await).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "None"));
}
