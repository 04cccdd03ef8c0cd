//! Opt-in chunking: a large session split over `session`, `session.1`, ...; stale chunks
//! expired; missing, reordered, mixed, oversized or over-counted chunks open no session.

use axum::extract::Query;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use http::{header, HeaderMap, HeaderValue};
use std::time::Duration;

use sealed_session::{
    Key, ManualClock, Sealer, Session, SessionCookie, SessionLayer, SessionSealer, MAX_COOKIE_SIZE,
};
use serde::Deserialize;

use crate::{cookie_header, removed_names, set_names};
use common::{key_a, pair, send, set_cookies, status_text};
#[cfg(feature = "fastify")]
use sealed_session::WriteError;

const CAP: usize = 3;

#[derive(Deserialize)]
struct Size {
    n: usize,
}

fn sealer() -> Sealer {
    // Named plainly, so that the chunk names read as `session.1`, `session.2`, ...
    Sealer::new(key_a())
        .cookie_name("session")
        .max_cookie_size(CAP * MAX_COOKIE_SIZE)
}

fn cookies() -> SessionCookie<Sealer> {
    SessionCookie::chunked(sealer(), CAP)
}

/// The `Set-Cookie` values `cookies` writes for `session`, as text.
fn set_cookie_lines<S: SessionSealer>(
    cookies: &SessionCookie<S>,
    session: &Session<S::Codec>,
) -> Vec<String> {
    cookies
        .set_cookie_values(session)
        .unwrap()
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

/// Request headers carrying back the cookies `set` sets (removals left out).
fn request_carrying(set: &[String]) -> HeaderMap {
    let mut request = HeaderMap::new();
    request.insert(
        header::COOKIE,
        HeaderValue::from_str(&cookie_header(set)).unwrap(),
    );
    request
}

fn app() -> Router {
    Router::new()
        .route(
            "/set",
            get(|s: Session, Query(size): Query<Size>| async move {
                s.insert("blob", "b".repeat(size.n)).unwrap();
                "ok"
            }),
        )
        .route(
            "/len",
            get(|s: Session| async move {
                match s.get::<String>("blob").unwrap() {
                    Some(blob) if blob.bytes().all(|b| b == b'b') => blob.len().to_string(),
                    Some(_) => "corrupt".to_owned(),
                    None => "none".to_owned(),
                }
            }),
        )
        .route("/destroy", get(|s: Session| async move { s.destroy() }))
        .layer(SessionLayer::from_cookie(cookies()))
}

/// Set a blob of `n` bytes; the `Set-Cookie` values of the answer.
async fn start(app: &Router, n: usize) -> Vec<String> {
    let response = send(app, &format!("/set?n={n}"), None).await;
    assert_eq!(response.status(), StatusCode::OK);
    set_cookies(&response)
}

async fn len_with(app: &Router, cookie: &str) -> String {
    status_text(send(app, "/len", Some(cookie)).await).await.1
}

/// `(name, value)` of each cookie in a `Cookie` header.
fn split_header(header: &str) -> Vec<(String, String)> {
    header
        .split("; ")
        .map(|p| {
            let (n, v) = p.split_once('=').unwrap();
            (n.to_owned(), v.to_owned())
        })
        .collect()
}

fn join_header(cookies: &[(String, String)]) -> String {
    cookies
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

#[tokio::test]
async fn a_large_session_round_trips_over_chunk_cookies_each_within_the_limit() {
    let app = app();
    let set = start(&app, 9_000).await;
    assert_eq!(set.len(), 3, "{set:?}");
    let header = cookie_header(&set);
    let cookies = split_header(&header);
    let names: Vec<_> = cookies.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["session", "session.1", "session.2"]);
    assert!(
        cookies[0].1.starts_with("3."),
        "first cookie carries the count"
    );
    for (name, value) in &cookies {
        assert!(
            name.len() + value.len() <= MAX_COOKIE_SIZE,
            "{name} too large"
        );
    }
    // Every chunk cookie carries the session cookie's attributes.
    for set_cookie in &set {
        for attribute in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
            assert!(set_cookie.contains(attribute), "{set_cookie:.60}");
        }
    }
    assert_eq!(len_with(&app, &header).await, "9000");
}

#[tokio::test]
async fn small_sessions_stay_one_unframed_cookie() {
    let app = app();
    let set = start(&app, 10).await;
    assert_eq!(set.len(), 1);
    let value = pair(&set[0]);
    assert!(!value["session=".len()..].contains('.'), "{value}");
    assert_eq!(len_with(&app, &cookie_header(&set)).await, "10");
}

#[tokio::test]
async fn an_unchunked_cookie_keeps_opening_after_chunking_is_turned_on() {
    let plain = Router::new()
        .route(
            "/set",
            get(|s: Session| async move { s.insert("blob", "b".repeat(100)).unwrap() }),
        )
        // The same key and name with the browser's limit: a layer without chunking.
        .layer(SessionLayer::new(
            Sealer::new(key_a()).cookie_name("session"),
        ));
    let set = set_cookies(&send(&plain, "/set", None).await);
    assert_eq!(len_with(&app(), &cookie_header(&set)).await, "100");
}

