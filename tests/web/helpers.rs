//! The framework-free HTTP helpers: reading the cookie from a `HeaderMap`, writing `Set-Cookie`.

use std::time::Duration;

use http::header::COOKIE;
use http::{HeaderMap, HeaderValue};
use sealed_session::{CookieExpiry, Key, Opened, SameSite, Sealer, Session, SessionCookie};

use common::{attribute, attributes, capture_logs, key_a, pair, sealer_at, T0};

/// The limits `SessionCookie::load` documents: at most 4 values of the session's name reach
/// the cipher, and at most 64 KiB of `Cookie` headers are read.
const MAX_CANDIDATES: usize = 4;
const MAX_COOKIE_HEADER_BYTES: usize = 64 * 1024;

fn headers(cookies: &[&str]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for c in cookies {
        headers.append(COOKIE, HeaderValue::from_bytes(c.as_bytes()).unwrap());
    }
    headers
}

/// A cookie helper whose session holds `count = n`, and the `Set-Cookie` value for it.
fn sealed_cookie(cookies: &SessionCookie<Sealer>, n: u32) -> String {
    let session = cookies.load(&HeaderMap::new());
    session.insert("count", n).unwrap();
    let values = cookies.set_cookie_values(&session).unwrap();
    values[0].to_str().unwrap().to_owned()
}

#[test]
fn default_attributes_are_httponly_secure_lax_root_and_browser_session() {
    let cookies = SessionCookie::new(Sealer::new(key_a()));
    let set_cookie = sealed_cookie(&cookies, 1);
    // The default name carries the `__Host-` prefix: no other host or page can set it.
    assert!(set_cookie.starts_with("__Host-session="), "{set_cookie}");
    let attrs = attributes(&set_cookie);
    for expected in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(
            attrs.iter().any(|a| a == expected),
            "{expected} missing in {set_cookie}"
        );
    }
    assert_eq!(attribute(&set_cookie, "Max-Age"), None);
    assert_eq!(attribute(&set_cookie, "Expires"), None);
    assert_eq!(attribute(&set_cookie, "Domain"), None);
    assert_eq!(attribute(&set_cookie, "Partitioned"), None);
}

#[test]
fn a_partitioned_cookie_is_partitioned_and_secure_in_every_line_it_writes() {
    let cookies = SessionCookie::new(Sealer::new(key_a()).cookie_name("session"))
        .same_site(SameSite::None)
        .secure(false)
        .partitioned(true);
    let sealed = sealed_cookie(&cookies, 1);
    let removal = cookies.removal().unwrap().to_str().unwrap().to_owned();
    for line in [&sealed, &removal] {
        let attrs = attributes(line);
        for expected in ["Partitioned", "Secure", "SameSite=None"] {
            assert!(
                attrs.iter().any(|a| a == expected),
                "{expected} missing in {line}"
            );
        }
    }
}

#[test]
fn weakened_and_optional_attributes_are_written() {
    let cookies = SessionCookie::new(Sealer::new(key_a()).cookie_name("session"))
        .secure(false)
        .http_only(false)
        .same_site(SameSite::Strict)
        .path("/app")
        .domain("example.com");
    let set_cookie = sealed_cookie(&cookies, 1);
    let attrs = attributes(&set_cookie);
    assert!(
        !attrs.iter().any(|a| a == "Secure" || a == "HttpOnly"),
        "{set_cookie}"
    );
    assert_eq!(
        attribute(&set_cookie, "SameSite").as_deref(),
        Some("Strict")
    );
    assert_eq!(attribute(&set_cookie, "Path").as_deref(), Some("/app"));
    assert_eq!(
        attribute(&set_cookie, "Domain").as_deref(),
        Some("example.com")
    );
}

#[test]
fn same_site_none_forces_secure() {
    let cookies = SessionCookie::new(Sealer::new(key_a()).cookie_name("session"))
        .secure(false)
        .same_site(SameSite::None);
    let set_cookie = sealed_cookie(&cookies, 1);
    assert_eq!(attribute(&set_cookie, "SameSite").as_deref(), Some("None"));
    assert!(attributes(&set_cookie).iter().any(|a| a == "Secure"));
}

