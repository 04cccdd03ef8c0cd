//! The HTTP path: `SessionCookie::load` on attacker-controlled `Cookie` headers, with and
//! without chunking, then `set_cookie_values` on what it gave.
//!
//! Two kinds of input, chosen by the first byte:
//! - raw header bytes (split into several `Cookie` headers at newlines);
//! - edits of a valid chunked session's cookies (drop, duplicate, swap, truncate, change the
//!   count, splice bytes in), so that the fuzzer works on the chunk framing from the start.
//!
//! Whatever arrives, the only sessions that may open are the ones sealed here (the fixture's
//! chunked session, and the small ones of the seeds), whole; and writing the response never
//! fails for a session that fits.

use std::sync::LazyLock;

use http::header::COOKIE;
use http::{HeaderMap, HeaderValue};
use sealed_session::{ManualClock, Postcard, Sealer, SessionCookie, MAX_COOKIE_SIZE};

use super::fixtures::primary;

/// The time every session here is sealed and opened at.
pub(crate) const NOW: u64 = 1_750_000_000;
const CHUNKS: usize = 4;

pub(crate) struct Fixture {
    pub(crate) plain: SessionCookie<Sealer<Postcard>>,
    pub(crate) chunked: SessionCookie<Sealer<Postcard>>,
    /// The valid chunked session's cookies, `(name, value)`.
    pub(crate) cookies: Vec<(String, String)>,
    blob: String,
}

/// The cookies of the session a header holds, `(name, value)`, from the `Set-Cookie` lines
/// that wrote it.
pub(crate) fn pairs(set_cookie: &[HeaderValue]) -> Vec<(String, String)> {
    set_cookie
        .iter()
        .map(|v| {
            let text = v.to_str().expect("ascii");
            let pair = text.split(';').next().expect("pair");
            let (n, v) = pair.split_once('=').expect("name=value");
            (n.to_owned(), v.to_owned())
        })
        .collect()
}

pub(crate) static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    // Named plainly: the edits below look the session's cookies up by `session`.
    let sealer = Sealer::with_codec(primary(), Postcard)
        .cookie_name("session")
        .clock(ManualClock::new(NOW))
        .max_cookie_size(CHUNKS * MAX_COOKIE_SIZE);
    let plain = SessionCookie::new(sealer.clone().max_cookie_size(MAX_COOKIE_SIZE));
    let chunked = SessionCookie::chunked(sealer, CHUNKS);
    let session = chunked.load(&HeaderMap::new());
    session.insert("blob", blob()).expect("encodes");
    let cookies = pairs(&chunked.set_cookie_values(&session).expect("seals"));
    Fixture {
        plain,
        chunked,
        cookies,
        blob: blob(),
    }
});

fn blob() -> String {
    (0..5_000u32)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect()
}

/// The small sessions the seeds carry: `count` set to this.
pub(crate) const SEED_COUNT: u64 = 41;

fn edited(data: &[u8]) -> Vec<u8> {
    let f = &*FIXTURE;
    let mut cookies = f.cookies.clone();
    let mut ops = data.chunks_exact(3);
    for op in ops.by_ref() {
        let (kind, a, b) = (op[0], usize::from(op[1]), usize::from(op[2]));
        let n = cookies.len();
        if n == 0 {
            break;
        }
        match kind % 7 {
            0 => {
                cookies.remove(a % n);
            }
            1 => cookies.push(cookies[a % n].clone()),
            2 => cookies.swap(a % n, b % n),
            3 => {
                let value = &mut cookies[a % n].1;
                let at = (b * 37) % (value.len() + 1);
                value.truncate(at);
            }
            4 => {
                // Swap two values but keep the names: reordered chunks.
                let (x, y) = (a % n, b % n);
                let vx = cookies[x].1.clone();
                cookies[x].1 = std::mem::replace(&mut cookies[y].1, vx);
            }
            5 => {
                // Change the count digit of the first cookie.
                if let Some(first) = cookies.iter_mut().find(|(name, _)| name == "session") {
                    let digit = char::from(b'0' + (b % 10) as u8);
                    first
                        .1
                        .replace_range(0..1.min(first.1.len()), &digit.to_string());
                }
            }
            _ => {
                let value = &mut cookies[a % n].1;
                let at = (b * 37) % (value.len() + 1);
                if value.is_char_boundary(at) {
                    value.insert(at, char::from(b'A' + (b % 26) as u8));
                }
            }
        }
    }
    let rest = ops.remainder();
    let mut header = cookies
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
        .into_bytes();
    header.extend_from_slice(rest);
    header
}

/// The `cookie_header` target.
pub fn cookie_header(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let header = if mode & 1 == 0 {
        rest.to_vec()
    } else {
        edited(rest)
    };
    let mut headers = HeaderMap::new();
    for line in header.split(|&b| b == b'\n') {
        if let Ok(value) = HeaderValue::from_bytes(line) {
            headers.append(COOKIE, value);
        }
    }
    let f = &*FIXTURE;
    for cookies in [&f.plain, &f.chunked] {
        let session = cookies.load(&headers);
        if !session.is_empty() {
            // Only the sessions sealed here can open, and only whole.
            if session.contains_key("count") {
                assert_eq!(session.keys(), ["count"]);
                assert_eq!(session.get::<u64>("count").ok().flatten(), Some(SEED_COUNT));
            } else {
                assert_eq!(session.keys(), ["blob"]);
                assert_eq!(
                    session.get::<String>("blob").ok().flatten().as_deref(),
                    Some(f.blob.as_str())
                );
            }
        }
        // Writing never fails for a session that fits: a change, then a destroy.
        // A session at its cookie's limit may refuse the value; it then stays as it was.
        match session.insert("seen", 1u8) {
            Ok(()) | Err(sealed_session::SessionError::TooLarge(_)) => {}
            Err(e) => panic!("insert failed: {e}"),
        }
        cookies.set_cookie_values(&session).expect("writes");
        session.destroy();
        let removals = cookies.set_cookie_values(&session).expect("writes");
        assert!(!removals.is_empty());
    }
}
