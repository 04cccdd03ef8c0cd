//! Cookie tossing: a cookie planted beside the real one (by a sibling subdomain with `Domain=`,
//! or by a plain-HTTP page) holding the attacker's own valid session must never be read as
//! the victim's. Browsers treat a name that differs by a byte as a different cookie, one the
//! `__Host-` rules do not protect, so only a byte-for-byte match is the session.

use http::{header, HeaderMap, HeaderValue};
use sealed_session::{Key, Sealer, Session, SessionCookie, MAX_COOKIE_SIZE};

use common::{capture_logs, key_a};

fn cookies(name: &str, chunks: usize) -> SessionCookie<Sealer> {
    let sealer = Sealer::new(key_a())
        .cookie_name(name)
        .max_cookie_size(chunks * MAX_COOKIE_SIZE);
    SessionCookie::chunked(sealer, chunks)
}

/// The `name=value` pairs of the cookies `cookies` sets for a session of `user` (several with
/// chunking, when `padding` makes the session large).
fn sealed_pairs(cookies: &SessionCookie<Sealer>, user: &str, padding: usize) -> Vec<String> {
    let session: Session = cookies.load(&HeaderMap::new());
    session.insert("user", user).unwrap();
    session.insert("padding", "p".repeat(padding)).unwrap();
    cookies
        .set_cookie_values(&session)
        .unwrap()
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect()
}

fn request(raw: &[u8]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(header::COOKIE, HeaderValue::from_bytes(raw).unwrap());
    headers
}

fn user(cookies: &SessionCookie<Sealer>, headers: &HeaderMap) -> Option<String> {
    cookies.load(headers).get("user").unwrap()
}

/// `pairs` with the session cookie's name (and each chunk's) changed by `rename`.
fn renamed(pairs: &[String], name: &str, rename: &dyn Fn(&str) -> Vec<u8>) -> Vec<u8> {
    let mut out = Vec::new();
    for pair in pairs {
        let (cookie_name, value) = pair.split_once('=').unwrap();
        let suffix = cookie_name.strip_prefix(name).unwrap();
        out.extend(rename(name));
        out.extend_from_slice(suffix.as_bytes());
        out.push(b'=');
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"; ");
    }
    out
}

/// Turns a cookie name into a look-alike of it.
type Rename = Box<dyn Fn(&str) -> Vec<u8>>;

/// Names a browser stores as other cookies than `name`, each of which some cookie parsers
/// (percent-decoding, Unicode-trimming, case-folding ones) would read as `name`.
fn look_alikes() -> Vec<(&'static str, Rename)> {
    vec![
        (
            "percent-encoded letter",
            Box::new(|n: &str| n.replacen('s', "%73", 1).into_bytes()),
        ),
        (
            "leading no-break space",
            Box::new(|n: &str| [b"\xc2\xa0", n.as_bytes()].concat()),
        ),
        (
            "trailing no-break space",
            Box::new(|n: &str| [n.as_bytes(), b"\xc2\xa0"].concat()),
        ),
        (
            "other case",
            Box::new(|n: &str| n.to_ascii_lowercase().into_bytes()),
        ),
    ]
}

fn check_look_alikes_are_not_the_session(name: &str, chunks: usize, padding: usize) {
    let cookies = cookies(name, chunks);
    let victim = sealed_pairs(&cookies, "victim", padding);
    let attacker = sealed_pairs(&cookies, "attacker", padding);
    assert_eq!(victim.len(), attacker.len());
    for (what, rename) in look_alikes() {
        if rename(name) == name.as_bytes() {
            continue;
        }
        // The planted cookie comes first, as a cookie with a longer path would.
        let mut raw = renamed(&attacker, name, &*rename);
        raw.extend(victim.join("; ").into_bytes());
        assert_eq!(
            user(&cookies, &request(&raw)).as_deref(),
            Some("victim"),
            "{name}, {what}, {chunks} chunks"
        );
        // Alone, the planted cookie is no session at all.
        let planted = renamed(&attacker, name, &*rename);
        assert_eq!(
            user(&cookies, &request(&planted)),
            None,
            "{name}, {what}, {chunks} chunks"
        );
    }
}

#[test]
fn a_planted_look_alike_cookie_is_not_the_session() {
    for name in ["session", "__Host-session", "__Secure-session"] {
        check_look_alikes_are_not_the_session(name, 1, 0);
    }
}

#[test]
fn planted_look_alike_chunk_cookies_are_not_the_session() {
    for name in ["session", "__Host-session"] {
        check_look_alikes_are_not_the_session(name, 3, 6_000);
    }
}

#[test]
fn two_cookies_of_the_exact_name_that_open_keep_the_first_sent_and_warn() {
    let cookies = cookies("session", 1);
    let first = sealed_pairs(&cookies, "first", 0).remove(0);
    let second = sealed_pairs(&cookies, "second", 0).remove(0);
    let raw = format!("{first}; {second}");
    let (seen, logs) = capture_logs(|| user(&cookies, &request(raw.as_bytes())));
    assert_eq!(seen.as_deref(), Some("first"));
    assert!(
        logs.contains("WARN") && logs.contains("cookie tossing"),
        "{logs}"
    );
    // The warning names no session data.
    assert!(
        !logs.contains("first\"") && !logs.contains(&first),
        "{logs}"
    );
    // One cookie of the name: no warning.
    let (_, logs) = capture_logs(|| user(&cookies, &request(first.as_bytes())));
    assert!(!logs.contains("cookie tossing"), "{logs}");
}

#[test]
fn a_value_sealed_for_a_look_alike_name_does_not_open_under_the_real_one() {
    // The name is bound into the value: a look-alike cookie's own valid value (sealed for that
    // name by a server that used it) opens under nothing else.
    let other = Sealer::new(Key::from_bytes([0xA1; 32])).cookie_name("Session");
    let real = Sealer::new(Key::from_bytes([0xA1; 32])).cookie_name("session");
    let value = other.seal(&1u8).unwrap();
    assert!(real.open::<u8>(&value).is_err());
}
