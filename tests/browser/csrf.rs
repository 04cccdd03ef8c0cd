//! CSRF in the browser: a page of another origin that posts a form to an app behind `CsrfLayer`
//! is refused as cross-site, while the app's own form, with its token, goes through.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Html;
use axum::routing::{get, post};
use axum::{Form, Router};
use sealed_session::{CsrfLayer, CsrfToken, Key, Sealer, Session, SessionLayer};
use serde::Deserialize;

use crate::driver::{with_browser, Driver};
use common::serve;

/// What the app of the CSRF test saw of each `/transfer` request: its `Sec-Fetch-Site` and the
/// status it answered.
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<(String, StatusCode)>>>);

impl Seen {
    fn all(&self) -> Vec<(String, StatusCode)> {
        self.0.lock().unwrap().clone()
    }
}

/// The app of the CSRF test: `/form` is a page with a transfer form and the session's token,
/// `/transfer` counts the transfers it makes, and every `/transfer` request is recorded.
fn transfer_app(transfers: Arc<AtomicUsize>, seen: Seen) -> Router {
    #[derive(Deserialize)]
    struct Transfer {
        amount: u64,
        csrf_token: String,
    }
    let form = get(|token: CsrfToken| async move {
        Html(format!(
            r#"<!doctype html><title>transfer</title><form method="post" action="/transfer">
               {}<input name="amount" value="5"><button id="send">Send</button></form>"#,
            token.hidden_input()
        ))
    });
    let transfer = post(
        move |session: Session, Form(form): Form<Transfer>| async move {
            // The browser's own cookie jar carried the session whose token the page showed.
            let checked = CsrfToken::verify(&session, form.csrf_token.as_bytes());
            let n = transfers.fetch_add(1, Ordering::SeqCst) + 1;
            format!(
                "transfer {n} of {} made (token checked: {checked})",
                form.amount
            )
        },
    );
    let record = axum::middleware::from_fn(move |request: Request, next: Next| {
        let seen = seen.clone();
        async move {
            let site = request
                .headers()
                .get("sec-fetch-site")
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .unwrap_or_default();
            let recorded = request.uri().path() == "/transfer";
            let response = next.run(request).await;
            if recorded {
                seen.0.lock().unwrap().push((site, response.status()));
            }
            response
        }
    });
    Router::new()
        .route("/form", form)
        .route("/transfer", transfer)
        .layer(CsrfLayer::default())
        .layer(SessionLayer::new(Sealer::new(Key::generate())))
        .layer(record)
}

/// Waits up to 30 s for the app to have seen `count` transfer requests.
async fn seen_transfers(seen: &Seen, count: usize) -> Result<Vec<(String, StatusCode)>, String> {
    for _ in 0..300 {
        if seen.all().len() >= count {
            return Ok(seen.all());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!(
        "the app saw {:?}, not {count} transfer requests",
        seen.all()
    ))
}

async fn forged_and_own_form(
    driver: &Driver,
    app: &str,
    attacker: &str,
    transfers: &AtomicUsize,
    seen: &Seen,
) -> Result<(), String> {
    // The user has a session with the app (and so a token secret in it)...
    driver.navigate(&format!("{app}/form")).await?;
    driver.wait_for_text("Send").await?;
    // ... and visits another origin, whose page posts a form to the app at once.
    driver.navigate(&format!("{attacker}/")).await?;
    let forged = seen_transfers(seen, 1).await?;
    if forged[0] != ("cross-site".to_owned(), StatusCode::FORBIDDEN) {
        return Err(format!(
            "the forged post was not refused as cross-site: {forged:?}"
        ));
    }
    driver.wait_for_text("cross-site request refused").await?;
    if transfers.load(Ordering::SeqCst) != 0 {
        return Err("the forged post made a transfer".into());
    }
    // The app's own form, with its token, goes through.
    driver.navigate(&format!("{app}/form")).await?;
    driver.wait_for_text("Send").await?;
    driver
        .script("document.getElementById('send').click()")
        .await?;
    driver
        .wait_for_text("transfer 1 of 5 made (token checked: true)")
        .await?;
    let all = seen_transfers(seen, 2).await?;
    if all[1] != ("same-origin".to_owned(), StatusCode::OK) || all.len() != 2 {
        return Err(format!(
            "the app's own form did not go through once: {all:?}"
        ));
    }
    Ok(())
}

pub async fn chromium_is_refused_a_form_posted_from_another_origin_and_sends_the_apps_own(
) -> Result<(), String> {
    let transfers = Arc::new(AtomicUsize::new(0));
    let seen = Seen::default();
    let app = serve(transfer_app(Arc::clone(&transfers), seen.clone())).await;
    // Another origin (another host name and port) on the same machine, whose page posts a form
    // to the app as soon as it loads.
    let page = format!(
        r#"<!doctype html><title>win a prize</title>
           <form id="f" method="post" action="{}/transfer">
           <input name="amount" value="1000000"><input name="csrf_token" value="guessed"></form>
           <script>document.getElementById("f").submit()</script>"#,
        app.url
    );
    let attacker = serve(Router::new().route("/", get(move || async move { Html(page) }))).await;
    let attacker_url = attacker.url.replace("127.0.0.1", "localhost");
    with_browser(async |driver| {
        forged_and_own_form(driver, &app.url, &attacker_url, &transfers, &seen).await
    })
    .await
}