#[tokio::test]
async fn a_shrinking_session_expires_its_stale_chunks_in_the_same_response() {
    let app = app();
    let big = cookie_header(&start(&app, 9_000).await);
    let response = send(&app, "/set?n=5000", Some(&big)).await;
    assert_eq!(set_names(&response), ["session", "session.1"]);
    assert_eq!(removed_names(&response), ["session.2"]);

    let mid = cookie_header(&set_cookies(&response));
    let response = send(&app, "/set?n=10", Some(&mid)).await;
    assert_eq!(set_names(&response), ["session"]);
    assert_eq!(removed_names(&response), ["session.1"]);
    assert_eq!(
        len_with(&app, &cookie_header(&set_cookies(&response))).await,
        "10"
    );
}

#[tokio::test]
async fn destroy_expires_the_session_cookie_and_every_chunk() {
    let app = app();
    let big = cookie_header(&start(&app, 5_000).await);
    let response = send(&app, "/destroy", Some(&big)).await;
    assert!(set_names(&response).is_empty());
    assert_eq!(
        removed_names(&response),
        ["session", "session.1", "session.2"]
    );
}

#[tokio::test]
async fn a_missing_chunk_is_no_session() {
    let app = app();
    let cookies = split_header(&cookie_header(&start(&app, 9_000).await));
    for missing in 1..cookies.len() {
        let mut sent = cookies.clone();
        sent.remove(missing);
        assert_eq!(len_with(&app, &join_header(&sent)).await, "none");
    }
}

#[tokio::test]
async fn reordered_chunks_are_no_session() {
    let app = app();
    let cookies = split_header(&cookie_header(&start(&app, 9_000).await));
    let mut swapped = cookies.clone();
    let (one, two) = (swapped[1].1.clone(), swapped[2].1.clone());
    swapped[1].1 = two;
    swapped[2].1 = one;
    assert_eq!(len_with(&app, &join_header(&swapped)).await, "none");
    // The same cookies sent in another order in the header are fine: names say the order.
    let mut shuffled = cookies.clone();
    shuffled.reverse();
    assert_eq!(len_with(&app, &join_header(&shuffled)).await, "9000");
}

#[tokio::test]
async fn chunks_of_two_different_values_do_not_mix() {
    let app = app();
    let a = split_header(&cookie_header(&start(&app, 9_000).await));
    let b = split_header(&cookie_header(&start(&app, 9_000).await));
    for index in 0..a.len() {
        let mut mixed = a.clone();
        mixed[index] = b[index].clone();
        assert_eq!(len_with(&app, &join_header(&mixed)).await, "none");
    }
}

#[tokio::test]
async fn a_wrong_count_is_no_session() {
    let app = app();
    let cookies = split_header(&cookie_header(&start(&app, 9_000).await));
    for count in ["0", "1", "2", "4", "9"] {
        let mut sent = cookies.clone();
        sent[0].1.replace_range(0..1, count);
        assert_eq!(
            len_with(&app, &join_header(&sent)).await,
            "none",
            "count {count}"
        );
    }
}

#[tokio::test]
async fn leftover_chunks_beyond_the_count_are_ignored() {
    let app = app();
    let mut cookies = split_header(&cookie_header(&start(&app, 5_000).await));
    cookies.push(("session.2".into(), "AAAA".into()));
    assert_eq!(len_with(&app, &join_header(&cookies)).await, "5000");
}

#[tokio::test]
async fn duplicated_chunk_cookies_use_the_first_and_never_panic() {
    let app = app();
    let cookies = split_header(&cookie_header(&start(&app, 5_000).await));
    let mut sent = cookies.clone();
    sent.push(cookies[1].clone());
    assert_eq!(len_with(&app, &join_header(&sent)).await, "5000");
    let mut foreign_first = vec![("session.1".to_owned(), "AAAA".to_owned())];
    foreign_first.extend(cookies);
    assert_eq!(len_with(&app, &join_header(&foreign_first)).await, "none");
}

#[tokio::test]
async fn a_chunk_larger_than_any_cookie_is_refused() {
    let app = app();
    let mut cookies = split_header(&cookie_header(&start(&app, 5_000).await));
    cookies[1].1.push_str(&"A".repeat(MAX_COOKIE_SIZE));
    assert_eq!(len_with(&app, &join_header(&cookies)).await, "none");
}

