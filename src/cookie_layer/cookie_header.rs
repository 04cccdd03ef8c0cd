//! Reading a request's `Cookie` headers: the values of the cookies of one name, within a size
//! budget. Knows nothing of sealing.
//!
//! # The name rule
//! A cookie is the session's when its name, as sent, is byte for byte the configured name.
//! Only spaces and tabs around a name or a value are trimmed (RFC 6265bis, section 5.2, and
//! what browsers do); a name is never percent-decoded, Unicode-trimmed or case-folded. Browsers
//! apply the `__Host-` and `__Secure-` rules to the name as they store it, so any looser match
//! would let a cookie that a browser treats as a different, unprotected one (`__Host-s%65ssion`,
//! `\u{a0}__Host-session`, which a sibling subdomain or a plain-HTTP page may set) be read as
//! the session. Single and chunked cookies are read by this one rule.

use std::borrow::Cow;
use std::ops::ControlFlow;

use http::header::COOKIE;
use http::HeaderMap;

/// At most this many bytes of `Cookie` headers are read per request; cookies beyond are
/// ignored. Servers limit headers to about this size anyway.
pub(crate) const MAX_COOKIE_HEADER_BYTES: usize = 64 * 1024;

/// At most this many cookies of the session's name are tried against the cipher per request
/// (a browser sends several when cookies of one name were set for different paths or
/// domains). Values refused before the cipher runs (not base64, another format version, a key
/// id the ring does not hold, too long) cost next to nothing and do not count, so junk ahead of
/// the real cookie cannot push it out.
pub(crate) const MAX_CANDIDATES: usize = 4;

/// Call `f` with the decoded, non-empty value of each cookie named exactly `name`, in the order
/// sent, until it breaks. Only the cookies of that name are decoded, and nothing is allocated
/// for a value with no `%` escape (every sealed value).
pub(crate) fn for_each_value<'a>(
    headers: impl IntoIterator<Item = &'a [u8]>,
    name: &str,
    mut f: impl FnMut(Cow<'_, str>) -> ControlFlow<()>,
) {
    for_each_cookie(headers, name, |raw_name, raw_value| {
        if raw_name != name.as_bytes() {
            return ControlFlow::Continue(());
        }
        match decode_value(raw_value) {
            // An empty value is what a removal leaves behind: no session, nothing to report.
            Some(value) if !value.is_empty() => f(value),
            // Not UTF-8 once decoded: it cannot be a sealed value.
            _ => ControlFlow::Continue(()),
        }
    });
}

/// A cookie value (already trimmed of spaces and tabs) percent-decoded, as the cookie libraries
/// of the formats read here write it. `None` when the bytes, or the decoded bytes, are not
/// UTF-8. Borrowed whenever there is nothing to decode.
pub(crate) fn decode_value(raw: &[u8]) -> Option<Cow<'_, str>> {
    // `from_utf8` checks ASCII a word at a time.
    let text = std::str::from_utf8(raw).ok()?;
    if memchr::memchr(b'%', raw).is_some() {
        percent_encoding::percent_decode_str(text)
            .decode_utf8()
            .ok()
    } else {
        Some(Cow::Borrowed(text))
    }
}

/// The raw bytes of each `Cookie` header of `headers`, in order: what the readers here take, so
/// that any framework (any `http` version) can hand them its own headers' bytes.
pub(crate) fn cookie_headers(headers: &HeaderMap) -> impl Iterator<Item = &[u8]> + '_ {
    headers.get_all(COOKIE).iter().map(|value| value.as_bytes())
}

