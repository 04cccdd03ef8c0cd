//! What the browser's own cookie jar holds, read through WebDriver rather than inferred from
//! pages: a session in three chunks is stored, sent back and opens, and shrinking it or
//! destroying it leaves no stale chunk; and cookies planted by a page on another host name
//! that resolves to loopback (`evil.localhost`) do not change whose session the app sees.

use axum::extract::Path;
use axum::http::header::SET_COOKIE;
use axum::response::{AppendHeaders, Html};
use axum::routing::get;
use axum::Router;
use sealed_session::{
    Key, KeyRing, Sealer, Session, SessionCookie, SessionLayer, DEFAULT_COOKIE_NAME,
    MAX_COOKIE_SIZE,
};
use serde_json::Value;

use crate::driver::{with_browser, Driver};

/// Printable text that does not repeat, so its sealed form has the size of the text.
fn blob(len: usize) -> String {
    let mut x: u32 = 0x9e37_79b9;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            char::from(b'a' + (x % 26) as u8)
        })
        .collect()
}

fn checksum(text: &str) -> u64 {
    text.bytes().map(u64::from).sum()
}

/// An app whose session may span three cookies: `/store/{len}` keeps a text of that length,
/// `/read` describes what the session holds, `/destroy` ends it.
fn chunked_app() -> Router {
    let sealer = Sealer::new(Key::generate()).max_cookie_size(3 * MAX_COOKIE_SIZE);
    Router::new()
        .route(
            "/store/{len}",
            get(|Path(len): Path<usize>, session: Session| async move {
                match session.insert("blob", blob(len)) {
                    Ok(()) => format!("stored {len}"),
                    Err(e) => format!("not stored: {e}"),
                }
            }),
        )
        .route(
            "/read",
            get(|session: Session| async move {
                match session.get::<String>("blob") {
                    Ok(Some(b)) => format!("blob of {} bytes, checksum {}", b.len(), checksum(&b)),
                    _ => "no blob".to_owned(),
                }
            }),
        )
        .route(
            "/destroy",
            get(|session: Session| async move {
                session.destroy();
                "destroyed"
            }),
        )
        .layer(SessionLayer::from_cookie(SessionCookie::chunked(sealer, 3)))
}

/// The names of the session's cookies (the cookie and its chunks) in the jar, for the page
/// the browser is on, sorted; each checked to be `Secure` and `HttpOnly`.
async fn session_cookies(driver: &Driver) -> Result<Vec<String>, String> {
    let all = driver.cookies().await?;
    let mut names = Vec::new();
    for cookie in all.as_array().into_iter().flatten() {
        let name = cookie["name"].as_str().unwrap_or_default();
        if name == DEFAULT_COOKIE_NAME || name.starts_with(&format!("{DEFAULT_COOKIE_NAME}.")) {
            if cookie["secure"] != Value::Bool(true) || cookie["httpOnly"] != Value::Bool(true) {
                return Err(format!("{name} is not Secure and HttpOnly: {cookie}"));
            }
            names.push(name.to_owned());
        }
    }
    names.sort();
    Ok(names)
}

fn expect_names(step: &str, names: &[String], wanted: &[&str]) -> Result<(), String> {
    if names != wanted {
        return Err(format!("{step}: the jar holds {names:?}, not {wanted:?}"));
    }
    Ok(())
}

async fn chunks_in_the_jar(driver: &Driver, app: &str) -> Result<(), String> {
    let (big, small) = (blob(8_000), blob(100));
    let name = DEFAULT_COOKIE_NAME;
    let (one, two) = (format!("{name}.1"), format!("{name}.2"));

    driver.navigate(&format!("{app}/store/8000")).await?;
    driver.wait_for_text("stored 8000").await?;
    let names = session_cookies(driver).await?;
    expect_names("a session of three chunks", &names, &[name, &one, &two])?;
    driver.navigate(&format!("{app}/read")).await?;
    driver
        .wait_for_text(&format!("blob of 8000 bytes, checksum {}", checksum(&big)))
        .await?;

    driver.navigate(&format!("{app}/store/100")).await?;
    driver.wait_for_text("stored 100").await?;
    let names = session_cookies(driver).await?;
    expect_names("the session shrunk to one cookie", &names, &[name])?;
    driver.navigate(&format!("{app}/read")).await?;
    driver
        .wait_for_text(&format!("blob of 100 bytes, checksum {}", checksum(&small)))
        .await?;

    // Large again, then destroyed: not one chunk may stay behind.
    driver.navigate(&format!("{app}/store/8000")).await?;
    driver.wait_for_text("stored 8000").await?;
    expect_names(
        "three chunks again",
        &session_cookies(driver).await?,
        &[name, &one, &two],
    )?;
    driver.navigate(&format!("{app}/destroy")).await?;
    driver.wait_for_text("destroyed").await?;
    expect_names(
        "the session destroyed",
        &session_cookies(driver).await?,
        &[],
    )?;
    driver.navigate(&format!("{app}/read")).await?;
    driver.wait_for_text("no blob").await?;
    println!(
        "    browser jar: 3 chunks stored, sent back and opened (twice); shrunk to 1 cookie with \
         the 2 stale chunks gone; destroy left 0"
    );
    Ok(())
}

pub async fn chromiums_jar_holds_every_chunk_then_none_stale_then_none() -> Result<(), String> {
    let server = common::serve(chunked_app()).await;
    with_browser(async |driver| chunks_in_the_jar(driver, &server.url).await).await
}

