//! A session too large for one cookie, without chunking: a clear error naming the size and the
//! limit, logged at error level, and the answer the app configured. Never a silent drop.

use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use sealed_session::{
    Codec, Key, SealError, Sealer, Session, SessionError, SessionLayer, MAX_COOKIE_SIZE,
};

// The tests of a session found too large only when sealed take the one sealer that cannot
// tell the size before: the `@fastify/secure-session` format's.
#[cfg(feature = "fastify")]
use crate::unmeasured;
#[cfg(feature = "fastify")]
use common::capture_logs;
use common::{key_a, one_set_cookie, pair, send, set_cookies, status_text};
#[cfg(feature = "fastify")]
use sealed_session::OnSaveError;

/// The routes, for sessions of codec `C`: the tests of a failing seal use the
/// `@fastify/secure-session` format's sealer, whose sessions are JSON.
fn routes<C: Codec + Default>() -> Router {
    Router::new()
        .route(
            "/small",
            get(|s: Session<C>| async move {
                s.insert("note", "small").unwrap();
                "ok"
            }),
        )
        .route(
            "/big",
            get(|s: Session<C>| async move {
                // Taken by a session whose sealer checks size only when sealing.
                s.insert("note", "x".repeat(5_000)).unwrap();
                "handler answered"
            }),
        )
        .route(
            "/read",
            get(|s: Session<C>| async move { format!("{:?}", s.get::<String>("note").unwrap()) }),
        )
}

#[cfg(feature = "fastify")]
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

#[test]
fn sealing_too_large_a_value_is_an_error_naming_size_and_limit() {
    let sealer = Sealer::new(Key::from_bytes([3; 32]));
    let err = sealer.seal(&"x".repeat(5_000)).unwrap_err();
    let SealError::TooLarge(too_large) = err else {
        panic!("expected TooLarge, got {err:?}");
    };
    let (size, max) = (too_large.size, too_large.max);
    assert_eq!(max, MAX_COOKIE_SIZE);
    assert!(size > max);
    let message = err.to_string();
    assert!(
        message.contains(&size.to_string()) && message.contains("4096"),
        "{message}"
    );
}

#[cfg(feature = "fastify")]
#[test]
fn by_default_the_response_goes_out_without_a_cookie_and_the_error_is_logged() {
    let app = routes::<sealed_session::Json>().layer(SessionLayer::new(unmeasured(key_a())));
    let ((status, body, cookies), logs) = capture_logs(|| {
        block_on(async {
            let response = send(&app, "/big", None).await;
            let cookies = set_cookies(&response);
            let (status, body) = status_text(response).await;
            (status, body, cookies)
        })
    });
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "handler answered");
    assert!(cookies.is_empty(), "{cookies:?}");
    let line = logs
        .lines()
        .find(|l| l.contains("session not saved"))
        .unwrap_or_else(|| panic!("no error logged: {logs}"));
    assert!(line.contains("ERROR"), "{line}");
    assert!(line.contains("over the limit of 4096 bytes"), "{line}");
}

#[cfg(feature = "fastify")]
#[test]
fn the_layer_can_answer_500_instead() {
    let app = routes::<sealed_session::Json>()
        .layer(SessionLayer::new(unmeasured(key_a())).on_save_error(OnSaveError::ServerError));
    let ((status, body, cookies), logs) = capture_logs(|| {
        block_on(async {
            let response = send(&app, "/big", None).await;
            let cookies = set_cookies(&response);
            let (status, body) = status_text(response).await;
            (status, body, cookies)
        })
    });
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body, "", "the handler's body must not leak into the 500");
    assert!(cookies.is_empty());
    assert!(
        logs.contains("ERROR") && logs.contains("session not saved"),
        "{logs}"
    );
}