#[test]
fn host_prefix_forces_secure_root_path_and_no_domain() {
    let sealer = Sealer::new(key_a()).cookie_name("__Host-session");
    let cookies = SessionCookie::new(sealer)
        .secure(false)
        .path("/app")
        .domain("example.com");
    let set_cookie = sealed_cookie(&cookies, 1);
    assert!(set_cookie.starts_with("__Host-session="));
    assert!(attributes(&set_cookie).iter().any(|a| a == "Secure"));
    assert_eq!(attribute(&set_cookie, "Path").as_deref(), Some("/"));
    assert_eq!(attribute(&set_cookie, "Domain"), None);
    // And the cookie opens under its prefixed name.
    let session = cookies.load(&headers(&[&pair(&set_cookie)]));
    assert_eq!(session.get::<u32>("count").unwrap(), Some(1));
}

#[test]
fn secure_prefix_forces_secure() {
    let sealer = Sealer::new(key_a()).cookie_name("__Secure-sid");
    let set_cookie = sealed_cookie(&SessionCookie::new(sealer).secure(false), 1);
    assert!(attributes(&set_cookie).iter().any(|a| a == "Secure"));
}

#[test]
fn persistent_cookie_max_age_runs_to_the_sealed_deadline() {
    let (sealer, _clock) = sealer_at(key_a());
    let sealer = sealer
        .max_lifetime(Duration::from_secs(7 * 86_400))
        .idle_timeout(Duration::from_secs(3_600));
    let cookies = SessionCookie::new(sealer).persistent();
    let set_cookie = sealed_cookie(&cookies, 1);
    // The idle deadline is the nearer one.
    assert_eq!(attribute(&set_cookie, "Max-Age").as_deref(), Some("3600"));
}

#[test]
fn fixed_max_age_is_capped_at_the_sealed_deadline() {
    let (sealer, _clock) = sealer_at(key_a());
    let sealer = sealer.max_lifetime(Duration::from_secs(600));
    let long = SessionCookie::new(sealer.clone())
        .expiry(CookieExpiry::MaxAge(Duration::from_secs(86_400)));
    assert_eq!(
        attribute(&sealed_cookie(&long, 1), "Max-Age").as_deref(),
        Some("600")
    );
    let short = SessionCookie::new(sealer).expiry(CookieExpiry::MaxAge(Duration::from_secs(60)));
    assert_eq!(
        attribute(&sealed_cookie(&short, 1), "Max-Age").as_deref(),
        Some("60")
    );
}

#[test]
fn a_chosen_expiry_overrides_the_default_and_stays_with_the_session() {
    let cookies = SessionCookie::new(Sealer::new(key_a()).cookie_name("session"));
    let session = cookies.load(&HeaderMap::new());
    session.insert("user", "ada").unwrap();
    session.set_cookie_expiry(CookieExpiry::UntilSessionExpires);
    let values = cookies.set_cookie_values(&session).unwrap();
    let set_cookie = values[0].to_str().unwrap();
    let max_age: u64 = attribute(set_cookie, "Max-Age").unwrap().parse().unwrap();
    assert!((86_300..=86_400).contains(&max_age), "{set_cookie}");

    // The next request that re-seals keeps the choice, sealed in the cookie.
    let next = cookies.load(&headers(&[&pair(set_cookie)]));
    assert_eq!(
        next.cookie_expiry(),
        Some(CookieExpiry::UntilSessionExpires)
    );
    next.insert("user", "bob").unwrap();
    let values = cookies.set_cookie_values(&next).unwrap();
    assert!(attribute(values[0].to_str().unwrap(), "Max-Age").is_some());
    // Chosen back to a browser-session cookie, it is one from then on.
    next.set_cookie_expiry(CookieExpiry::BrowserSession);
    let values = cookies.set_cookie_values(&next).unwrap();
    let set_cookie = values[0].to_str().unwrap();
    assert_eq!(attribute(set_cookie, "Max-Age"), None);
    let after = cookies.load(&headers(&[&pair(set_cookie)]));
    after.touch();
    let values = cookies.set_cookie_values(&after).unwrap();
    assert_eq!(attribute(values[0].to_str().unwrap(), "Max-Age"), None);
}