#[test]
fn a_session_needing_more_chunks_than_the_cap_is_an_error_naming_the_numbers() {
    // The session knows it: the value is refused at insert, naming the size.
    let cookies = cookies();
    let session = cookies.load(&HeaderMap::new());
    let err = session.insert("blob", "b".repeat(20_000)).unwrap_err();
    assert!(
        matches!(err, sealed_session::SessionError::TooLarge(e) if e.size > e.max),
        "{err:?}"
    );
    #[cfg(feature = "fastify")]
    {
        // A sealer that cannot tell a value's length learns it at sealing, from the chunk cap.
        let roomy =
            SessionCookie::chunked(crate::unmeasured(key_a()).max_cookie_size(64 * 1024), CAP);
        let session = roomy.load(&HeaderMap::new());
        session.insert("blob", "b".repeat(20_000)).unwrap();
        let err = roomy.set_cookie_values(&session).unwrap_err();
        let WriteError::TooManyChunks {
            size,
            max_chunks,
            room,
        } = err
        else {
            panic!("expected TooManyChunks, got {err:?}");
        };
        assert_eq!(max_chunks, CAP);
        assert!(size > max_chunks * room);
        let message = err.to_string();
        assert!(
            message.contains(&size.to_string()) && message.contains("3 cookies"),
            "{message}"
        );
    }
}

#[test]
fn chunking_works_through_the_plain_http_helpers() {
    let cookies = cookies();
    let session = cookies.load(&HeaderMap::new());
    session.insert("blob", "b".repeat(6_000)).unwrap();
    let set = set_cookie_lines(&cookies, &session);
    let request = request_carrying(&set);
    let again = cookies.load(&request);
    assert_eq!(
        again.get::<String>("blob").unwrap().map(|b| b.len()),
        Some(6_000)
    );
    // Unchanged: nothing to send.
    assert!(cookies.set_cookie_values(&again).unwrap().is_empty());
}

#[test]
fn a_chunked_session_past_its_absolute_lifetime_has_every_chunk_expired() {
    let clock = ManualClock::new(1_700_000_000);
    let sealer = sealer()
        .max_lifetime(Duration::from_secs(100))
        .clock(clock.clone());
    let cookies = SessionCookie::chunked(sealer, CAP);
    let session = cookies.load(&HeaderMap::new());
    session.insert("blob", "b".repeat(6_000)).unwrap();
    let set = set_cookie_lines(&cookies, &session);
    let request = request_carrying(&set);
    // Past the absolute deadline but within the leeway: it opens, and cannot be sealed again.
    clock.advance(Duration::from_secs(130));
    let late = cookies.load(&request);
    assert!(late.get::<String>("blob").unwrap().is_some());
    late.touch();
    let removed: Vec<String> = set_cookie_lines(&cookies, &late)
        .into_iter()
        .filter(|c| crate::is_removal(c))
        .map(|c| pair(&c).split_once('=').unwrap().0.to_owned())
        .collect();
    assert_eq!(removed, ["session", "session.1", "session.2"]);
}

#[test]
fn a_value_sealed_with_another_key_never_opens_through_chunks() {
    let other = SessionCookie::chunked(
        Sealer::new(Key::from_bytes([9; 32]))
            .cookie_name("session")
            .max_cookie_size(CAP * MAX_COOKIE_SIZE),
        CAP,
    );
    let session = other.load(&HeaderMap::new());
    session.insert("blob", "b".repeat(6_000)).unwrap();
    let set = set_cookie_lines(&other, &session);
    let request = request_carrying(&set);
    assert!(cookies().load(&request).is_empty());
}

#[cfg(feature = "fastify")]
#[test]
fn a_large_fastify_format_session_round_trips_over_chunks() {
    use sealed_session::FastifySealer;
    let sealer = FastifySealer::new(key_a()).max_cookie_size(CAP * MAX_COOKIE_SIZE);
    let cookies = SessionCookie::chunked(sealer, CAP);
    let session = cookies.load(&HeaderMap::new());
    session.insert("blob", "b".repeat(6_000)).unwrap();
    let set = set_cookie_lines(&cookies, &session);
    assert_eq!(set.len(), 2, "{set:?}");
    let request = request_carrying(&set);
    let again = cookies.load(&request);
    assert_eq!(
        again.get::<String>("blob").unwrap().map(|b| b.len()),
        Some(6_000)
    );
}

#[test]
fn a_sealer_limit_over_4096_bytes_without_chunking_is_refused() {
    // Browsers drop a cookie over 4096 bytes silently: such a cookie helper is not built.
    let err = SessionCookie::try_new(sealer()).unwrap_err();
    assert_eq!(
        err,
        sealed_session::ConfigError::CookieTooLarge {
            size: CAP * MAX_COOKIE_SIZE,
            max: MAX_COOKIE_SIZE
        }
    );
    assert!(err.to_string().contains("SessionCookie::chunked"), "{err}");
    assert!(SessionCookie::try_chunked(sealer(), 1).is_err());
    assert!(SessionCookie::try_chunked(sealer(), CAP).is_ok());
    assert!(SessionCookie::try_new(Sealer::new(key_a()).cookie_name("session")).is_ok());
    for bad in [0, sealed_session::MAX_CHUNKS + 1] {
        assert!(SessionCookie::try_chunked(sealer(), bad).is_err(), "{bad}");
    }
}

#[test]
#[should_panic(expected = "over the 4096 bytes browsers keep")]
fn a_layer_over_a_sealer_browsers_cannot_keep_panics_at_start_up() {
    let _ = SessionLayer::new(sealer());
}
