//! The examples' own binaries, built by `cargo test` next to the test binaries, run as
//! processes: the demo counter keeps a session across a restart with the same keys, warns
//! without keys and refuses bad ones; the hyper example keeps a session without a framework.

use std::time::Duration;

use reqwest::header::SET_COOKIE;

use common::{client, key_a};

fn expected(n: u64) -> serde_json::Value {
    serde_json::json!({ "hello": format!("route requested {n} times in this session") })
}

async fn visit(client: &reqwest::Client, url: &str) -> serde_json::Value {
    let response = client.get(format!("{url}/")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// An example's own binary, built by `cargo test` next to the test binaries.
pub fn example_binary(name: &str) -> Option<std::path::PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let profile_dir = exe.parent()?.parent()?;
    let binary = profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    binary.is_file().then_some(binary)
}

/// The example binary; the harness runs a test that needs it only where it was built (or under
/// `CI=true`, where a missing one fails here).
fn example(name: &str) -> std::path::PathBuf {
    example_binary(name).unwrap_or_else(|| {
        panic!("examples/{name} was not built (`cargo test` builds the examples)")
    })
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

pub async fn the_counter_binary_serves_the_demo() {
    let binary = example("counter");
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

pub async fn the_hyper_example_keeps_a_session_without_a_framework() {
    let binary = example("hyper");
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