#[test]
fn removal_is_an_expired_empty_cookie_with_the_same_path_and_domain() {
    let cookies =
        SessionCookie::new(Sealer::new(key_a()).cookie_name("session")).domain("example.com");
    let removal = cookies.removal().unwrap();
    let removal = removal.to_str().unwrap();
    assert_eq!(pair(removal), "session=");
    assert_eq!(attribute(removal, "Max-Age").as_deref(), Some("0"));
    assert!(attribute(removal, "Expires").unwrap().contains("1970"));
    assert_eq!(attribute(removal, "Domain").as_deref(), Some("example.com"));
    assert_eq!(attribute(removal, "Path").as_deref(), Some("/"));
}

#[test]
fn a_session_over_4096_bytes_is_refused_at_insert_naming_the_limit() {
    // Refused at insert by the crate's sealer, which knows the size it would seal (a sealer
    // that cannot tell learns it at sealing: `hardening::large`).
    let measured = SessionCookie::new(Sealer::new(key_a()).cookie_name("session"));
    let err = measured
        .load(&HeaderMap::new())
        .insert("blob", "x".repeat(5_000))
        .unwrap_err();
    assert!(err.to_string().contains("4096"), "{err}");
}

#[test]
fn finds_the_cookie_among_many_headers_junk_and_other_cookies() {
    let cookies = SessionCookie::new(Sealer::new(key_a()).cookie_name("session"));
    let good = pair(&sealed_cookie(&cookies, 7));
    let request = headers(&[
        "theme=dark; =novalue; junk; ; lang=en",
        &format!("a=1; {good}; z=\"quoted\""),
    ]);
    assert_eq!(cookies.load(&request).get::<u32>("count").unwrap(), Some(7));
}

#[test]
fn tries_each_cookie_of_the_name_until_one_opens() {
    let cookies = SessionCookie::new(Sealer::new(key_a()).cookie_name("session"));
    let good = pair(&sealed_cookie(&cookies, 9));
    let request = headers(&["session=forged-value", &format!("session=; {good}")]);
    assert_eq!(cookies.load(&request).get::<u32>("count").unwrap(), Some(9));
}

#[test]
fn junk_ahead_of_the_cookie_does_not_hide_it() {
    let cookies = SessionCookie::new(Sealer::new(key_a()).cookie_name("session"));
    let good = pair(&sealed_cookie(&cookies, 5));
    // Values refused before the cipher (not base64, too short, another version) cost next to
    // nothing and do not count toward the limit.
    let junk = ["session=x"; 3 * MAX_CANDIDATES].join("; ");
    let request = headers(&[&junk, "session=AAAAAAAA; session=%FF", &good]);
    assert_eq!(cookies.load(&request).get::<u32>("count").unwrap(), Some(5));
}

#[test]
fn at_most_max_candidates_values_reach_the_cipher() {
    let cookies = SessionCookie::new(Sealer::new(key_a()).cookie_name("session"));
    let good = pair(&sealed_cookie(&cookies, 3));
    // The real value with its tag changed: a real key id, so each one costs a decryption.
    let mut forged = good.clone().into_bytes();
    let last = forged.len() - 2;
    forged[last] = if forged[last] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).unwrap();
    let ahead = |n: usize| {
        let mut line = vec![forged.as_str(); n];
        line.push(&good);
        headers(&[&line.join("; ")])
    };
    assert_eq!(
        cookies
            .load(&ahead(MAX_CANDIDATES - 1))
            .get::<u32>("count")
            .unwrap(),
        Some(3)
    );
    assert!(cookies.load(&ahead(MAX_CANDIDATES)).is_empty());
}

#[test]
fn cookie_headers_are_read_up_to_a_byte_budget() {
    let cookies = SessionCookie::new(Sealer::new(key_a()).cookie_name("session"));
    let good = pair(&sealed_cookie(&cookies, 3));
    let huge = format!("pad={}", "p".repeat(MAX_COOKIE_HEADER_BYTES));
    // A good cookie after an oversized header is not read; before it, it is.
    let after = headers(&[&huge, &good]);
    assert!(cookies.load(&after).is_empty());
    let before = headers(&[&good, &huge]);
    assert_eq!(cookies.load(&before).get::<u32>("count").unwrap(), Some(3));
}

#[test]
fn non_utf8_junk_does_not_hide_the_cookie() {
    let cookies = SessionCookie::new(Sealer::new(key_a()).cookie_name("session"));
    let good = pair(&sealed_cookie(&cookies, 4));
    let mut raw = b"odd=\xff\xfe; ".to_vec();
    raw.extend_from_slice(good.as_bytes());
    let mut request = HeaderMap::new();
    request.insert(COOKIE, HeaderValue::from_bytes(&raw).unwrap());
    assert_eq!(cookies.load(&request).get::<u32>("count").unwrap(), Some(4));
}

