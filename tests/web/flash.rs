//! Flash messages through the layer: left by one request, shown by the next one that reads
//! them, once.

use axum::http::StatusCode;
use axum::response::Redirect;
use axum::routing::get;
use axum::Router;
use sealed_session::{Flash, SessionLayer};

use common::{key_a, named, one_set_cookie, pair, send, set_cookies, status_text};

fn app() -> Router {
    Router::new()
        .route(
            "/save",
            get(|flash: Flash| async move {
                flash.success("Saved").unwrap();
                flash.warning("Two left").unwrap();
                Redirect::to("/page")
            }),
        )
        .route(
            "/page",
            get(|flash: Flash| async move {
                let shown: Vec<String> = flash
                    .take()
                    .unwrap()
                    .into_iter()
                    .map(|m| format!("{}: {}", m.level, m.text))
                    .collect();
                shown.join(", ")
            }),
        )
        .route(
            "/waiting",
            get(|flash: Flash| async move { (!flash.is_empty()).to_string() }),
        )
        .layer(SessionLayer::new(named(key_a())))
}

#[tokio::test]
async fn a_flash_message_survives_one_redirect_and_is_shown_once() {
    let app = app();
    let response = send(&app, "/save", None).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let cookie = pair(&one_set_cookie(&response));
    // Looking does not consume.
    let response = send(&app, "/waiting", Some(&cookie)).await;
    assert!(set_cookies(&response).is_empty());
    assert_eq!(status_text(response).await.1, "true");
    // The page after the redirect shows them, in order, and the cookie it sends has none.
    let response = send(&app, "/page", Some(&cookie)).await;
    let after = pair(&one_set_cookie(&response));
    assert_eq!(
        status_text(response).await.1,
        "success: Saved, warning: Two left"
    );
    let response = send(&app, "/page", Some(&after)).await;
    assert_eq!(status_text(response).await.1, "");
    // The old cookie still holds them (the browser replaced it): reading is per cookie.
    let response = send(&app, "/waiting", Some(&after)).await;
    assert_eq!(status_text(response).await.1, "false");
}

#[tokio::test]
async fn flash_messages_are_kept_out_of_debug_output() {
    let session: sealed_session::Session = Default::default();
    let flash = Flash::new(session);
    flash.error("Wrong password for alice@example.com").unwrap();
    let shown = format!("{flash:?}");
    assert!(
        !shown.contains("alice") && !shown.contains("password"),
        "{shown}"
    );
    let _ = key_a();
}