/// `Set-Cookie` lines a page on `evil.localhost` sends, each an attempt to put a cookie in
/// front of (or in place of) the session cookie of `localhost`: with `Domain=localhost`, under
/// the session's own name, a look-alike name, a chunk's name, another path, and as a nameless
/// cookie whose value reads as `__Host-session=...`. `value` is a real, valid session of the
/// app: the attacker's own, which would log the victim in as the attacker (session fixation).
fn planted(value: &str) -> Vec<String> {
    let name = DEFAULT_COOKIE_NAME;
    [
        format!("{name}={value}; Path=/; Secure; Domain=localhost"),
        format!("{name}={value}; Path=/; Secure"),
        format!("{name}={value}; Path=/; Secure; HttpOnly; Domain=localhost; SameSite=None"),
        format!("{name}.1={value}; Path=/; Secure; Domain=localhost"),
        format!(
            "{}={value}; Path=/; Secure; Domain=localhost",
            name.to_lowercase()
        ),
        format!("__Secure-session={value}; Path=/; Secure; Domain=localhost"),
        format!("session={value}; Path=/; Domain=localhost"),
        format!("{name}={value}; Path=/deeper; Secure; Domain=localhost"),
        format!("={name}={value}; Path=/; Secure; Domain=localhost"),
    ]
    .into()
}

/// The attacker's page: the cookies as `Set-Cookie` headers, and again through
/// `document.cookie`.
fn attacker_app(lines: Vec<String>) -> Router {
    let script: String = lines
        .iter()
        .map(|line| format!("document.cookie = {};\n", serde_json::json!(line)))
        .collect();
    let page = format!(
        "<!doctype html><title>prize</title><p id=done>planted</p><script>{script}</script>"
    );
    Router::new().route(
        "/plant",
        get(move || {
            let headers: Vec<_> = lines.iter().map(|l| (SET_COOKIE, l.clone())).collect();
            let page = page.clone();
            async move { (AppendHeaders(headers), Html(page)) }
        }),
    )
}

async fn planted_cookies_change_nothing(
    driver: &Driver,
    app: &str,
    attacker: &str,
) -> Result<(), String> {
    for n in 1..=3 {
        driver.navigate(&format!("{app}/")).await?;
        driver
            .wait_for_text(&format!("route requested {n} times"))
            .await?;
    }
    let before = driver.session_cookie().await?;

    driver.navigate(&format!("{attacker}/plant")).await?;
    driver.wait_for_text("planted").await?;

    // Back on the app: its own session goes on counting, and the attacker's (at 6) is not it.
    driver.navigate(&format!("{app}/")).await?;
    let text = driver.wait_for_text("route requested").await?;
    if common::demo_count(&text) != Some(4) {
        return Err(format!(
            "after the planting the app sees another session: {text:?}"
        ));
    }
    let jar = driver.cookies().await?;
    let sessions: Vec<&Value> = jar
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| {
            c["name"].as_str().is_some_and(|n| {
                n.eq_ignore_ascii_case(DEFAULT_COOKIE_NAME) || n.starts_with(DEFAULT_COOKIE_NAME)
            })
        })
        .collect();
    if sessions.len() != 1 || sessions[0]["domain"] != before["domain"] {
        return Err(format!(
            "the jar of localhost holds these session look-alikes: {sessions:?}"
        ));
    }
    let others: Vec<&str> = jar
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str())
        .filter(|n| *n != DEFAULT_COOKIE_NAME)
        .collect();
    // The control: the same page served from `localhost` itself (another port, same host
    // name: cookies do not tell ports apart) replaces the session cookie, and the app then sees
    // the attacker's session. So the check above can see a planting that works.
    let same_host = attacker.replace("evil.localhost", "localhost");
    driver.navigate(&format!("{same_host}/plant")).await?;
    driver.wait_for_text("planted").await?;
    driver.navigate(&format!("{app}/")).await?;
    let text = driver.wait_for_text("route requested").await?;
    if common::demo_count(&text) != Some(7) {
        return Err(format!(
            "a cookie planted from the same host name did not take over: {text:?}"
        ));
    }
    println!(
        "    planted cookies: 9 lines set from evil.localhost by header and by script; localhost's \
         jar kept its one session cookie and the session went on counting (other cookies it \
         accepted: {others:?}); the same lines from localhost on another port took the session \
         over, as cookies do not tell ports apart"
    );
    Ok(())
}

pub async fn cookies_planted_from_another_loopback_host_do_not_change_the_session(
) -> Result<(), String> {
    let keys = KeyRing::new(Key::generate());
    let server = common::serve(crate::counter::app(keys)).await;
    // The attacker's own session with the app, at 6.
    let http = common::client(true);
    for _ in 0..5 {
        http.get(format!("{}/", server.url))
            .send()
            .await
            .map_err(|e| e.to_string())?;
    }
    let own = http
        .get(format!("{}/", server.url))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let value = own
        .cookies()
        .find(|c| c.name() == DEFAULT_COOKIE_NAME)
        .map(|c| c.value().to_owned())
        .ok_or("the app gave the attacker no cookie")?;
    let attacker = common::serve(attacker_app(planted(&value))).await;
    let app = server.url.replace("127.0.0.1", "localhost");
    let evil = attacker.url.replace("127.0.0.1", "evil.localhost");
    with_browser(async |driver| planted_cookies_change_nothing(driver, &app, &evil).await).await
}