/// Call `f` with the name and value of each `name=value` piece of the request's `Cookie`
/// headers (each given as its raw bytes), in the order sent, until it breaks, reading at most [`MAX_COOKIE_HEADER_BYTES`] of
/// headers. Pieces are split at `;` and at their first `=`; name and value are trimmed of
/// spaces and tabs only and passed as sent (undecoded); pieces with no `=` are skipped. Nothing
/// is allocated. `name`, the session cookie's, is for the log line when headers are cut off.
pub(crate) fn for_each_cookie<'a>(
    headers: impl IntoIterator<Item = &'a [u8]>,
    name: &str,
    mut f: impl FnMut(&[u8], &[u8]) -> ControlFlow<()>,
) {
    let mut budget = MAX_COOKIE_HEADER_BYTES;
    for bytes in headers {
        if bytes.len() > budget {
            tracing::debug!(
                cookie = name,
                "cookie headers over {MAX_COOKIE_HEADER_BYTES} bytes; the rest is ignored"
            );
            return;
        }
        budget -= bytes.len();
        // `memchr` finds each separator many bytes at a time; a byte loop here cost as much
        // as the cipher.
        for piece in SplitSemicolons(bytes) {
            let Some(eq) = memchr::memchr(b'=', piece) else {
                continue;
            };
            let (raw_name, raw_value) = (&piece[..eq], &piece[eq + 1..]);
            if f(trim_blanks(raw_name), trim_blanks(raw_value)).is_break() {
                return;
            }
        }
    }
}

/// The pieces of a `Cookie` header between semicolons, as `bytes.split(|&b| b == b';')`
/// gives them, found with `memchr`.
struct SplitSemicolons<'a>(&'a [u8]);

impl<'a> Iterator for SplitSemicolons<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if self.0.is_empty() {
            return None;
        }
        match memchr::memchr(b';', self.0) {
            Some(end) => {
                let piece = &self.0[..end];
                // The empty remainder after a final `;` is a piece too (as `split` gives
                // it), but it holds no `=`, so it can be dropped.
                self.0 = &self.0[end + 1..];
                Some(piece)
            }
            None => Some(std::mem::take(&mut self.0)),
        }
    }
}