#[test]
fn a_percent_encoded_sealed_value_still_opens() {
    let cookies = SessionCookie::new(Sealer::new(key_a()).cookie_name("session"));
    let set_cookie = sealed_cookie(&cookies, 5);
    let (name, value) = pair(&set_cookie)
        .split_once('=')
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .unwrap();
    // Encode one character of the base64url value needlessly, as some clients do.
    let encoded = format!("{name}=%{:02X}{}", value.as_bytes()[0], &value[1..]);
    assert_eq!(
        cookies
            .load(&headers(&[&encoded]))
            .get::<u32>("count")
            .unwrap(),
        Some(5)
    );
}

#[test]
fn missing_cookie_logs_at_debug_and_tampered_at_warn() {
    let cookies = SessionCookie::new(Sealer::new(key_a()).cookie_name("session"));
    let (session, logs) = capture_logs(|| cookies.load(&HeaderMap::new()));
    assert!(session.is_empty());
    assert!(
        logs.contains("DEBUG") && logs.contains("no session cookie"),
        "{logs}"
    );

    let good = pair(&sealed_cookie(&cookies, 1));
    let mut tampered = good.into_bytes();
    let i = tampered.len() - 10;
    tampered[i] = if tampered[i] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let (session, logs) = capture_logs(|| cookies.load(&headers(&[&tampered])));
    assert!(session.is_empty());
    assert!(
        logs.contains("WARN") && logs.contains("did not authenticate"),
        "{logs}"
    );
}

#[test]
fn expired_cookie_logs_at_debug_and_gives_a_fresh_session() {
    let (sealer, clock) = sealer_at(key_a());
    let cookies = SessionCookie::new(sealer.max_lifetime(Duration::from_secs(60)));
    let good = pair(&sealed_cookie(&cookies, 1));
    clock.set(T0 + 3_600);
    let (session, logs) = capture_logs(|| cookies.load(&headers(&[&good])));
    assert!(session.is_empty());
    assert!(logs.contains("DEBUG") && logs.contains("expired"), "{logs}");
    assert!(!logs.contains("WARN"), "{logs}");
}

#[test]
fn a_value_sealed_for_another_cookie_name_does_not_open() {
    let session_cookies = SessionCookie::new(Sealer::new(key_a()).cookie_name("session"));
    let flash_cookies = SessionCookie::new(Sealer::new(key_a()).cookie_name("flash"));
    let value = pair(&sealed_cookie(&session_cookies, 1))
        .split_once('=')
        .unwrap()
        .1
        .to_owned();
    let swapped = headers(&[&format!("flash={value}")]);
    assert!(flash_cookies.load(&swapped).is_empty());
}

#[test]
fn an_undecodable_payload_gives_a_fresh_session() {
    // Sealed by the same key, name and codec, but not an entry map: authenticates, does not
    // decode.
    let sealer = Sealer::new(key_a()).cookie_name("session");
    let now = sealer.now();
    let value = sealer.seal_bytes_at(b"\xff\xff\xff", now, now).unwrap();
    let cookies = SessionCookie::new(sealer);
    let (session, logs) = capture_logs(|| cookies.load(&headers(&[&format!("session={value}")])));
    assert!(session.is_empty());
    assert!(logs.contains("WARN") && logs.contains("decode"), "{logs}");
}

#[cfg(feature = "json")]
#[test]
fn another_codecs_session_gives_a_fresh_session_naming_the_codecs() {
    let json = SessionCookie::new(
        Sealer::new(key_a())
            .cookie_name("session")
            .codec(sealed_session::Json),
    );
    let session = json.load(&HeaderMap::new());
    session.insert("count", 1).unwrap();
    let set_cookie = json.set_cookie_values(&session).unwrap()[0]
        .to_str()
        .unwrap()
        .to_owned();
    let postcard = SessionCookie::new(Sealer::new(key_a()).cookie_name("session"));
    let (session, logs) = capture_logs(|| postcard.load(&headers(&[&pair(&set_cookie)])));
    assert!(session.is_empty());
    assert!(
        logs.contains("WARN") && logs.contains("sealed with codec 3"),
        "{logs}"
    );
}

