//! Real servers on loopback, driven by reqwest: many requests with a cookie store, two
//! stateless instances sharing only the key list, and key rotation across a restart.

use std::time::Duration;

use axum::Router;
use reqwest::header::{COOKIE, SET_COOKIE};
use sealed_session::{Key, KeyRing, Sealer};

pub use common::{client, serve};
use common::{key_a, key_b, pair, value};

fn counter(keys: &str) -> Router {
    crate::counter::app(KeyRing::from_base64_list(keys).unwrap())
}

fn expected(n: u64) -> serde_json::Value {
    serde_json::json!({ "hello": format!("route requested {n} times in this session") })
}

async fn visit(client: &reqwest::Client, url: &str) -> serde_json::Value {
    let response = client.get(format!("{url}/")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// One visit with an explicit cookie; the answer and the new cookie pair, if one was set.
async fn visit_with(url: &str, cookie: &str) -> (serde_json::Value, Option<String>) {
    let response = client(false)
        .get(format!("{url}/"))
        .header(COOKIE, cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let set_cookie = response
        .headers()
        .get(SET_COOKIE)
        .map(|v| pair(v.to_str().unwrap()));
    (response.json().await.unwrap(), set_cookie)
}

#[tokio::test]
async fn counter_counts_across_many_requests_with_a_cookie_store() {
    let server = serve(counter(&key_a().to_base64())).await;
    let client = client(true);
    for n in 1..=25 {
        assert_eq!(visit(&client, &server.url).await, expected(n));
    }
    // A second client (another browser) has its own session.
    assert_eq!(visit(&self::client(true), &server.url).await, expected(1));
}

/// The servers `scripts/bench-http.sh` sets between the plain app and the demo do the work they
/// stand for: the counter on `Sealer::open` / `seal` by hand counts, and refuses a cookie of
/// another key or a forged one; the cipher-only app answers as the plain app does.
#[tokio::test]
async fn the_bench_servers_between_the_plain_app_and_the_demo_work() {
    let floor = serve(crate::counter_floor::app(KeyRing::new(key_a()))).await;
    let client = client(true);
    for n in 1..=3 {
        assert_eq!(visit(&client, &floor.url).await, expected(n));
    }
    let (_, cookie) = visit_with(&floor.url, "theme=dark; session=forged").await;
    let cookie = cookie.expect("the counter by hand sets its cookie");
    assert_eq!(visit_with(&floor.url, &cookie).await.0, expected(2));
    assert_eq!(
        visit_with(&floor.url, "session=forged").await.0,
        expected(1)
    );
    let other_key = serve(crate::counter_floor::app(KeyRing::new(key_b()))).await;
    assert_eq!(visit_with(&other_key.url, &cookie).await.0, expected(1));

    // The cipher-only app calls ring directly, so it exists only with the ring backend.
    #[cfg(feature = "ring")]
    {
        let cipher = serve(crate::counter_cipher::app().expect("the cipher app starts")).await;
        for _ in 0..3 {
            assert_eq!(visit(&client, &cipher.url).await, expected(1));
        }
    }
}

#[tokio::test]
async fn counter_answers_only_its_route() {
    let server = serve(counter(&key_a().to_base64())).await;
    let client = client(true);
    let favicon = client
        .get(format!("{}/favicon.ico", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(favicon.status(), 404);
    assert_eq!(visit(&client, &server.url).await, expected(1));
}

#[tokio::test]
async fn two_instances_sharing_only_the_key_list_continue_one_session() {
    let keys = KeyRing::from_keys([key_a(), key_b()])
        .unwrap()
        .to_base64_list();
    let one = serve(counter(&keys)).await;
    let two = serve(counter(&keys)).await;
    assert_ne!(one.url, two.url);
    // Both listen on 127.0.0.1, so one cookie store serves both, as a browser would behind a
    // load balancer.
    let client = client(true);
    for n in 1..=10 {
        let server = if n % 2 == 1 { &one } else { &two };
        assert_eq!(visit(&client, &server.url).await, expected(n));
    }
}

#[tokio::test]
async fn instances_with_different_keys_do_not_share_sessions() {
    let one = serve(counter(&key_a().to_base64())).await;
    let two = serve(counter(&key_b().to_base64())).await;
    let client = client(true);
    assert_eq!(visit(&client, &one.url).await, expected(1));
    assert_eq!(visit(&client, &one.url).await, expected(2));
    // The other instance cannot open the cookie: a fresh session, never an error.
    assert_eq!(visit(&client, &two.url).await, expected(1));
}

#[tokio::test]
async fn rotation_in_flight_reissues_old_cookies_under_the_new_key() {
    let old = key_a();
    let new = key_b();

    // Before: the old key alone.
    let before = serve(counter(&old.to_base64())).await;
    let (answer, cookie) = visit_with(&before.url, "theme=dark").await;
    assert_eq!(answer, expected(1));
    let (answer, cookie) = visit_with(&before.url, &cookie.unwrap()).await;
    assert_eq!(answer, expected(2));
    let old_cookie = cookie.unwrap();
    drop(before);

    // Restart with a new primary, the old key kept for opening.
    let during = serve(counter(&format!("{},{}", new.to_base64(), old.to_base64()))).await;
    let (answer, cookie) = visit_with(&during.url, &old_cookie).await;
    assert_eq!(answer, expected(3));
    let new_cookie = cookie.unwrap();
    let opener = Sealer::new(new.clone());
    let reissued = opener
        .open_bytes_at(&value(&new_cookie), opener.now())
        .unwrap();
    assert_eq!(reissued.key_id(), new.id());
    drop(during);

    // The old key removed: the old cookie gives a fresh session, the re-issued one goes on.
    let after = serve(counter(&new.to_base64())).await;
    assert_eq!(visit_with(&after.url, &old_cookie).await.0, expected(1));
    assert_eq!(visit_with(&after.url, &new_cookie).await.0, expected(4));
}

#[tokio::test]
async fn a_generated_key_list_round_trips_through_the_environment_format() {
    let keys = format!(
        "{}, {} ,",
        Key::generate().to_base64(),
        Key::generate().to_base64()
    );
    let server = serve(counter(&keys)).await;
    assert_eq!(visit(&client(true), &server.url).await, expected(1));
}

/// An example's own binary, built by `cargo test` next to the test binaries.
fn example_binary(name: &str) -> Option<std::path::PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let profile_dir = exe.parent()?.parent()?;
    let binary = profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    binary.is_file().then_some(binary)
}

/// The example binary, or a loud skip (a failure under `CI=true`) when it was not built.
fn example_or_skip(name: &str, test: &str) -> Option<std::path::PathBuf> {
    let binary = example_binary(name);
    if binary.is_none() {
        let message = format!(
            "examples/{name} was not built (run the whole suite with `cargo test`, which builds \
             the examples)"
        );
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("under CI=true this test may not be skipped: {message}");
        }
        eprintln!("\n  *** SKIPPED {test}: {message} ***\n");
    }
    binary
}

/// Start the counter binary with `env`; its URL once it says it listens, and the process.
async fn start_counter(
    binary: &std::path::Path,
    env: &[(&str, &str)],
) -> (String, tokio::process::Child) {
    use tokio::io::AsyncBufReadExt as _;
    let mut command = tokio::process::Command::new(binary);
    command
        .env_remove("SESSION_KEYS")
        .env("PORT", "0")
        .env("RUST_LOG", "warn")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command.spawn().unwrap();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let line = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
        .await
        .expect("the counter did not print its URL within 60 s")
        .unwrap()
        .expect("the counter exited before printing its URL");
    let url = line
        .split_whitespace()
        .find(|word| word.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .trim_end_matches('/')
        .to_owned();
    (url, child)
}

#[tokio::test]
async fn the_counter_binary_serves_the_demo() {
    let Some(binary) = example_or_skip("counter", "the_counter_binary_serves_the_demo") else {
        return;
    };

    let keys = key_a().to_base64();
    let (url, mut child) = start_counter(&binary, &[("SESSION_KEYS", &keys)]).await;
    let client = client(true);
    for n in 1..=3 {
        assert_eq!(visit(&client, &url).await, expected(n));
    }
    child.kill().await.unwrap();

    // The same keys in another process: the session goes on.
    let (url, mut child) = start_counter(&binary, &[("SESSION_KEYS", &keys)]).await;
    assert_eq!(visit(&client, &url).await, expected(4));
    child.kill().await.unwrap();

    // No keys: it warns loudly on stderr and still serves, with an ephemeral key.
    let (url, mut child) = start_counter(&binary, &[]).await;
    assert_eq!(visit(&client, &url).await, expected(1));
    child.kill().await.unwrap();
    let mut stderr = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr)
        .await
        .unwrap();
    assert!(
        stderr.contains("WARNING") && stderr.contains("EPHEMERAL"),
        "{stderr}"
    );

    // Bad keys: it refuses to start, naming the problem.
    let output = tokio::process::Command::new(&binary)
        .env("SESSION_KEYS", "not-a-key")
        .env("PORT", "0")
        .output()
        .await
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("SESSION_KEYS"));
}

#[tokio::test]
async fn the_hyper_example_keeps_a_session_without_a_framework() {
    let Some(binary) = example_or_skip(
        "hyper",
        "the_hyper_example_keeps_a_session_without_a_framework",
    ) else {
        return;
    };
    let keys = key_a().to_base64();
    let (url, mut child) = start_counter(&binary, &[("SESSION_KEYS", &keys)]).await;
    let client = client(true);
    for n in 1..=3 {
        let response = client.get(format!("{url}/")).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.text().await.unwrap(), format!("visit {n}\n"));
    }
    // Another path answers 404 without touching the session.
    let response = client.get(format!("{url}/other")).send().await.unwrap();
    assert_eq!(response.status(), 404);
    assert!(response.headers().get(SET_COOKIE).is_none());
    child.kill().await.unwrap();
}