/// `bytes` without the spaces and tabs at either end: the only bytes RFC 6265bis (and
/// browsers) trim from a cookie's name and value.
fn trim_blanks(mut bytes: &[u8]) -> &[u8] {
    let blank = |b: &u8| *b == b' ' || *b == b'\t';
    while let [first, rest @ ..] = bytes {
        if !blank(first) {
            break;
        }
        bytes = rest;
    }
    while let [rest @ .., last] = bytes {
        if !blank(last) {
            break;
        }
        bytes = rest;
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;
    use proptest::prelude::*;

    /// The values of every cookie named exactly `name`, in the order sent, percent-decoded:
    /// what the session layer reads, collected.
    fn cookie_values(headers: &HeaderMap, name: &str) -> Vec<String> {
        let mut found = Vec::new();
        for_each_value(cookie_headers(headers), name, |value| {
            found.push(value.into_owned());
            ControlFlow::Continue(())
        });
        found
    }

    /// RFC 6265bis's reading of a `Cookie` header, written as plainly as possible: split at
    /// `;`, split each piece at its first `=`, trim spaces and tabs, keep the pieces whose name
    /// is `name` byte for byte, percent-decode their values.
    fn reference(line: &[u8], name: &str) -> Vec<String> {
        line.split(|&b| b == b';')
            .filter_map(|piece| {
                let eq = piece.iter().position(|&b| b == b'=')?;
                fn trim(mut b: &[u8]) -> &[u8] {
                    while b.first().is_some_and(|c| *c == b' ' || *c == b'\t') {
                        b = &b[1..];
                    }
                    while b.last().is_some_and(|c| *c == b' ' || *c == b'\t') {
                        b = &b[..b.len() - 1];
                    }
                    b
                }
                let (n, v) = (trim(&piece[..eq]), trim(&piece[eq + 1..]));
                if n != name.as_bytes() {
                    return None;
                }
                let v = std::str::from_utf8(v).ok()?;
                let v = percent_encoding::percent_decode_str(v).decode_utf8().ok()?;
                (!v.is_empty()).then(|| v.into_owned())
            })
            .collect()
    }

    /// Headers made of the pieces that matter to a reader: names and parts of names,
    /// look-alikes of a name, separators, spaces and tabs, escapes, bytes that are
    /// not UTF-8 and a non-ASCII space.
    fn header() -> impl Strategy<Value = Vec<u8>> {
        let token = prop_oneof![
            Just(&b"session"[..]),
            Just(&b"Session"[..]),
            Just(&b"sess"[..]),
            Just(&b"ion"[..]),
            Just(&b"s"[..]),
            Just(&b"ss"[..]),
            Just(&b"="[..]),
            Just(&b";"[..]),
            Just(&b"; "[..]),
            Just(&b" "[..]),
            Just(&b"\t"[..]),
            Just(&b"%"[..]),
            Just(&b"%69"[..]),
            Just(&b"%3B"[..]),
            Just(&b"v"[..]),
            Just(&b"x1"[..]),
            Just(&b"\"q\""[..]),
            Just(&b"\xc2\xa0"[..]),
            Just(&b"\xff"[..]),
        ];
        proptest::collection::vec(token, 0..24).prop_map(|tokens| tokens.concat())
    }

    proptest::proptest! {
        /// The scanner finds what the plain reading of RFC 6265bis finds, for a name and for
        /// names that overlap it.
        #[test]
        fn the_scanner_reads_generated_headers_as_rfc_6265bis_does(line in header()) {
            let mut headers = HeaderMap::new();
            headers.insert(COOKIE, HeaderValue::from_bytes(&line).unwrap());
            for name in ["session", "s", "ss", "Session"] {
                proptest::prop_assert_eq!(
                    cookie_values(&headers, name),
                    reference(&line, name),
                    "{:?} in {}",
                    name,
                    String::from_utf8_lossy(&line)
                );
            }
        }
    }

    fn values(line: &[u8], name: &str) -> Vec<String> {
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_bytes(line).unwrap());
        cookie_values(&headers, name)
    }

    #[test]
    fn a_name_matches_byte_for_byte_after_trimming_spaces_and_tabs_only() {
        assert_eq!(values(b"session=a", "session"), ["a"]);
        assert_eq!(values(b"  session\t=\t a \t; x=1", "session"), ["a"]);
        // Each of these is a different cookie to a browser, one that the `__Host-` rules do
        // not protect: never the session.
        for look_alike in [
            &b"sess%69on=planted"[..],
            b"session%20=planted",
            b"\xc2\xa0session=planted",
            b"session\xc2\xa0=planted",
            b"Session=planted",
            b"SESSION=planted",
            b"\"session\"=planted",
        ] {
            assert!(
                values(look_alike, "session").is_empty(),
                "{}",
                String::from_utf8_lossy(look_alike)
            );
        }
        assert!(values(b"__host-session=planted", "__Host-session").is_empty());
        assert!(values(b"__Host-sess%69on=planted", "__Host-session").is_empty());
    }

    #[test]
    fn every_cookie_header_is_read_in_the_order_sent() {
        let mut headers = HeaderMap::new();
        headers.append(
            COOKIE,
            HeaderValue::from_static("theme=dark; session=abc; junk"),
        );
        headers.append(
            COOKIE,
            HeaderValue::from_static("session=a%3Bb; sess%69on=x; Session=y"),
        );
        assert_eq!(cookie_values(&headers, "session"), ["abc", "a;b"]);
    }

    #[test]
    fn values_are_trimmed_of_spaces_and_tabs_and_percent_decoded() {
        assert_eq!(values(b"session= a%3Bb\t", "session"), ["a;b"]);
        assert_eq!(values(b"session=%FF%FE; session=ok", "session"), ["ok"]);
        assert_eq!(values(b"session=\xff\xfe; session=ok", "session"), ["ok"]);
        assert_eq!(
            values(b"session=; session=after-empty", "session"),
            ["after-empty"]
        );
        assert_eq!(
            values(b"session==eq; =nameless; session", "session"),
            ["=eq"]
        );
        assert_eq!(
            values(
                b"a=1; session=1; session=2; session=3; session=4; session=5",
                "session"
            ),
            ["1", "2", "3", "4", "5"]
        );
    }
}
