//! The allocation budget of the per-request path: at most two heap allocations per `seal` and
//! per `open` beyond the value they return, counted (not timed) with a global allocator; the
//! same for the HTTP helpers that load a session from a request and write its `Set-Cookie`.
//!
//! Its own binary without the test harness (`harness = false` in Cargo.toml), so that nothing
//! else allocates on another thread while a region is counted. Each case runs once first: the
//! thread-local scratch buffer grows on the first call only.
//!
//! The same allocator also scans every block freed while a key ring is built, cloned, listed or
//! dropped, and counts the blocks that still hold key bytes: key material must be wiped before
//! its heap block goes back to the allocator.

use std::alloc::{GlobalAlloc, Layout};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};
use stats_alloc::{Region, INSTRUMENTED_SYSTEM};

use http::header::COOKIE;
use http::{HeaderMap, HeaderValue};
use sealed_session::{Key, KeyRing, Sealer, SessionCookie};
use zeroize::Zeroizing;

// The scanner sits outside the counting allocator: `StatsAlloc::new` is a `const fn` only with
// stats_alloc's "nightly" feature, so a static `StatsAlloc<Scanning>` cannot be built on stable.
#[global_allocator]
static GLOBAL: Scanning = Scanning;

/// The first 24 bytes of every key the scanning cases use; the last 8 number the key. Chosen at
/// random so that no other data (zeroes, text, counters) can contain them by chance.
const MAGIC: [u8; 24] = [
    0xd3, 0x5a, 0x91, 0x0e, 0x7c, 0xb4, 0x2f, 0xe8, 0x46, 0x9b, 0xc1, 0x03, 0x58, 0xfa, 0x6d, 0x27,
    0xa0, 0x1c, 0x85, 0xe9, 0x3b, 0x72, 0xcf, 0x14,
];
/// Standard base64 of `MAGIC` (24 bytes, so 32 characters without padding): how every such
/// key's text form begins. Checked against the encoder in `main`.
const MAGIC_BASE64: &[u8; 32] = b"01qRDny0L+hGm8EDWPptJ6Achek7cs8U";

/// Whether freed blocks are scanned (only inside `freed_blocks_holding_keys`).
static SCANNING: AtomicBool = AtomicBool::new(false);
/// Freed blocks that held `MAGIC` or `MAGIC_BASE64` while scanning.
static HOLDING_KEYS: AtomicUsize = AtomicUsize::new(0);

/// The counting system allocator, which on `dealloc` and `realloc` (which frees the old block,
/// or may) looks for key bytes in the block given back. It never allocates itself.
struct Scanning;

impl Scanning {
    fn scan(ptr: *const u8, size: usize) {
        if !SCANNING.load(Ordering::Relaxed) {
            return;
        }
        let mut window = [0u8; 32];
        let mut held = false;
        for i in 0..size {
            // Volatile: the block may hold bytes never written (spare capacity); this reads
            // them as the next owner of the memory would.
            #[allow(unsafe_code)] // reads within the block the caller is freeing
            let byte = unsafe { ptr.add(i).read_volatile() };
            window.copy_within(1.., 0);
            window[31] = byte;
            if i + 1 >= MAGIC.len() && window[32 - MAGIC.len()..] == MAGIC {
                held = true;
            }
            if i + 1 >= MAGIC_BASE64.len() && window == *MAGIC_BASE64 {
                held = true;
            }
        }
        if held {
            HOLDING_KEYS.fetch_add(1, Ordering::Relaxed);
        }
    }
}

