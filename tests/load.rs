//! Hostile traffic at volume: the axum layer driven in process (`oneshot` on clones of one
//! router, a multi-threaded runtime, bounded concurrency) with 100,000 requests that mix valid,
//! tampered, truncated, expired, old-key, wrong-name, oversized, duplicated, chunked, revoked and
//! garbage cookies. Asserts: no panic, no 5xx, and every valid session arrives intact (reads see
//! exactly their data, writes send back a cookie that opens to exactly the new data).
//!
//! `SEALED_SESSION_LOAD_REQUESTS` raises (never lowers) the request count.
#![cfg(feature = "axum")]

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::routing::get;
use axum::Router;
use http::HeaderMap;
use http_body_util::BodyExt as _;
use sealed_session::{
    Key, KeyRing, ManualClock, Sealer, Session, SessionCookie, SessionLayer, MAX_COOKIE_SIZE,
};
use tower::ServiceExt as _;

const T0: u64 = 1_700_000_000;
const USERS: u64 = 400;
const BIG_USERS: u64 = 40;
const MAX_CHUNKS: usize = 3;
const MIN_REQUESTS: usize = 100_000;
const WORKERS: usize = 32;

fn new_key() -> Key {
    Key::from_bytes([0x51; 32])
}

fn old_key() -> Key {
    Key::from_bytes([0x52; 32])
}

fn sealer(ring: impl Into<KeyRing>, now: u64) -> Sealer {
    // Named plainly: the requests below are written by hand with `session=`.
    Sealer::new(ring)
        .cookie_name("session")
        .clock(ManualClock::new(now))
        .max_lifetime(Duration::from_secs(86_400))
        .max_cookie_size(MAX_CHUNKS * MAX_COOKIE_SIZE)
}

fn cookie_for(sealer: Sealer) -> SessionCookie<Sealer> {
    SessionCookie::chunked(sealer, MAX_CHUNKS)
}

/// The data of user `id`'s session: big users' payloads need chunking.
fn payload(id: u64) -> String {
    let len = if id < BIG_USERS {
        6_000
    } else {
        40 + (id % 200) as usize
    };
    (0..len)
        .map(|i| char::from(b'a' + ((id as usize * 7 + i) % 26) as u8))
        .collect()
}

/// What `/read` answers for user `id`.
fn expected(id: u64, count: u64) -> String {
    format!("{id}:{count}:{}", payload(id))
}

fn revoked(id: u64) -> bool {
    id % 50 == 7
}

/// The app: `/read` echoes the session, `/incr` bumps its counter. Its validator rejects users
/// `revoked` picks.
fn app() -> Router {
    let ring = KeyRing::from_keys([new_key(), old_key()]).unwrap();
    let layer = SessionLayer::from_cookie(cookie_for(sealer(ring, T0))).validator(
        |session: Session| async move {
            match session.get::<u64>("user") {
                Ok(Some(id)) => !revoked(id),
                _ => true,
            }
        },
    );
    Router::new()
        .route("/read", get(|s: Session| async move { describe(&s) }))
        .route(
            "/incr",
            get(|s: Session| async move {
                if s.contains_key("user") {
                    let count = s.get::<u64>("count").unwrap().unwrap_or(0) + 1;
                    s.insert("count", count).unwrap();
                }
                describe(&s)
            }),
        )
        .layer(layer)
}

fn describe(s: &Session) -> String {
    match (s.get::<u64>("user"), s.get::<String>("payload")) {
        (Ok(Some(id)), Ok(Some(payload))) => {
            let count = s.get::<u64>("count").unwrap().unwrap_or(0);
            format!("{id}:{count}:{payload}")
        }
        (Ok(None), Ok(None)) => "none".to_owned(),
        other => format!("corrupt: {other:?}"),
    }
}

