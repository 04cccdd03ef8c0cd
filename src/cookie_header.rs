//! Reading a request's `Cookie` headers: the values of the cookies of one name, found and
//! decoded as the `cookie` crate's parser finds and decodes them, within a size budget. Knows
//! nothing of sealing.

use std::borrow::Cow;
use std::ops::ControlFlow;

use http::header::COOKIE;
use http::HeaderMap;

/// At most this many bytes of `Cookie` headers are read per request; cookies beyond are
/// ignored. Servers limit headers to about this size anyway.
pub const MAX_COOKIE_HEADER_BYTES: usize = 64 * 1024;

/// At most this many cookies of the session's name are tried per request (a browser sends
/// several when cookies of one name were set for different paths or domains).
pub const MAX_CANDIDATES: usize = 4;

/// The percent-decoded values of every cookie named `name` in the request's `Cookie`
/// headers, in the order sent, at most [`MAX_CANDIDATES`] of them and reading at most
/// [`MAX_COOKIE_HEADER_BYTES`] of headers. Empty values and junk between cookies are skipped;
/// bytes that are not UTF-8 are replaced before parsing (they cannot be part of a sealed
/// value).
///
/// ```
/// use http::{header::COOKIE, HeaderMap, HeaderValue};
/// let mut headers = HeaderMap::new();
/// headers.append(COOKIE, HeaderValue::from_static("theme=dark; session=abc; junk"));
/// headers.append(COOKIE, HeaderValue::from_static("session=a%3Bb"));
/// assert_eq!(sealed_session::cookie_values(&headers, "session"), ["abc", "a;b"]);
/// ```
pub fn cookie_values(headers: &HeaderMap, name: &str) -> Vec<String> {
    let mut found = Vec::new();
    for_each_value(headers, name, |value| {
        found.push(value.into_owned());
        if found.len() == MAX_CANDIDATES {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    found
}

/// Call `f` with the decoded, non-empty value of each cookie named `name`, in the order sent,
/// until it breaks. Only the cookies of that name are decoded, and nothing is allocated for a
/// value that is valid UTF-8 with no `%` escape (every sealed value).
pub(crate) fn for_each_value(
    headers: &HeaderMap,
    name: &str,
    mut f: impl FnMut(Cow<'_, str>) -> ControlFlow<()>,
) {
    for_each_cookie(headers, name, |raw_name, raw_value| {
        if !name_matches(raw_name, name) {
            return ControlFlow::Continue(());
        }
        match decode(raw_value) {
            // An empty value is what a removal leaves behind: no session, nothing to report.
            Some(value) if !value.is_empty() => f(value),
            // Not UTF-8 once decoded: not a cookie (the `cookie` crate's parser agrees).
            _ => ControlFlow::Continue(()),
        }
    });
}

/// Whether the raw (undecoded) name of a cookie, trimmed of ASCII whitespace, names `name`
/// once decoded as [`decode`] does. Raw names that are ASCII with no `%` (all real ones) are
/// compared as they are.
fn name_matches(raw_name: &[u8], name: &str) -> bool {
    // Names are short: one pass over the bytes costs less than `is_ascii` and `memchr`.
    if raw_name.iter().all(|&b| b.is_ascii() && b != b'%') {
        return raw_name == name.as_bytes();
    }
    decode(raw_name).is_some_and(|decoded| decoded == name)
}

/// A cookie name or value as the `cookie` crate parses it: bytes that are not UTF-8 replaced,
/// whitespace trimmed, then percent-decoded. `None` when the decoded bytes are not UTF-8.
/// Borrowed whenever there is nothing to replace or decode.
pub(crate) fn decode(raw: &[u8]) -> Option<Cow<'_, str>> {
    // `from_utf8` checks ASCII a word at a time; the lossy repair only runs on bad bytes.
    let text = match std::str::from_utf8(raw) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(raw),
    };
    match text {
        Cow::Borrowed(text) => {
            let text = text.trim();
            if memchr::memchr(b'%', text.as_bytes()).is_some() {
                percent_encoding::percent_decode_str(text)
                    .decode_utf8()
                    .ok()
            } else {
                Some(Cow::Borrowed(text))
            }
        }
        Cow::Owned(text) => percent_encoding::percent_decode_str(text.trim())
            .decode_utf8()
            .ok()
            .map(|decoded| Cow::Owned(decoded.into_owned())),
    }
}

/// Call `f` with the raw name and value of each `name=value` piece of the request's `Cookie`
/// headers, in the order sent, until it breaks, reading at most [`MAX_COOKIE_HEADER_BYTES`] of
/// headers. Pieces are split at `;` and at their first `=`; name and value are trimmed of ASCII
/// whitespace and passed undecoded (see [`decode`]); pieces with no `=` are skipped. Nothing is
/// allocated. `name`, the session cookie's, is for the log line when headers are cut off.
pub(crate) fn for_each_cookie(
    headers: &HeaderMap,
    name: &str,
    mut f: impl FnMut(&[u8], &[u8]) -> ControlFlow<()>,
) {
    let mut budget = MAX_COOKIE_HEADER_BYTES;
    for header in headers.get_all(COOKIE) {
        let bytes = header.as_bytes();
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
            if f(trim_whitespace(raw_name), trim_whitespace(raw_value)).is_break() {
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

/// `bytes` without the ASCII whitespace `str::trim` removes at either end (non-ASCII
/// whitespace is left to [`decode`]).
fn trim_whitespace(mut bytes: &[u8]) -> &[u8] {
    let space = |b: &u8| *b == b' ' || (0x09..=0x0d).contains(b);
    while let [first, rest @ ..] = bytes {
        if !space(first) {
            break;
        }
        bytes = rest;
    }
    while let [rest @ .., last] = bytes {
        if !space(last) {
            break;
        }
        bytes = rest;
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::cookie::Cookie;
    use http::HeaderValue;
    use proptest::prelude::*;

    /// What the `cookie` crate's parser gives for the cookies of `line` named `name`: the
    /// reading this module's byte scanner replaces.
    fn parsed_by_cookie_crate(line: &[u8], name: &str) -> Vec<String> {
        let text = String::from_utf8_lossy(line);
        text.split(';')
            .filter_map(|piece| Cookie::parse_encoded(piece.trim().to_owned()).ok())
            .filter(|c| c.name() == name && !c.value().is_empty())
            .map(|c| c.value().to_owned())
            .take(MAX_CANDIDATES)
            .collect()
    }

    /// Headers made of the pieces that matter to a reader: names and parts of names,
    /// separators, whitespace, escapes, bytes that are not UTF-8 and a non-ASCII space.
    fn header() -> impl Strategy<Value = Vec<u8>> {
        let token = prop_oneof![
            Just(&b"session"[..]),
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
        /// The scanner finds what the `cookie` crate's parser finds, for a name, for names
        /// that overlap it, and for a name given percent-encoded.
        #[test]
        fn the_scanner_reads_generated_headers_as_the_cookie_crate_does(line in header()) {
            let mut headers = HeaderMap::new();
            headers.insert(COOKIE, HeaderValue::from_bytes(&line).unwrap());
            for name in ["session", "s", "ss", "sess%69on"] {
                proptest::prop_assert_eq!(
                    cookie_values(&headers, name),
                    parsed_by_cookie_crate(&line, name),
                    "{:?} in {}",
                    name,
                    String::from_utf8_lossy(&line)
                );
            }
        }
    }

    #[test]
    fn the_scanner_reads_what_the_cookie_crate_parses() {
        let lines: [&[u8]; 14] = [
            b"session=abc",
            b"  session = abc ; other=1",
            b"theme=dark; session=a%3Bb; junk; session=second",
            b"sess%69on=decoded-name; session=x%ZZy",
            b"session=%FF%FE; session=ok",
            b"session=; session=after-empty",
            b"session==starts-with-eq; =nameless; session",
            b"\xa0session=nbsp-name; session=\xff\xfebad-bytes",
            b"session=\"quoted\"; Session=case",
            b"a=1; b=2; c=3; session=1; session=2; session=3; session=4; session=5",
            b"session\t=\ttabs\t;session=\tvt\t",
            b"sessio=short; sessions=long; xsession=pre",
            b";;; ; session=after-empties ;",
            b"session=a b c; session=%20",
        ];
        for line in lines {
            let mut headers = HeaderMap::new();
            headers.insert(COOKIE, HeaderValue::from_bytes(line).unwrap());
            assert_eq!(
                cookie_values(&headers, "session"),
                parsed_by_cookie_crate(line, "session"),
                "{}",
                String::from_utf8_lossy(line)
            );
        }
    }
}
