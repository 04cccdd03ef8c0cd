//! Hostile load over real TCP against a counter process: many keep-alive connections mixing
//! valid sessions with tampered, truncated, oversized, duplicated, percent-mangled, non-UTF-8,
//! wrong-name, look-alike and huge-header cookies, plus slow, half-closed and abandoned
//! connections. Checks: no 5xx, the server never stops, every valid session's count is exactly
//! right, a cookie that must not open gives a fresh session, and the resident memory stays
//! flat.
//!
//! `SEALED_SESSION_HOSTILE_REQUESTS` sets the number of requests (30,000 by default; the script
//! sends 200,000 to the release demo).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use libtest_mimic::Failed;
use sealed_session::Key;

use crate::instance::Instance;
use crate::raw_http::{get, Connection, Response, COOKIE_NAME};

const DEFAULT_REQUESTS: u64 = 30_000;
const CONNECTIONS: u64 = 48;
const SESSIONS_PER_CONNECTION: usize = 4;
const SLOW_CONNECTIONS: u64 = 16;
/// Growth of the server's resident memory over the run that counts as a leak.
const MAX_GROWTH_KIB: u64 = 16 * 1024;

/// The kinds of request, in the order each connection cycles through them.
const KINDS: [Kind; 14] = [
    Kind::Valid,
    Kind::Tampered,
    Kind::Valid,
    Kind::Truncated,
    Kind::Oversized,
    Kind::Duplicated,
    Kind::Valid,
    Kind::PercentMangled,
    Kind::NonUtf8,
    Kind::WrongName,
    Kind::Valid,
    Kind::LookAlikes,
    Kind::HugeHeader,
    Kind::Garbage,
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Kind {
    Valid,
    Tampered,
    Truncated,
    Oversized,
    Duplicated,
    PercentMangled,
    NonUtf8,
    WrongName,
    LookAlikes,
    HugeHeader,
    Garbage,
}

/// What the answer's count must be.
enum Expect {
    /// The session opened: the count after the session's own.
    Next,
    /// The cookie must not open: a fresh session.
    Fresh,
    /// Either, or a 4xx refusal of the whole request (a header past the server's limits).
    Any,
}

/// A valid session: its cookie and its count.
struct Session {
    cookie: Option<String>,
    count: u64,
}

#[derive(Default)]
struct Stats {
    sent: AtomicU64,
    valid: AtomicU64,
    refused_4xx: AtomicU64,
    server_errors: AtomicU64,
    slow: AtomicU64,
}

fn flip(value: &str, at: usize) -> String {
    let mut bytes = value.as_bytes().to_vec();
    let i = at % bytes.len().max(1);
    if let Some(b) = bytes.get_mut(i) {
        *b = if *b == b'A' { b'B' } else { b'A' };
    }
    String::from_utf8(bytes).expect("ascii")
}

/// The `Cookie` header for a request of `kind` made with `session`, and what it must give.
fn request(kind: Kind, session: &Session, i: u64) -> (Vec<u8>, Expect) {
    let Some(value) = session.cookie.as_deref() else {
        return (Vec::new(), Expect::Fresh);
    };
    let name = COOKIE_NAME;
    let header = match kind {
        Kind::Valid => return (format!("{name}={value}").into_bytes(), Expect::Next),
        Kind::Tampered => format!("{name}={}", flip(value, i as usize)),
        Kind::Truncated => format!(
            "{name}={}",
            &value[..value.len() * (i as usize % 7 + 1) / 9]
        ),
        Kind::Oversized => format!("{name}={}", value.repeat(60)),
        // The same cookie twice, or a planted copy in front of the real one: a planted cookie
        // does not shadow the real one (the crate tries the first few of a name).
        Kind::Duplicated => {
            let first = if i.is_multiple_of(2) {
                value.to_owned()
            } else {
                flip(value, 3)
            };
            return (
                format!("{name}={first}; {name}={value}").into_bytes(),
                Expect::Next,
            );
        }
        Kind::PercentMangled => {
            let at = i as usize % value.len();
            let escape = ["%ZZ", "%00", "%", "%2", "%41"][i as usize % 5];
            format!("{name}={}{escape}{}", &value[..at], &value[at..])
        }
        Kind::NonUtf8 => {
            let mut bytes = format!("{name}=").into_bytes();
            bytes.extend_from_slice(&value.as_bytes()[..value.len() / 2]);
            bytes.extend_from_slice(&[0xff, 0xc3, 0x28, 0x80]);
            bytes.extend_from_slice(&value.as_bytes()[value.len() / 2..]);
            return (bytes, Expect::Fresh);
        }
        Kind::WrongName => format!("session={value}; __host-session={value}; {name}x={value}"),
        // Other cookies around the real one, none of them the session's name.
        Kind::LookAlikes => {
            return (
                format!("theme=dark; {name}.1=stale; {name}={value}; {name}_id=1; a=b")
                    .into_bytes(),
                Expect::Next,
            )
        }
        // 2,000 cookies (about 30 KiB) before the session, a single 80 KiB one, or now and
        // then a 1 MiB one, past what the server reads (a 431, and the connection closed).
        Kind::HugeHeader => {
            let header = if (i / 14) % 10 == 3 {
                format!("{name}={}", "A".repeat(1024 * 1024))
            } else if i.is_multiple_of(2) {
                let mut h: String = (0..2000).map(|k| format!("c{k}=v{k}; ")).collect();
                h.push_str(&format!("{name}={value}"));
                h
            } else {
                format!("{name}={}", "A".repeat(80 * 1024))
            };
            return (header.into_bytes(), Expect::Any);
        }
        Kind::Garbage => format!("{name}={}", "Zm9v".repeat(i as usize % 40 + 23)),
    };
    (header.into_bytes(), Expect::Fresh)
}

fn check(
    kind: Kind,
    expect: &Expect,
    response: &Response,
    session: &Session,
) -> Result<(), String> {
    if response.status >= 500 {
        return Err(format!("{kind:?}: status {}", response.status));
    }
    if response.status != 200 {
        return match expect {
            Expect::Any if response.status >= 400 => Ok(()),
            _ => Err(format!("{kind:?}: status {}", response.status)),
        };
    }
    let count = response
        .count()
        .ok_or_else(|| format!("{kind:?}: no count"))?;
    let ok = match expect {
        Expect::Next => count == session.count + 1,
        Expect::Fresh => count == 1,
        Expect::Any => count == 1 || count == session.count + 1,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{kind:?}: count {count}, the session's was {}",
            session.count
        ))
    }
}