#[test]
fn reads_alone_send_nothing_and_a_change_reseals_keeping_created_at() {
    let (sealer, clock) = sealer_at(key_a());
    let cookies = SessionCookie::new(sealer);
    let first = pair(&sealed_cookie(&cookies, 1));
    clock.set(T0 + 100);
    let session = cookies.load(&headers(&[&first]));
    assert_eq!(session.get::<u32>("count").unwrap(), Some(1));
    assert!(cookies.set_cookie_values(&session).unwrap().is_empty());
    session.insert("count", 2u32).unwrap();
    assert_eq!(resealed(&cookies, &session, T0 + 100).created_at(), T0);
}

/// `session` as the one `Set-Cookie` value `cookies` writes for it, opened at `at`.
fn resealed(cookies: &SessionCookie<Sealer>, session: &Session, at: u64) -> Opened<Vec<u8>> {
    let values = cookies.set_cookie_values(session).unwrap();
    assert_eq!(values.len(), 1, "{values:?}");
    let value = pair(values[0].to_str().unwrap())
        .split_once('=')
        .unwrap()
        .1
        .to_owned();
    cookies.sealer().open_bytes_at(&value, at).unwrap()
}

#[test]
fn a_new_cookie_is_dated_with_the_time_its_request_cookie_was_read() {
    let (sealer, clock) = sealer_at(key_a());
    let cookies = SessionCookie::new(sealer.idle_timeout(Duration::from_secs(600)));
    let first = pair(&sealed_cookie(&cookies, 1));
    clock.set(T0 + 100);
    let session = cookies.load(&headers(&[&first]));
    clock.set(T0 + 500); // a slow handler
    session.insert("count", 2u32).unwrap();
    let opened = resealed(&cookies, &session, T0 + 500);
    assert_eq!(opened.created_at(), T0);
    // Idle deadline from the request's time, not from the end of the handler.
    assert_eq!(opened.expires_at(), T0 + 100 + 600);
}

#[test]
fn without_a_request_cookie_the_clock_is_read_when_the_cookie_is_written() {
    let (sealer, clock) = sealer_at(key_a());
    let cookies = SessionCookie::new(sealer.idle_timeout(Duration::from_secs(600)));
    let session = cookies.load(&HeaderMap::new());
    clock.set(T0 + 50);
    session.insert("count", 1u32).unwrap();
    let opened = resealed(&cookies, &session, T0 + 50);
    assert_eq!(opened.created_at(), T0 + 50);
    assert_eq!(opened.expires_at(), T0 + 50 + 600);
}

#[test]
fn session_of_a_fresh_request_is_empty_and_new() {
    let cookies = SessionCookie::new(Sealer::new(Key::generate()).cookie_name("session"));
    let session: Session = cookies.load(&HeaderMap::new());
    assert!(session.is_empty());
    assert_eq!(session.created_at(), None);
    assert!(cookies.set_cookie_values(&session).unwrap().is_empty());
}

#[test]
fn a_change_after_the_absolute_lifetime_removes_the_cookie() {
    // Opens within the clock-skew leeway after its deadline, but cannot be sealed again.
    let (sealer, clock) = sealer_at(key_a());
    let cookies = SessionCookie::new(sealer.max_lifetime(Duration::from_secs(600)));
    let first = pair(&sealed_cookie(&cookies, 1));
    clock.set(T0 + 620);
    let session = cookies.load(&headers(&[&first]));
    assert_eq!(session.get::<u32>("count").unwrap(), Some(1));
    session.insert("count", 2u32).unwrap();
    let values = cookies.set_cookie_values(&session).unwrap();
    assert_eq!(values.len(), 1);
    assert_eq!(pair(values[0].to_str().unwrap()), "session=");
}

#[test]
fn an_empty_cookie_value_is_no_cookie() {
    let cookies = SessionCookie::new(Sealer::new(key_a()).cookie_name("session"));
    let (session, logs) = capture_logs(|| cookies.load(&headers(&["session="])));
    assert!(session.is_empty());
    assert!(!logs.contains("WARN"), "{logs}");
}