#[cfg(feature = "fastify")]
#[tokio::test]
async fn a_save_that_fails_leaves_the_previous_cookie_in_force() {
    let app = routes::<sealed_session::Json>().layer(SessionLayer::new(unmeasured(key_a())));
    let cookie = pair(&one_set_cookie(&send(&app, "/small", None).await));
    let response = send(&app, "/big", Some(&cookie)).await;
    assert!(set_cookies(&response).is_empty());
    let (_, body) = status_text(send(&app, "/read", Some(&cookie)).await).await;
    assert_eq!(body, r#"Some("small")"#);
}

/// With the crate's own sealer the session knows its cookie's size as it changes: a value that
/// would not fit is refused by `insert`, the session keeps what it had, and the handler can
/// say so, instead of answering 200 and sealing nothing.
#[tokio::test]
async fn a_value_that_would_not_fit_is_refused_at_insert_and_the_session_keeps_what_it_had() {
    let app = routes::<sealed_session::DefaultCodec>()
        .route(
            "/big-checked",
            get(|s: Session| async move {
                match s.insert("note", "x".repeat(5_000)) {
                    Err(SessionError::TooLarge(too_large)) => {
                        format!(
                            "refused: {} > {}; note {:?}",
                            too_large.size,
                            too_large.max,
                            s.get::<String>("note")
                        )
                    }
                    other => format!("unexpected {other:?}"),
                }
            }),
        )
        .layer(SessionLayer::new(Sealer::new(key_a())));
    let cookie = pair(&one_set_cookie(&send(&app, "/small", None).await));
    let response = send(&app, "/big-checked", Some(&cookie)).await;
    // The session did not change, so nothing is written and the browser's cookie stands.
    assert!(set_cookies(&response).is_empty());
    let (status, body) = status_text(response).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.starts_with("refused: ") && body.ends_with(r#"> 4096; note Ok(Some("small"))"#),
        "{body}"
    );
}

#[test]
fn the_size_refused_at_insert_is_the_size_sealing_would_have_hit() {
    // Exactly at the edge: the largest value that fits is taken, one byte more is refused,
    // and what was taken seals.
    let cookies = sealed_session::SessionCookie::new(Sealer::new(key_a()));
    let session: Session = cookies.load(&http::HeaderMap::new());
    let mut len = 0;
    while session.insert("v", "x".repeat(len + 1)).is_ok() {
        len += 1;
    }
    let err = session.insert("v", "x".repeat(len + 1)).unwrap_err();
    let SessionError::TooLarge(too_large) = err else {
        panic!("{err:?}");
    };
    let (size, max) = (too_large.size, too_large.max);
    assert_eq!(max, MAX_COOKIE_SIZE);
    assert!(size > max && size <= max + 4, "{size}");
    assert_eq!(
        session.get::<String>("v").unwrap().map(|v| v.len()),
        Some(len)
    );
    let sealed = cookies.set_cookie_values(&session).unwrap();
    let line = sealed[0].to_str().unwrap();
    // Name plus value: the `name=value` pair less its `=`, at the limit exactly.
    assert_eq!(
        line.split(';').next().unwrap().len() - 1,
        MAX_COOKIE_SIZE,
        "{line}"
    );
    // Without the check (a sealer that does not measure), a value too large fails at sealing.
    #[cfg(feature = "fastify")]
    {
        let unmeasured = sealed_session::SessionCookie::new(unmeasured(key_a()));
        let session = unmeasured.load(&http::HeaderMap::new());
        session.insert("v", "x".repeat(5_000)).unwrap();
        assert!(unmeasured.set_cookie_values(&session).is_err());
    }
}

/// A sealer that learns the size only at sealing: `set_cookie_values` gives the error naming
/// the size and the limit, and `save` logs it at error level and adds no cookie.
#[cfg(feature = "fastify")]
#[test]
fn a_session_found_too_large_at_sealing_is_an_error_naming_the_size_and_save_logs_it() {
    use http::header::SET_COOKIE;
    use http::HeaderMap;
    use sealed_session::{SessionCookie, WriteError};

    let cookies = SessionCookie::new(unmeasured(key_a()));
    let session = cookies.load(&HeaderMap::new());
    session.insert("blob", "x".repeat(5_000)).unwrap();
    let error = cookies.set_cookie_values(&session).unwrap_err();
    let WriteError::Seal(SealError::TooLarge(too_large)) = error.clone() else {
        panic!("expected TooLarge, got {error:?}");
    };
    let (size, max) = (too_large.size, too_large.max);
    assert!(size > 4096);
    assert_eq!(max, 4096);
    assert!(error.to_string().contains(&size.to_string()), "{error}");

    let mut response = HeaderMap::new();
    let ((), logs) = capture_logs(|| cookies.save(&session, &mut response));
    assert!(response.get(SET_COOKIE).is_none());
    assert!(
        logs.contains("ERROR") && logs.contains(&size.to_string()),
        "{logs}"
    );
}
