//! Real servers on loopback, driven by reqwest: many requests with a cookie store, two
//! stateless instances sharing only the key list, and key rotation across a restart.

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
