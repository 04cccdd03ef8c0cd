//! The HTTP header path: `SessionCookie::load` on arbitrary `Cookie` headers, with and without
//! chunking, and `set_cookie_values` on whatever it gave. Nothing panics, nothing forged opens,
//! and the response can always be written.

use http::header::COOKIE;
use http::{HeaderMap, HeaderValue};
use proptest::prelude::*;
use sealed_session::{Key, ManualClock, Sealer, SessionCookie, MAX_COOKIE_SIZE};

const NOW: u64 = 1_750_000_000;
const CHUNKS: usize = 4;

fn sealer() -> Sealer {
    Sealer::new(Key::from_bytes([0x41; 32]))
        .cookie_name("session")
        .clock(ManualClock::new(NOW))
        .max_cookie_size(CHUNKS * MAX_COOKIE_SIZE)
}

/// Without chunking, at the browser's limit.
fn plain() -> SessionCookie<Sealer> {
    SessionCookie::new(sealer().max_cookie_size(MAX_COOKIE_SIZE))
}

fn chunked() -> SessionCookie<Sealer> {
    SessionCookie::chunked(sealer(), CHUNKS)
}

/// A valid chunked session's cookies, `(name, value)`, and the blob it holds.
fn valid_cookies(len: usize) -> (Vec<(String, String)>, String) {
    let cookies = chunked();
    let blob = "z".repeat(len);
    let session = cookies.load(&HeaderMap::new());
    session.insert("blob", &blob).unwrap();
    let pairs = cookies
        .set_cookie_values(&session)
        .unwrap()
        .iter()
        .map(|v| {
            let pair = v.to_str().unwrap().split(';').next().unwrap().to_owned();
            let (n, v) = pair.split_once('=').unwrap();
            (n.to_owned(), v.to_owned())
        })
        .collect();
    (pairs, blob)
}

pub fn headers(lines: &[Vec<u8>]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for line in lines {
        if let Ok(value) = HeaderValue::from_bytes(line) {
            headers.append(COOKIE, value);
        }
    }
    headers
}

/// Load with both configurations: only `expected` (if any) may open, whole; writing works.
fn check(headers: &HeaderMap, expected: Option<&str>) {
    for cookies in [plain(), chunked()] {
        let session = cookies.load(headers);
        if !session.is_empty() {
            let blob = session.get::<String>("blob").unwrap();
            assert!(
                expected.is_some() && blob.as_deref() == expected,
                "a session opened that was never sealed whole: {:?}",
                session.keys()
            );
        }
        // A session at its cookie's limit refuses even a small value, and stays as it was.
        match session.insert("seen", 1u8) {
            Ok(()) | Err(sealed_session::SessionError::TooLarge(_)) => {}
            Err(e) => panic!("insert failed: {e}"),
        }
        cookies.set_cookie_values(&session).unwrap();
        session.destroy();
        assert!(!cookies.set_cookie_values(&session).unwrap().is_empty());
    }
}

pub fn cookie_line() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..300),
        "[ -~]{0,300}".prop_map(String::into_bytes),
        // Plausible cookie lists with our names, chunk names and framing.
        proptest::collection::vec(
            (
                prop_oneof![
                    Just("session".to_owned()),
                    "session\\.[0-9]{1,2}",
                    "[a-z.]{1,10}",
                ],
                prop_oneof!["[0-9]\\.[A-Za-z0-9_-]{0,300}", "[A-Za-z0-9_%;=-]{0,300}"],
            ),
            0..8,
        )
        .prop_map(|pairs| pairs
            .into_iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
            .into_bytes()),
    ]
}

#[derive(Debug, Clone)]
enum Edit {
    Drop(usize),
    Duplicate(usize),
    SwapCookies(usize, usize),
    SwapValues(usize, usize),
    Truncate(usize, usize),
    Count(u8),
    Insert(usize, usize, char),
    Rename(usize, u8),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        any::<usize>().prop_map(Edit::Drop),
        any::<usize>().prop_map(Edit::Duplicate),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::SwapCookies(a, b)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::SwapValues(a, b)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::Truncate(a, b)),
        (0u8..10).prop_map(Edit::Count),
        (
            any::<usize>(),
            any::<usize>(),
            proptest::char::range('!', '~')
        )
            .prop_map(|(a, b, c)| Edit::Insert(a, b, c)),
        (any::<usize>(), 0u8..12).prop_map(|(a, k)| Edit::Rename(a, k)),
    ]
}

fn apply(cookies: &mut Vec<(String, String)>, edit: &Edit) {
    let n = cookies.len();
    if n == 0 {
        return;
    }
    match *edit {
        Edit::Drop(a) => {
            cookies.remove(a % n);
        }
        Edit::Duplicate(a) => cookies.push(cookies[a % n].clone()),
        Edit::SwapCookies(a, b) => cookies.swap(a % n, b % n),
        Edit::SwapValues(a, b) => {
            let (a, b) = (a % n, b % n);
            let va = cookies[a].1.clone();
            cookies[a].1 = std::mem::replace(&mut cookies[b].1, va);
        }
        Edit::Truncate(a, at) => {
            let value = &mut cookies[a % n].1;
            value.truncate(at % (value.len() + 1));
        }
        Edit::Count(digit) => {
            if let Some((_, value)) = cookies.iter_mut().find(|(name, _)| name == "session") {
                if !value.is_empty() {
                    value.replace_range(0..1, &digit.to_string());
                }
            }
        }
        Edit::Insert(a, at, c) => {
            let value = &mut cookies[a % n].1;
            value.insert(at % (value.len() + 1), c);
        }
        Edit::Rename(a, k) => {
            cookies[a % n].0 = if k == 0 {
                "session".to_owned()
            } else {
                format!("session.{k}")
            };
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_cookie_headers_open_no_session(lines in proptest::collection::vec(cookie_line(), 0..4)) {
        check(&headers(&lines), None);
    }

    #[test]
    fn edited_chunk_cookies_open_whole_or_not_at_all(
        len in 100usize..10_000,
        edits in proptest::collection::vec(edit(), 0..6),
    ) {
        let (mut cookies, blob) = valid_cookies(len);
        for edit in &edits {
            apply(&mut cookies, edit);
        }
        let line = cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        check(&headers(&[line.into_bytes()]), Some(&blob));
    }
}

#[test]
fn an_unedited_chunked_session_opens_through_the_same_check() {
    // The property above is not vacuous: with no edit, the session opens whole.
    let (cookies, blob) = valid_cookies(9_000);
    assert!(cookies.len() >= 3);
    let line = cookies
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let loaded = chunked().load(&headers(&[line.into_bytes()]));
    assert_eq!(loaded.get::<String>("blob").unwrap(), Some(blob));
}

#[test]
fn oversized_and_many_cookie_headers_are_bounded() {
    // 64 KiB of cookie headers and thousands of candidate cookies: no session, no panic.
    let many = (0..4_000)
        .map(|i| format!("session{}=AAAA", if i % 2 == 0 { "" } else { ".1" }))
        .collect::<Vec<_>>()
        .join("; ");
    let huge = format!("session={}", "A".repeat(200_000));
    check(&headers(&[many.into_bytes(), huge.into_bytes()]), None);
}