/// One keep-alive connection's share of the requests.
async fn connection(
    addr: std::net::SocketAddr,
    id: u64,
    requests: u64,
    stats: Arc<Stats>,
) -> Result<Vec<u64>, String> {
    let mut sessions: Vec<Session> = (0..SESSIONS_PER_CONNECTION)
        .map(|_| Session {
            cookie: None,
            count: 0,
        })
        .collect();
    let mut conn = None;
    for i in 0..requests {
        let which = (i as usize / KINDS.len()) % SESSIONS_PER_CONNECTION;
        let session = &mut sessions[which];
        // A session's first request has no cookie yet: it is a valid one.
        let kind = if session.cookie.is_none() {
            Kind::Valid
        } else {
            KINDS[(i as usize + id as usize) % KINDS.len()]
        };
        let (cookie, expect) = request(kind, session, i + id * 7919);
        let c = match conn.as_mut() {
            Some(c) => c,
            None => conn.insert(
                Connection::open(addr)
                    .await
                    .map_err(|e| format!("connect: {e}"))?,
            ),
        };
        let response = match c.send(&get(&cookie)).await {
            Ok(r) => r,
            // The server closed the connection after refusing a request: open another.
            Err(_) if matches!(expect, Expect::Any) => {
                conn = None;
                continue;
            }
            Err(e) => return Err(format!("{kind:?}: {e}")),
        };
        stats.sent.fetch_add(1, Ordering::Relaxed);
        if response.status >= 500 {
            stats.server_errors.fetch_add(1, Ordering::Relaxed);
        }
        if (400..500).contains(&response.status) {
            stats.refused_4xx.fetch_add(1, Ordering::Relaxed);
        }
        check(kind, &expect, &response, session)?;
        if kind == Kind::Valid {
            stats.valid.fetch_add(1, Ordering::Relaxed);
            session.count += 1;
            session.cookie = Some(
                response
                    .session_cookie
                    .clone()
                    .ok_or("a valid request got no new cookie")?,
            );
        }
        if response.closes {
            conn = None;
        }
    }
    Ok(sessions.iter().map(|s| s.count).collect())
}