#[test]
fn a_host_prefix_in_any_case_gets_the_attributes_it_demands() {
    // Chromium recognises `__host-` and `__secure-` without regard to case, and drops such a
    // cookie set without the attributes the prefix demands.
    for (name, host) in [
        ("__host-sid", true),
        ("__HOST-sid", true),
        ("__secure-sid", false),
    ] {
        let cookies = SessionCookie::new(Sealer::new(key_a()).cookie_name(name))
            .secure(false)
            .path("/app")
            .domain("example.com");
        let set_cookie = sealed_cookie(&cookies, 1);
        let attrs = attributes(&set_cookie);
        assert!(attrs.iter().any(|a| a == "Secure"), "{set_cookie}");
        if host {
            assert_eq!(attribute(&set_cookie, "Path").as_deref(), Some("/"));
            assert_eq!(attribute(&set_cookie, "Domain"), None, "{set_cookie}");
        }
    }
}

#[cfg(feature = "json")]
#[test]
fn a_payload_that_does_not_decode_is_logged_without_its_data() {
    let sealer = Sealer::new(key_a())
        .cookie_name("session")
        .codec(sealed_session::Json);
    let now = sealer.now();
    // Authentic, but a string where the session's object should be: serde_json's own message
    // would quote it.
    let value = sealer
        .seal_bytes_at(br#""alice@example.com""#, now, now)
        .unwrap();
    let cookies = SessionCookie::new(sealer);
    let (session, logs) = capture_logs(|| cookies.load(&headers(&[&format!("session={value}")])));
    assert!(session.is_empty());
    assert!(logs.contains("WARN"), "{logs}");
    assert!(
        !logs.contains("alice") && !logs.contains("example.com"),
        "{logs}"
    );
}

#[test]
fn thousands_of_junk_cookies_make_two_log_lines_not_thousands() {
    for chunks in [1, 3] {
        let sealer = Sealer::new(key_a())
            .cookie_name("session")
            .max_cookie_size(chunks * sealed_session::MAX_COOKIE_SIZE);
        let cookies = SessionCookie::chunked(sealer, chunks);
        let good = pair(&sealed_cookie(&cookies, 8));
        // Unframed junk, and (for chunking) framed junk whose chunks are missing.
        let junk = ["session=x", "session=3.x"].repeat(1_500).join("; ");
        let request = headers(&[&junk, &good]);
        let (session, logs) = capture_logs(|| cookies.load(&request));
        assert_eq!(session.get::<u32>("count").unwrap(), Some(8), "{chunks}");
        let lines = logs.lines().filter(|l| l.contains("session")).count();
        assert!(lines <= 2, "{chunks} chunks: {lines} log lines");
        assert!(logs.contains("more=2999"), "{logs}");
    }
}

#[test]
fn raw_cookie_header_bytes_read_as_the_header_map_does_and_lines_match_the_values() {
    // What a framework on another `http` version does: hand over each `Cookie` header's bytes,
    // take back the `Set-Cookie` lines as text.
    let sealer = Sealer::new(key_a())
        .cookie_name("session")
        .max_cookie_size(3 * sealed_session::MAX_COOKIE_SIZE);
    let cookies = SessionCookie::chunked(sealer, 3);
    let session = cookies.load_from(std::iter::empty());
    session.insert("blob", "b".repeat(6_000)).unwrap();
    let lines = cookies.set_cookie_lines(&session).unwrap();
    let values = cookies.set_cookie_values(&session).unwrap();
    assert_eq!(lines.len(), 2);
    for (line, value) in lines.iter().zip(&values) {
        // Both are freshly sealed: the same cookie names and attributes, other nonces.
        assert_eq!(
            line.split('=').next(),
            value.to_str().unwrap().split('=').next()
        );
        assert_eq!(attributes(line), attributes(value.to_str().unwrap()));
    }
    let pairs: Vec<String> = lines.iter().map(|l| pair(l)).collect();
    let raw: Vec<&[u8]> = vec![b"theme=dark", pairs[0].as_bytes(), pairs[1].as_bytes()];
    let from_bytes = cookies.load_from(raw.iter().copied());
    let from_map = cookies.load(&headers(&["theme=dark", &pairs[0], &pairs[1]]));
    assert_eq!(
        from_bytes.get::<String>("blob").unwrap().map(|b| b.len()),
        Some(6_000)
    );
    assert_eq!(
        from_bytes.get::<String>("blob").unwrap(),
        from_map.get::<String>("blob").unwrap()
    );
}
