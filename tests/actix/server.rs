//! The actix counter demo on loopback, driven by reqwest: a session over many requests, hostile
//! cookies, and an axum and an actix instance that share one key list.

use std::time::Duration;

use reqwest::header::{COOKIE, SET_COOKIE};
use sealed_session::{KeyRing, ManualClock, Sealer, SessionCookie};

use common::{client, key_a, key_b, pair, value};

use crate::helpers::{loopback, run, ActixServer};

/// The actix counter demo on a free port, with the keys `keys`.
fn actix_counter(keys: &KeyRing) -> ActixServer {
    let (listener, url) = loopback();
    run(
        crate::actix_counter::server(keys.clone(), listener).unwrap(),
        url,
    )
}

fn expected(n: u64) -> serde_json::Value {
    serde_json::json!({ "hello": format!("route requested {n} times in this session") })
}

/// One visit with `client`; the answer and the session cookie it set, if any.
async fn visit(client: &reqwest::Client, url: &str) -> (serde_json::Value, Option<String>) {
    let response = client.get(format!("{url}/")).send().await.unwrap();
    assert_eq!(response.status(), 200, "{url}");
    let set_cookie = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("__Host-session="));
    (response.json().await.unwrap(), set_cookie)
}

/// One visit with this `Cookie` header and no cookie store.
async fn visit_with(url: &str, cookie: &str) -> (u16, String, Option<String>) {
    let response = client(false)
        .get(format!("{url}/"))
        .header(COOKIE, cookie)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let set_cookie = response
        .headers()
        .get(SET_COOKIE)
        .map(|v| v.to_str().unwrap().to_owned());
    (status, response.text().await.unwrap(), set_cookie)
}

fn count_text(n: u64) -> String {
    expected(n).to_string()
}

#[tokio::test]
async fn the_actix_counter_counts_one_two_three_and_a_fresh_client_starts_over() {
    let server = actix_counter(&KeyRing::new(key_a()));
    let browser = client(true);
    for n in 1..=3 {
        assert_eq!(visit(&browser, &server.url).await.0, expected(n));
    }
    // Another browser has its own session.
    assert_eq!(visit(&client(true), &server.url).await.0, expected(1));
    // And the first goes on.
    assert_eq!(visit(&browser, &server.url).await.0, expected(4));
}

/// The `Cookie` pair of a session holding `count = n` for the demo's cookie name, sealed by
/// `sealer`.
fn sealed_count(sealer: Sealer, n: u64) -> String {
    let cookie = SessionCookie::new(sealer);
    let session = cookie.load_from([]);
    session.insert("count", n).unwrap();
    pair(&cookie.set_cookie_lines(&session).unwrap()[0])
}

#[tokio::test]
async fn hostile_cookies_give_a_fresh_session_and_never_a_server_error() {
    let server = actix_counter(&KeyRing::new(key_a()));
    let good = sealed_count(Sealer::new(key_a()), 41);
    let good_value = value(&good);
    // The good cookie goes on: what the hostile ones below are measured against.
    let (status, body, _) = visit_with(&server.url, &good).await;
    assert_eq!((status, body), (200, count_text(42)));

    let mut tampered = good_value.clone().into_bytes();
    tampered[30] = if tampered[30] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let truncated = &good_value[..good_value.len() - 7];
    let day_and_more = Duration::from_secs(2 * 24 * 60 * 60);
    let past = Sealer::new(key_a()).now() - day_and_more.as_secs();
    let expired = sealed_count(Sealer::new(key_a()).clock(ManualClock::new(past)), 41);
    let old_key = sealed_count(Sealer::new(key_b()), 41);
    // Sealed for another cookie name: the name is bound into the value.
    let other_name = value(&sealed_count(Sealer::new(key_a()).cookie_name("other"), 41));
    let cases = [
        ("tampered", format!("__Host-session={tampered}")),
        ("truncated", format!("__Host-session={truncated}")),
        ("expired", expired),
        ("sealed by a key the server does not hold", old_key),
        (
            "sealed for another name",
            format!("__Host-session={other_name}"),
        ),
        ("under another name", format!("session={good_value}")),
        ("oversized", format!("__Host-session={}", "A".repeat(6_000))),
        (
            "duplicated, forged",
            format!("__Host-session={tampered}; __Host-session={truncated}"),
        ),
        ("not base64", "__Host-session=!!!%ZZ%%".to_owned()),
    ];
    for (what, cookie) in &cases {
        let (status, body, set_cookie) = visit_with(&server.url, cookie).await;
        assert_eq!((status, body), (200, count_text(1)), "{what}: {cookie}");
        let set_cookie = set_cookie.unwrap_or_else(|| panic!("{what}: no new session cookie"));
        assert!(
            set_cookie.starts_with("__Host-session="),
            "{what}: {set_cookie}"
        );
    }
    // The good cookie sent twice is still the one session, not an error.
    let (status, body, _) = visit_with(&server.url, &format!("{good}; {good}")).await;
    assert_eq!((status, body), (200, count_text(42)));
}

