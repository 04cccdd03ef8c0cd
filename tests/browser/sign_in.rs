//! The login example in the browser.

use sealed_session::{Key, KeyRing};

use crate::driver::{with_browser, Driver};

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

pub async fn chromium_signs_in_to_the_login_example_sees_its_flash_once_and_signs_out(
) -> Result<(), String> {
    let server = common::serve(crate::login::app(KeyRing::new(Key::generate()))).await;
    with_browser(async |driver| sign_in_and_out(driver, &server.url).await).await
}
