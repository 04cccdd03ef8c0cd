//! A real headless Chromium, driven through chromedriver's W3C WebDriver HTTP API, with its own
//! profile (and so its own cookie jar) per test.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/install-browser` installs them).

use std::net::TcpListener as StdListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde_json::{json, Value};

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
pub struct Driver {
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

    pub async fn navigate(&self, url: &str) -> Result<(), String> {
        self.call(
            "POST",
            &self.session_path("/url"),
            Some(json!({ "url": url })),
        )
        .await
        .map(drop)
    }

    pub async fn script(&self, script: &str) -> Result<Value, String> {
        let body = json!({ "script": script, "args": [] });
        self.call("POST", &self.session_path("/execute/sync"), Some(body))
            .await
    }

    /// The text of the page's body.
    pub async fn page_text(&self) -> Result<String, String> {
        let text = self
            .script("return document.body ? document.body.innerText : ''")
            .await?;
        Ok(text.as_str().unwrap_or_default().to_owned())
    }

    /// Waits up to 30 s for the page (after a navigation the page itself started) to show
    /// `wanted`; the text it shows last otherwise.
    pub async fn wait_for_text(&self, wanted: &str) -> Result<String, String> {
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

    pub async fn cookies(&self) -> Result<Value, String> {
        self.call("GET", &self.session_path("/cookie"), None).await
    }

    /// The session cookie (of the default name) as the browser's own jar holds it.
    pub async fn session_cookie(&self) -> Result<Value, String> {
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

/// Why the browser tests cannot run here, if they cannot: chromium or chromedriver missing.
pub fn missing() -> Option<String> {
    match (find_in_path(BROWSERS), find_in_path(DRIVERS)) {
        (Some(_), Some(_)) => None,
        _ => Some(
            "chromium and chromedriver not found in PATH (install Debian's chromium and \
             chromium-driver, e.g. with .ci/install-browser)"
                .into(),
        ),
    }
}

/// Runs `test` with a fresh Chromium (its own profile and cookie jar) driven through
/// chromedriver.
pub async fn with_browser(
    test: impl AsyncFnOnce(&Driver) -> Result<(), String>,
) -> Result<(), String> {
    let (Some(browser), Some(driver)) = (find_in_path(BROWSERS), find_in_path(DRIVERS)) else {
        return Err(missing().unwrap_or_default());
    };
    let profile = std::env::temp_dir().join(format!(
        "sealed-session-chromium-{}-{}",
        std::process::id(),
        free_port()
    ));
    std::fs::create_dir_all(&profile).map_err(|e| e.to_string())?;
    let outcome = match Driver::start(&driver, &browser, &profile).await {
        Ok(driver) => {
            let outcome = test(&driver).await;
            driver.quit().await;
            outcome
        }
        Err(e) => Err(e),
    };
    let _ = std::fs::remove_dir_all(&profile);
    outcome
}
