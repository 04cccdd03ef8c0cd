//! The demo counter in the browser: three visits count 1, 2, 3 through the browser's own jar, on
//! `http://127.0.0.1` and on `http://localhost` (both secure contexts, so the default `__Host-`
//! cookie, `Secure`, is stored and sent over plain http), and page scripts cannot see the
//! `HttpOnly` cookie.

use sealed_session::{Key, KeyRing};
use serde_json::Value;

use crate::driver::{with_browser, Driver};

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

pub async fn chromium_counts_one_two_three_on_127_0_0_1_and_localhost_and_cannot_read_the_cookie(
) -> Result<(), String> {
    let server = common::serve(crate::counter::app(KeyRing::new(Key::generate()))).await;
    let ip = format!("{}/", server.url);
    let name = ip.replace("127.0.0.1", "localhost");
    with_browser(async |driver| {
        three_visits(driver, &ip).await?;
        // Another host name: a jar entry of its own, counting from 1 again.
        three_visits(driver, &name).await
    })
    .await
}