/// The `Cookie` header for a session of user `id` sealed by `cookies`, renamed to `session`.
fn sealed_header(cookies: &SessionCookie<Sealer>, id: u64, count: u64) -> String {
    let session = cookies.load(&HeaderMap::new());
    session.insert("user", id).unwrap();
    session.insert("payload", payload(id)).unwrap();
    session.insert("count", count).unwrap();
    let name = cookies.name().to_owned();
    cookies
        .set_cookie_values(&session)
        .unwrap()
        .iter()
        .map(|v| {
            let pair = v.to_str().unwrap().split(';').next().unwrap();
            pair.replacen(&name, "session", 1)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Pre-sealed cookies for every user, in each flavour.
struct Pool {
    valid: Vec<String>,
    old_key: Vec<String>,
    expired: Vec<String>,
    wrong_name: Vec<String>,
}

fn pool() -> Pool {
    let valid = cookie_for(sealer(new_key(), T0 - 60));
    let old = cookie_for(sealer(old_key(), T0 - 60));
    let expired = cookie_for(sealer(new_key(), T0 - 2 * 86_400));
    let other = cookie_for(sealer(new_key(), T0 - 60).cookie_name("other"));
    Pool {
        valid: (0..USERS)
            .map(|id| sealed_header(&valid, id, id % 5))
            .collect(),
        old_key: (0..USERS).map(|id| sealed_header(&old, id, 1)).collect(),
        expired: (0..USERS)
            .map(|id| sealed_header(&expired, id, 2))
            .collect(),
        wrong_name: (0..USERS).map(|id| sealed_header(&other, id, 3)).collect(),
    }
}

/// A small deterministic generator (xorshift64*), so that a failure replays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// One request and what it must produce.
struct Case {
    kind: &'static str,
    path: &'static str,
    cookie: Option<String>,
    /// The `/read`-style answer expected (for `/incr` on a valid session: after the bump).
    body: String,
    /// For a valid `/incr`: the user and count the `Set-Cookie` must open to.
    written: Option<(u64, u64)>,
}

fn case(pool: &Pool, rng: &mut Rng) -> Case {
    let id = rng.below(USERS);
    let valid = &pool.valid[id as usize];
    let count = id % 5;
    let none = || "none".to_owned();
    let live = |body: String| if revoked(id) { none() } else { body };
    let mut c = Case {
        kind: "",
        path: "/read",
        cookie: None,
        body: none(),
        written: None,
    };
    match rng.below(100) {
        0..=29 => {
            c.kind = "valid read";
            c.cookie = Some(valid.clone());
            c.body = live(expected(id, count));
        }
        30..=39 => {
            c.kind = "valid write";
            c.path = "/incr";
            c.cookie = Some(valid.clone());
            if !revoked(id) {
                c.body = expected(id, count + 1);
                c.written = Some((id, count + 1));
            }
        }
        40..=47 => {
            c.kind = "old key";
            c.cookie = Some(pool.old_key[id as usize].clone());
            c.body = live(expected(id, 1));
        }
        48..=55 => {
            c.kind = "tampered";
            let mut bytes = valid.clone().into_bytes();
            // Any byte after `session=` (and after a chunk count), including chunk cookies'.
            let at = 10 + rng.below((bytes.len() - 10) as u64) as usize;
            let replacement = if bytes[at] == b'A' { b'B' } else { b'A' };
            if bytes[at] == b';' || bytes[at] == b' ' || bytes[at] == b'=' {
                bytes.insert(at + 1, b'x');
            } else {
                bytes[at] = replacement;
            }
            c.cookie = Some(String::from_utf8(bytes).unwrap());
        }
        56..=62 => {
            c.kind = "truncated";
            let cut = 8 + rng.below((valid.len() - 8) as u64) as usize;
            // Whatever the cut (inside a value, a name, between chunk cookies), what is left
            // is not a whole sealed value.
            c.cookie = Some(valid[..cut].to_owned());
        }
        63..=69 => {
            c.kind = "expired";
            c.cookie = Some(pool.expired[id as usize].clone());
        }
        70..=76 => {
            c.kind = "wrong name";
            c.cookie = Some(pool.wrong_name[id as usize].clone());
        }
        77..=81 => {
            c.kind = "oversized";
            let len = MAX_COOKIE_SIZE + rng.below(20_000) as usize;
            c.cookie = Some(format!("session={}", "A".repeat(len)));
        }
        82..=87 => {
            c.kind = "duplicated";
            // A forged first cookie, then the real one: the real one must still open.
            let forged = format!("session={}", "B".repeat(100));
            if id < BIG_USERS {
                // Chunked: a duplicate of the whole set, first wins.
                c.cookie = Some(format!("{valid}; {valid}"));
            } else {
                c.cookie = Some(format!("{forged}; {valid}; {valid}"));
            }
            c.body = live(expected(id, count));
        }
        88..=92 => {
            c.kind = "chunk mix";
            // The first cookie of one big user with the chunks of another.
            let other = (id + 1) % BIG_USERS;
            let a = &pool.valid[(id % BIG_USERS) as usize];
            let b = &pool.valid[other as usize];
            let first = a.split("; ").next().unwrap();
            let rest: Vec<&str> = b.split("; ").skip(1).collect();
            c.cookie = Some(format!("{first}; {}", rest.join("; ")));
        }
        93..=96 => {
            c.kind = "garbage";
            let len = rng.below(300) as usize;
            let junk: String = (0..len)
                .map(|_| char::from(b' ' + rng.below(95) as u8))
                .filter(|&ch| ch != ';')
                .collect();
            c.cookie = Some(format!("session={junk}; session.1={junk}"));
        }
        _ => {
            c.kind = "no cookie";
        }
    }
    c
}

async fn run(app: &Router, case: &Case) -> Result<(), String> {
    let mut request = Request::get(case.path);
    if let Some(cookie) = &case.cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    if status.is_server_error() {
        return Err(format!("{}: status {status}", case.kind));
    }
    let set_cookies: Vec<String> = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let body = String::from_utf8_lossy(&body);
    if status != StatusCode::OK || body != case.body {
        return Err(format!(
            "{}: expected {:.40?}, got {status} {:.40?}",
            case.kind, case.body, body
        ));
    }
    if let Some((id, count)) = case.written {
        // The new cookie opens, with the new key only, to exactly the new data.
        let header = set_cookies
            .iter()
            .filter(|c| !c.contains("Max-Age=0"))
            .map(|c| c.split(';').next().unwrap())
            .collect::<Vec<_>>()
            .join("; ");
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, header.parse().unwrap());
        let reader = cookie_for(sealer(new_key(), T0));
        let session = reader.load(&headers);
        if describe(&session) != expected(id, count) {
            return Err(format!(
                "{}: written cookie does not hold the new data",
                case.kind
            ));
        }
    }
    Ok(())
}

#[test]
fn a_hundred_thousand_hostile_requests_never_panic_never_5xx_and_keep_valid_data() {
    let requests = std::env::var("SEALED_SESSION_LOAD_REQUESTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(MIN_REQUESTS)
        .max(MIN_REQUESTS);
    let pool = Arc::new(pool());
    let app = app();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let results = runtime.block_on(async {
        let mut workers = tokio::task::JoinSet::new();
        for worker in 0..WORKERS {
            let (app, pool) = (app.clone(), Arc::clone(&pool));
            // Requests are split evenly; worker w handles requests w, w + WORKERS, ...
            let share = (requests + WORKERS - 1 - worker) / WORKERS;
            workers.spawn(async move {
                let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (worker as u64 + 1));
                let mut kinds = HashSet::new();
                let mut failures = Vec::new();
                for _ in 0..share {
                    let case = case(&pool, &mut rng);
                    kinds.insert(case.kind);
                    if let Err(e) = run(&app, &case).await {
                        failures.push(e);
                    }
                }
                (share, kinds, failures)
            });
        }
        let mut out = Vec::new();
        while let Some(joined) = workers.join_next().await {
            out.push(joined.map_err(|e| if e.is_panic() { "panic" } else { "cancelled" }));
        }
        out
    });
    let elapsed = started.elapsed();

    let mut done = 0;
    let mut kinds = HashSet::new();
    let mut failures = Vec::new();
    for result in results {
        let (share, seen, failed) = result.expect("a worker panicked");
        done += share;
        kinds.extend(seen);
        failures.extend(failed);
    }
    eprintln!(
        "load: {done} requests in {elapsed:?} ({} kinds)",
        kinds.len()
    );
    assert_eq!(done, requests);
    assert!(
        failures.is_empty(),
        "{} failures, first: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    for kind in [
        "valid read",
        "valid write",
        "old key",
        "tampered",
        "truncated",
        "expired",
        "wrong name",
        "oversized",
        "duplicated",
        "chunk mix",
        "garbage",
        "no cookie",
    ] {
        assert!(kinds.contains(kind), "no {kind} request was sent");
    }
}
