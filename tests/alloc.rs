//! The allocation budget of the per-request path: at most two heap allocations per `seal` and
//! per `open` beyond the value they return, counted (not timed) with a global allocator; the
//! same for the HTTP helpers that load a session from a request and write its `Set-Cookie`.
//!
//! Its own binary without the test harness (`harness = false` in Cargo.toml), so that nothing
//! else allocates on another thread while a region is counted. Each case runs once first: the
//! thread-local scratch buffer grows on the first call only.

use std::alloc::System;
use std::process::ExitCode;

use serde::{Deserialize, Serialize};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};

use http::header::COOKIE;
use http::{HeaderMap, HeaderValue};
use sealed_session::{Key, KeyRing, Sealer, SessionCookie};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Allocations (and reallocations, which may move) while `f` runs, after one call to warm up.
fn allocations<R>(mut f: impl FnMut() -> R) -> usize {
    drop(f());
    let region = Region::new(GLOBAL);
    let out = f();
    let change = region.change();
    drop(out);
    change.allocations + change.reallocations
}

#[derive(Serialize, Deserialize, PartialEq, Debug)]
struct User {
    id: u64,
    name: String,
    roles: Vec<String>,
}

struct Case {
    name: String,
    counted: usize,
    /// Allocations the returned value itself needs.
    returned: usize,
    /// Allocations allowed beyond those.
    budget: usize,
}

/// The budget of `seal` and `open` beyond the returned value.
const BUDGET: usize = 2;
/// The HTTP helpers' budget: nothing beyond what they hand back.
const HTTP_BUDGET: usize = 0;

fn main() -> ExitCode {
    let key = Key::from_bytes([7; 32]);
    let sealer = Sealer::new(KeyRing::from_keys([key.clone(), Key::from_bytes([8; 32])]).unwrap())
        .max_cookie_size(8192);
    let old_sealer = Sealer::new(Key::from_bytes([8; 32]));
    let mut cases = Vec::new();

    for size in [0usize, 64, 256, 1024, 3072] {
        let text = "x".repeat(size);
        // The returned value: one String.
        cases.push(Case {
            name: format!("seal String of {size} bytes"),
            counted: allocations(|| sealer.seal(&text).unwrap()),
            returned: 1,
            budget: BUDGET,
        });
        let sealed = sealer.seal(&text).unwrap();
        // The returned value: Opened<String>, one allocation for a non-empty string.
        cases.push(Case {
            name: format!("open String of {size} bytes"),
            counted: allocations(|| sealer.open::<String>(&sealed).unwrap()),
            returned: usize::from(size > 0),
            budget: BUDGET,
        });
        let bytes = vec![0xa5u8; size];
        cases.push(Case {
            name: format!("seal_bytes_at {size} bytes"),
            counted: allocations(|| sealer.seal_bytes_at(&bytes, 1_000, 1_000).unwrap()),
            returned: 1,
            budget: BUDGET,
        });
        let sealed = sealer.seal_bytes_at(&bytes, 1_000, 1_000).unwrap();
        cases.push(Case {
            name: format!("open_bytes_at {size} bytes"),
            counted: allocations(|| sealer.open_bytes_at(&sealed, 1_000).unwrap()),
            returned: usize::from(size > 0),
            budget: BUDGET,
        });
    }

    let user = User {
        id: 42,
        name: "ada".into(),
        roles: vec!["admin".into(), "editor".into()],
    };
    cases.push(Case {
        name: "seal a struct".into(),
        counted: allocations(|| sealer.seal(&user).unwrap()),
        returned: 1,
        budget: BUDGET,
    });
    let sealed = sealer.seal(&user).unwrap();
    // name, the roles vector, and its two strings.
    cases.push(Case {
        name: "open a struct".into(),
        counted: allocations(|| sealer.open::<User>(&sealed).unwrap()),
        returned: 4,
        budget: BUDGET,
    });
    // A value sealed with the previous key of the ring: found by key id, no trial decryption.
    let by_old_key = old_sealer.seal(&user).unwrap();
    cases.push(Case {
        name: "open a struct sealed by a previous key".into(),
        counted: allocations(|| sealer.open::<User>(&by_old_key).unwrap()),
        returned: 4,
        budget: BUDGET,
    });
    // Failures return errors without a value.
    let mut forged = sealed.clone().into_bytes();
    forged[50] = if forged[50] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).unwrap();
    cases.push(Case {
        name: "open a forged value".into(),
        counted: allocations(|| sealer.open::<User>(&forged).unwrap_err()),
        returned: 0,
        budget: BUDGET,
    });

    // The HTTP helpers on a counter's request: load the cookie, write the new one.
    let cookies = SessionCookie::new(Sealer::new(key.clone()));
    let session = cookies.load(&HeaderMap::new());
    session.insert("count", 41u64).unwrap();
    cases.push(Case {
        name: "set_cookie_values of a changed session".into(),
        counted: allocations(|| cookies.set_cookie_values(&session).unwrap()),
        // The vector and its one header value.
        returned: 2,
        budget: HTTP_BUDGET,
    });
    let mut n = 100u64;
    cases.push(Case {
        name: "Session::insert replacing a value".into(),
        counted: allocations(|| {
            n += 1; // a change each time, of the same encoded length
            session.insert("count", n).unwrap();
        }),
        // Encoded in a per-thread buffer and copied into the entry's own allocation.
        returned: 0,
        budget: HTTP_BUDGET,
    });
    assert_eq!(session.get::<u64>("count").unwrap(), Some(n));
    session.insert("count", 41u64).unwrap();
    let mut response = HeaderMap::with_capacity(4);
    cases.push(Case {
        name: "save a changed session into response headers".into(),
        counted: allocations(|| {
            response.clear();
            cookies.save(&session, &mut response);
        }),
        // The header value, left in the map.
        returned: 1,
        budget: HTTP_BUDGET,
    });
    let set_cookie = cookies.set_cookie_values(&session).unwrap().remove(0);
    let pair = set_cookie.to_str().unwrap().split(';').next().unwrap();
    let mut request = HeaderMap::new();
    request.insert(
        COOKIE,
        HeaderValue::from_str(&format!("theme=dark; {pair}; consent=no")).unwrap(),
    );
    assert_eq!(
        cookies.load(&request).get::<u64>("count").unwrap(),
        Some(41)
    );
    cases.push(Case {
        name: "load a session cookie from request headers".into(),
        counted: allocations(|| cookies.load(&request)),
        // The session's shared state, and its entries: the vector, a key, a value.
        returned: 4,
        budget: HTTP_BUDGET,
    });

    let mut failed = 0;
    for case in &cases {
        let beyond = case.counted.saturating_sub(case.returned);
        let ok = beyond <= case.budget;
        println!(
            "{} {:45} {} allocations, {} beyond the returned value (budget {})",
            if ok { "ok  " } else { "FAIL" },
            case.name,
            case.counted,
            beyond,
            case.budget
        );
        failed += usize::from(!ok);
    }
    // The plain closing line test runners and CI read.
    println!("alloc: {} passed, {failed} failed", cases.len() - failed);
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