/// Each framework's demo on loopback, with one key list.
#[cfg(feature = "axum")]
mod across_frameworks {
    use std::net::SocketAddr;

    use sealed_session::Key;
    use tokio::task::JoinHandle;

    use super::*;

    /// The axum counter demo on a free port; stopped when dropped.
    struct AxumServer {
        url: String,
        task: JoinHandle<()>,
    }

    impl Drop for AxumServer {
        fn drop(&mut self) {
            self.task.abort();
        }
    }

    async fn axum_counter(keys: &KeyRing) -> AxumServer {
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let app = crate::counter::app(keys.clone());
        let task = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        AxumServer { url, task }
    }

    /// The key id a `Set-Cookie` value of the demo's cookie was sealed under.
    fn sealed_under(set_cookie: &str, key: &Key) -> bool {
        let sealer = Sealer::new(key.clone());
        sealer
            .open_bytes_at(&value(set_cookie), sealer.now())
            .is_ok_and(|opened| opened.key_id() == key.id())
    }

    #[tokio::test]
    async fn axum_and_actix_instances_continue_one_session_and_either_reseals_an_old_key_cookie() {
        let (old, new) = (key_a(), key_b());
        let before = KeyRing::new(old.clone());
        let axum = axum_counter(&before).await;
        let actix = actix_counter(&before);
        // Both on 127.0.0.1: one cookie store serves both, as a browser behind a load balancer.
        let first = client(true);
        let second = client(true);
        for n in 1..=6 {
            let (a, b) = if n % 2 == 1 {
                (&axum.url, &actix.url)
            } else {
                (&actix.url, &axum.url)
            };
            assert_eq!(visit(&first, a).await.0, expected(n), "first, n = {n}");
            assert_eq!(visit(&second, b).await.0, expected(n), "second, n = {n}");
        }
        drop((axum, actix));

        // Both restart with a new primary key, the old one kept for opening. Each browser's
        // old-key cookie reaches one of them first and is re-sealed under the new key there.
        let rotated = KeyRing::new(new.clone())
            .with_previous(old.clone())
            .unwrap();
        let axum = axum_counter(&rotated).await;
        let actix = actix_counter(&rotated);
        let (answer, set_cookie) = visit(&first, &actix.url).await;
        assert_eq!(answer, expected(7));
        let resealed = set_cookie.expect("actix re-sealed the old-key cookie");
        assert!(sealed_under(&resealed, &new), "actix: {resealed}");
        let (answer, set_cookie) = visit(&second, &axum.url).await;
        assert_eq!(answer, expected(7));
        let resealed_second = set_cookie.expect("axum re-sealed the old-key cookie");
        assert!(
            sealed_under(&resealed_second, &new),
            "axum: {resealed_second}"
        );
        // Each goes on at the other.
        assert_eq!(visit(&first, &axum.url).await.0, expected(8));
        assert_eq!(visit(&second, &actix.url).await.0, expected(8));
        drop((axum, actix));

        // The old key removed: the re-sealed cookies go on at both, an old-key one does not.
        let only_new = KeyRing::new(new);
        let axum = axum_counter(&only_new).await;
        let actix = actix_counter(&only_new);
        assert_eq!(visit(&first, &actix.url).await.0, expected(9));
        assert_eq!(visit(&second, &axum.url).await.0, expected(9));
        let stale = sealed_count(Sealer::new(old), 100);
        for url in [&axum.url, &actix.url] {
            let (status, body, _) = visit_with(url, &stale).await;
            assert_eq!((status, body), (200, count_text(1)), "{url}");
        }
    }
}