#[allow(unsafe_code)] // a GlobalAlloc is unsafe to implement; this one forwards every call
unsafe impl GlobalAlloc for Scanning {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { INSTRUMENTED_SYSTEM.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        unsafe { INSTRUMENTED_SYSTEM.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        Self::scan(ptr, layout.size());
        unsafe { INSTRUMENTED_SYSTEM.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // Counted as a free even when the block grows in place: stricter, and a key buffer that
        // never reallocates passes either way.
        Self::scan(ptr, layout.size());
        unsafe { INSTRUMENTED_SYSTEM.realloc(ptr, layout, new_size) }
    }
}

/// How many blocks freed while `f` runs still held key bytes. What `f` returns is dropped
/// after scanning stops: it belongs to the caller.
fn freed_blocks_holding_keys<R>(f: impl FnOnce() -> R) -> usize {
    HOLDING_KEYS.store(0, Ordering::Relaxed);
    SCANNING.store(true, Ordering::Relaxed);
    let out = f();
    SCANNING.store(false, Ordering::Relaxed);
    drop(out);
    HOLDING_KEYS.swap(0, Ordering::Relaxed)
}

/// Key number `n` of the scanned family: `MAGIC` then `n`.
fn magic_key(n: u64) -> Key {
    let mut bytes = [0u8; 32];
    bytes[..24].copy_from_slice(&MAGIC);
    bytes[24..].copy_from_slice(&n.to_le_bytes());
    Key::from_bytes(bytes)
}

/// A list of `n` magic keys as `from_base64_list` reads it, with blank entries between.
fn magic_list(n: u64) -> Zeroizing<String> {
    let entries: Vec<String> = (0..n).map(|i| magic_key(i).to_base64()).collect();
    Zeroizing::new(entries.join(", ,"))
}

/// A scanning case: its name and the number of freed blocks that held key bytes.
struct Wiped {
    name: &'static str,
    holding_keys: usize,
    /// The control case, which must see key bytes.
    control: bool,
}

/// Build, clone, list and drop rings in every way the API allows, scanning what is freed.
fn key_hygiene_cases() -> Vec<Wiped> {
    let mut cases = Vec::new();
    // The scanner itself must see a key left in a freed block, or the cases below prove nothing.
    cases.push(Wiped {
        name: "(control) a copy of a key freed unwiped is seen",
        holding_keys: freed_blocks_holding_keys(|| drop(magic_key(0).as_bytes().to_vec())),
        control: true,
    });
    let mut case = |name, holding_keys| {
        cases.push(Wiped {
            name,
            holding_keys,
            control: false,
        })
    };
    case(
        "from_keys with an array of 3 keys",
        freed_blocks_holding_keys(|| {
            drop(KeyRing::from_keys([
                magic_key(0),
                magic_key(1),
                magic_key(2),
            ]));
        }),
    );
    case(
        "from_keys with 40 keys of unknown count, dropped",
        freed_blocks_holding_keys(|| {
            drop(KeyRing::from_keys((0..40).map(magic_key).filter(|_| true)));
        }),
    );
    case(
        "from_keys refusing a duplicate after 20 keys",
        freed_blocks_holding_keys(|| {
            KeyRing::from_keys((0..20).chain([3]).map(magic_key).filter(|_| true)).unwrap_err()
        }),
    );
    let list = magic_list(40);
    case(
        "from_base64_list of 40 keys with blank entries, dropped",
        freed_blocks_holding_keys(|| drop(KeyRing::from_base64_list(&list))),
    );
    let bad = Zeroizing::new(format!("{},not a key", *list));
    case(
        "from_base64_list refusing an entry after 40 keys",
        freed_blocks_holding_keys(|| KeyRing::from_base64_list(&bad).unwrap_err()),
    );
    case(
        "with_previous 20 times on a ring of one, dropped",
        freed_blocks_holding_keys(|| {
            let mut ring = KeyRing::new(magic_key(0));
            for n in 1..=20 {
                ring = ring.with_previous(magic_key(n)).unwrap();
            }
            drop(ring);
        }),
    );
    case(
        "with_previous refusing a key already in the ring",
        freed_blocks_holding_keys(|| {
            KeyRing::from_keys([magic_key(0), magic_key(1)])
                .unwrap()
                .with_previous(magic_key(1))
                .unwrap_err()
        }),
    );
    // Set outside the scan: std's copy of the value for setenv is not this crate's to wipe.
    std::env::set_var("ALLOC_TEST_SESSION_KEYS", &*magic_list(12));
    case(
        "from_env with 12 keys, dropped",
        freed_blocks_holding_keys(|| drop(KeyRing::from_env("ALLOC_TEST_SESSION_KEYS"))),
    );
    let ring = KeyRing::from_base64_list(&list).unwrap();
    case(
        "clone a ring of 40 keys, drop the clone",
        freed_blocks_holding_keys(|| drop(ring.clone())),
    );
    case(
        "to_base64_list of 40 keys",
        freed_blocks_holding_keys(|| Zeroizing::new(ring.to_base64_list())),
    );
    case(
        "drop a ring of 40 keys",
        freed_blocks_holding_keys(|| drop(ring)),
    );
    // A key an operator mistyped: the decoder stops partway through the key's bytes.
    let typed = magic_key(5).to_base64();
    let typos = Zeroizing::new(vec![
        format!("{}A", &typed[..typed.len() - 1]),
        format!("{}!{}", &typed[..40], &typed[40..]),
        format!("{typed}="),
        format!("{},{}", magic_key(6).to_base64(), &typed[..typed.len() - 2]),
    ]);
    case(
        "Key::from_base64 and from_base64_list refusing mistyped keys",
        freed_blocks_holding_keys(|| {
            for typo in typos.iter() {
                Key::from_base64(typo).unwrap_err();
                KeyRing::from_base64_list(typo).unwrap_err();
            }
        }),
    );
    // The plaintext of a session is scanned for too: its first entry holds the magic bytes, and
    // its second is large enough to outgrow a buffer sized for one cookie once the first is in.
    let sealer = Sealer::new(magic_key(8)).max_cookie_size(3 * 4096);
    let cookies = sealed_session::SessionCookie::chunked(sealer, 3);
    let session: sealed_session::Session = sealed_session::Session::default();
    session
        .insert("a", magic_key(7).as_bytes().to_vec())
        .unwrap();
    session.insert("b", vec![b'y'; 8_000]).unwrap();
    case(
        "seal a 9 KB session on a fresh thread (its working buffer new)",
        freed_blocks_holding_keys(|| {
            std::thread::scope(|scope| {
                scope
                    .spawn(|| cookies.set_cookie_lines(&session).unwrap())
                    .join()
                    .unwrap()
            })
        }),
    );
    let small_secret = magic_key(9).as_bytes().to_vec();
    case(
        "Session::insert of a value on a fresh thread (its encoding buffer new)",
        freed_blocks_holding_keys(|| {
            std::thread::scope(|scope| {
                scope
                    .spawn(|| {
                        let session: sealed_session::Session = sealed_session::Session::default();
                        session.insert("secret", &small_secret).unwrap();
                        session
                    })
                    .join()
                    .unwrap()
            })
        }),
    );
    cases
}

/// Allocations (and reallocations, which may move) while `f` runs, after one call to warm up.
fn allocations<R>(mut f: impl FnMut() -> R) -> usize {
    drop(f());
    let region = Region::new(&INSTRUMENTED_SYSTEM);
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
    assert_eq!(
        Key::from_bytes([0; 32]).to_base64().len(),
        44,
        "a key is 44 characters of base64"
    );
    assert!(magic_key(0)
        .to_base64()
        .as_bytes()
        .starts_with(MAGIC_BASE64));
    let hygiene = key_hygiene_cases();
    for case in &hygiene {
        let ok = (case.holding_keys > 0) == case.control;
        println!(
            "{} {:55} {} freed blocks held key bytes",
            if ok { "ok  " } else { "FAIL" },
            case.name,
            case.holding_keys
        );
        failed += usize::from(!ok);
    }
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
    let total = cases.len() + hygiene.len();
    println!("alloc: {} passed, {failed} failed", total - failed);
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