/// Slow, half-closed and abandoned connections, over and over while the load runs.
async fn slow_connection(
    addr: std::net::SocketAddr,
    id: u64,
    rounds: u64,
    stats: Arc<Stats>,
) -> Result<(), String> {
    for round in 0..rounds {
        let mut conn = Connection::open(addr)
            .await
            .map_err(|e| format!("connect: {e}"))?;
        let request = get(b"theme=dark");
        match (round + id) % 3 {
            // A request sent a few bytes at a time.
            0 => {
                for piece in request.chunks(7) {
                    conn.write(piece)
                        .await
                        .map_err(|e| format!("slow write: {e}"))?;
                    tokio::time::sleep(Duration::from_millis(3)).await;
                }
                let response = conn
                    .read_response()
                    .await
                    .map_err(|e| format!("slow read: {e}"))?;
                if response.status != 200 {
                    return Err(format!("slow request: status {}", response.status));
                }
            }
            // A whole request, then the write side closed: the answer may come or the
            // connection may close, never a crash.
            1 => {
                conn.write(&request)
                    .await
                    .map_err(|e| format!("half-close write: {e}"))?;
                let _ = conn.shutdown_write().await;
                if let Ok(response) = conn.read_response().await {
                    if response.status >= 500 {
                        return Err(format!("half-closed: status {}", response.status));
                    }
                }
            }
            // Half a request, then gone.
            _ => {
                conn.write(&request[..request.len() / 2])
                    .await
                    .map_err(|e| format!("abandon write: {e}"))?;
            }
        }
        stats.slow.fetch_add(1, Ordering::Relaxed);
    }
    Ok(())
}

fn requests() -> u64 {
    std::env::var("SEALED_SESSION_HOSTILE_REQUESTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(DEFAULT_REQUESTS)
}

pub fn hostile_load_over_tcp_breaks_nothing() -> Result<(), Failed> {
    let mut server = Instance::start(&[&Key::generate()]);
    let addr = server.addr;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let total = requests();
    let stats = Arc::new(Stats::default());

    // Warm up with valid traffic, so that the allocator's first growth is not counted.
    runtime
        .block_on(connection(addr, 0, 2_000, stats.clone()))
        .map_err(|e| format!("warm-up: {e}"))?;
    let before = server.resident_kib();

    let per_connection = total.div_ceil(CONNECTIONS);
    let results = runtime.block_on(async {
        let mut tasks = Vec::new();
        for id in 1..=CONNECTIONS {
            tasks.push(tokio::spawn(connection(
                addr,
                id,
                per_connection,
                stats.clone(),
            )));
        }
        let mut slow = Vec::new();
        for id in 0..SLOW_CONNECTIONS {
            slow.push(tokio::spawn(slow_connection(
                addr,
                id,
                per_connection / 200 + 3,
                stats.clone(),
            )));
        }
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.map_err(|e| e.to_string()).and_then(|r| r));
        }
        for task in slow {
            results.push(
                task.await
                    .map_err(|e| e.to_string())
                    .and_then(|r| r.map(|()| Vec::new())),
            );
        }
        results
    });
    let after = server.resident_kib();
    let running = server.is_running();
    let sent = stats.sent.load(Ordering::Relaxed);
    let errors = stats.server_errors.load(Ordering::Relaxed);
    println!(
        "    hostile load: {sent} requests on {CONNECTIONS} connections ({} valid, {} refused with \
         a 4xx), {} slow, half-closed or abandoned connections; {errors} 5xx; resident memory \
         {before} KiB before, {after} KiB after",
        stats.valid.load(Ordering::Relaxed),
        stats.refused_4xx.load(Ordering::Relaxed),
        stats.slow.load(Ordering::Relaxed),
    );
    let failures: Vec<String> = results.into_iter().filter_map(Result::err).collect();
    if !failures.is_empty() {
        return Err(format!(
            "{} connections failed, first: {}",
            failures.len(),
            failures[0]
        )
        .into());
    }
    if !running {
        return Err("the server stopped".into());
    }
    if errors != 0 {
        return Err(format!("{errors} 5xx").into());
    }
    if sent < total * 9 / 10 {
        return Err(format!("only {sent} of {total} requests answered").into());
    }
    if after > before + MAX_GROWTH_KIB {
        return Err(format!("resident memory grew from {before} KiB to {after} KiB").into());
    }
    Ok(())
}
