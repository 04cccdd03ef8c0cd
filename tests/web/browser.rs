//! A real headless Chromium, driven through chromedriver's W3C WebDriver HTTP API: it loads the
//! counter page three times and sees 1, 2, 3, and page scripts cannot see the `HttpOnly`
//! cookie; a page of another origin that posts a form to an app behind `CsrfLayer` is refused,
//! while the app's own form, with its token, goes through.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/install-browser` installs them).
//! Without them the test prints a loud SKIPPED message and passes, except under `CI=true`,
//! where it fails.

use std::net::TcpListener as StdListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Html;
use axum::routing::{get, post};
use axum::{Form, Router};
use sealed_session::{CsrfLayer, CsrfToken, Key, KeyRing, Sealer, Session, SessionLayer};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::server::serve;

const BROWSERS: &[&str] = &["chromium", "chromium-browser", "google-chrome"];
const DRIVERS: &[&str] = &["chromedriver"];

fn find_in_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

fn free_port() -> u16 {
    StdListener::bind(("127.0.0.1", 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A chromedriver on loopback and one browser session in it.
struct Driver {
    base: String,
    session: Option<String>,
    http: reqwest::Client,
    process: tokio::process::Child,
}

impl Driver {
    async fn start(driver: &Path, browser: &Path, profile: &Path) -> Result<Self, String> {
        let port = free_port();
        let process = tokio::process::Command::new(driver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("could not start {}: {e}", driver.display()))?;
        // Generous: a cold Chromium start on a busy two-core machine takes a while.
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(120))
            .no_proxy()
            .build()
            .map_err(|e| e.to_string())?;
        let mut driver = Self {
            base: format!("http://127.0.0.1:{port}"),
            session: None,
            http,
            process,
        };
        driver.wait_ready().await?;
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ]
        .iter()
        .map(|a| a.to_string())
        .chain([format!("--user-data-dir={}", profile.display())])
        .collect::<Vec<_>>();
        let capabilities = json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": { "binary": browser, "args": args },
            }}
        });
        let created = driver.call("POST", "/session", Some(capabilities)).await?;
        let id = created["sessionId"]
            .as_str()
            .ok_or_else(|| format!("no session id in {created}"))?;
        driver.session = Some(id.to_owned());
        Ok(driver)
    }

    async fn wait_ready(&self) -> Result<(), String> {
        for _ in 0..300 {
            if let Ok(response) = self.http.get(format!("{}/status", self.base)).send().await {
                if let Ok(status) = response.json::<Value>().await {
                    if status["value"]["ready"] == Value::Bool(true) {
                        return Ok(());
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err("chromedriver did not become ready within 30 s".into())
    }

    /// One WebDriver command; its `value`, or the WebDriver error as a message.
    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let url = format!("{}{path}", self.base);
        let request = match method {
            "POST" => self.http.post(url).json(&body.unwrap_or_else(|| json!({}))),
            "DELETE" => self.http.delete(url),
            _ => self.http.get(url),
        };
        let response = request
            .send()
            .await
            .map_err(|e| format!("{method} {path}: {e}"))?;
        let status = response.status();
        let body: Value = response
            .json()
            .await
            .map_err(|e| format!("{method} {path}: {e}"))?;
        if !status.is_success() {
            return Err(format!("{method} {path}: {status} {body}"));
        }
        Ok(body["value"].clone())
    }

    fn session_path(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.session.as_deref().unwrap_or(""))
    }

    async fn navigate(&self, url: &str) -> Result<(), String> {
        self.call(
            "POST",
            &self.session_path("/url"),
            Some(json!({ "url": url })),
        )
        .await
        .map(drop)
    }

    async fn script(&self, script: &str) -> Result<Value, String> {
        let body = json!({ "script": script, "args": [] });
        self.call("POST", &self.session_path("/execute/sync"), Some(body))
            .await
    }

    /// The text of the page's body.
    async fn page_text(&self) -> Result<String, String> {
        let text = self
            .script("return document.body ? document.body.innerText : ''")
            .await?;
        Ok(text.as_str().unwrap_or_default().to_owned())
    }

    /// Waits up to 30 s for the page (after a navigation the page itself started) to show
    /// `wanted`; the text it shows last otherwise.
    async fn wait_for_text(&self, wanted: &str) -> Result<String, String> {
        let mut last = String::new();
        for _ in 0..300 {
            // Between two pages a script may not run: that is a wait, not a failure.
            if let Ok(text) = self.page_text().await {
                if text.contains(wanted) {
                    return Ok(text);
                }
                last = text;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!(
            "the page shows {last:?}, not {wanted:?}, after 30 s"
        ))
    }

    async fn cookies(&self) -> Result<Value, String> {
        self.call("GET", &self.session_path("/cookie"), None).await
    }

    /// The session cookie (of the default name) as the browser's own jar holds it.
    async fn session_cookie(&self) -> Result<Value, String> {
        let cookies = self.cookies().await?;
        cookies
            .as_array()
            .and_then(|all| {
                all.iter()
                    .find(|c| c["name"] == sealed_session::DEFAULT_COOKIE_NAME)
                    .cloned()
            })
            .ok_or_else(|| format!("the browser holds no session cookie: {cookies}"))
    }

    async fn quit(mut self) {
        if self.session.is_some() {
            let _ = self.call("DELETE", &self.session_path(""), None).await;
            self.session = None;
        }
        let _ = self.process.kill().await;
    }
}

async fn three_visits(driver: &Driver, url: &str) -> Result<(), String> {
    for n in 1..=3 {
        driver.navigate(url).await?;
        let text = driver.page_text().await?;
        let wanted = format!(r#"{{"hello":"route requested {n} times in this session"}}"#);
        if !text.contains(&wanted) {
            return Err(format!("visit {n}: page shows {text:?}, wanted {wanted}"));
        }
    }
    let script_view = driver.script("return document.cookie").await?;
    if script_view.as_str().is_some_and(|c| c.contains("session")) {
        return Err(format!(
            "document.cookie shows the session cookie: {script_view}"
        ));
    }
    let session = driver.session_cookie().await?;
    if session["httpOnly"] != Value::Bool(true) || session["secure"] != Value::Bool(true) {
        return Err(format!(
            "session cookie is not HttpOnly and Secure: {session}"
        ));
    }
    Ok(())
}

/// Runs `test` with a Chromium driven through chromedriver, and fails if it fails. Without the
/// two on PATH it prints a loud SKIPPED message naming `name` and passes, except under
/// `CI=true`, where it fails.
async fn with_browser(name: &str, test: impl AsyncFnOnce(&Driver) -> Result<(), String>) {
    let (Some(browser), Some(driver)) = (find_in_path(BROWSERS), find_in_path(DRIVERS)) else {
        let message = "chromium and chromedriver not found in PATH (install Debian's chromium \
                       and chromium-driver, e.g. with .ci/install-browser)";
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("under CI=true the browser test may not be skipped: {message}");
        }
        eprintln!("\n  *** SKIPPED {name}: {message} ***\n");
        return;
    };
    let profile = std::env::temp_dir().join(format!(
        "sealed-session-chromium-{}-{}",
        std::process::id(),
        free_port()
    ));
    std::fs::create_dir_all(&profile).unwrap();
    let outcome = match Driver::start(&driver, &browser, &profile).await {
        Ok(driver) => {
            let outcome = test(&driver).await;
            driver.quit().await;
            outcome
        }
        Err(e) => Err(e),
    };
    let _ = std::fs::remove_dir_all(&profile);
    if let Err(e) = outcome {
        panic!("{e}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_counts_one_two_three_and_cannot_read_the_cookie() {
    let server = serve(crate::counter::app(KeyRing::new(Key::generate()))).await;
    let url = format!("{}/", server.url);
    with_browser(
        "chromium_counts_one_two_three_and_cannot_read_the_cookie",
        async |driver| three_visits(driver, &url).await,
    )
    .await;
}

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_is_refused_a_form_posted_from_another_origin_and_sends_the_apps_own() {
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
    with_browser(
        "chromium_is_refused_a_form_posted_from_another_origin_and_sends_the_apps_own",
        async |driver| {
            forged_and_own_form(driver, &app.url, &attacker_url, &transfers, &seen).await
        },
    )
    .await;
}

/// The login example in the browser: its form (with the page's token) signs in through the
/// browser's own cookie jar, a "remember me" cookie is persistent in that jar, the welcome is
/// shown once, `/me` answers for the signed-in user, and the logout button signs out with a
/// goodbye shown once.
async fn sign_in_and_out(driver: &Driver, app: &str) -> Result<(), String> {
    driver.navigate(&format!("{app}/")).await?;
    driver.wait_for_text("Remember me").await?;
    driver
        .script(
            "document.getElementById('name').value = 'ada';
             document.getElementById('password').value = 'lovelace';
             document.getElementById('remember').checked = true;
             document.getElementById('login').click();",
        )
        .await?;
    let page = driver.wait_for_text("Signed in as ada.").await?;
    if !page.contains("Welcome, ada.") {
        return Err(format!("no welcome after signing in: {page:?}"));
    }
    let session = driver.session_cookie().await?;
    // A cookie the browser keeps past its own session has an expiry in the jar.
    if !session["expiry"].is_u64() {
        return Err(format!(
            "\"remember me\" gave no persistent cookie: {session}"
        ));
    }
    driver.navigate(&format!("{app}/")).await?;
    let page = driver.wait_for_text("Signed in as ada.").await?;
    if page.contains("Welcome") {
        return Err(format!("the welcome was shown twice: {page:?}"));
    }
    driver.navigate(&format!("{app}/me")).await?;
    driver.wait_for_text(r#"{"user":"ada"}"#).await?;
    driver.navigate(&format!("{app}/")).await?;
    driver.wait_for_text("Sign out").await?;
    driver
        .script("document.getElementById('logout').click()")
        .await?;
    driver.wait_for_text("Signed out.").await?;
    driver.navigate(&format!("{app}/me")).await?;
    driver.wait_for_text("not signed in").await?;
    driver.navigate(&format!("{app}/")).await?;
    let page = driver.wait_for_text("Remember me").await?;
    if page.contains("Signed out.") {
        return Err(format!("the goodbye was shown twice: {page:?}"));
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_signs_in_to_the_login_example_sees_its_flash_once_and_signs_out() {
    let server = serve(crate::login::app(KeyRing::new(Key::generate()))).await;
    with_browser(
        "chromium_signs_in_to_the_login_example_sees_its_flash_once_and_signs_out",
        async |driver| sign_in_and_out(driver, &server.url).await,
    )
    .await;
}
