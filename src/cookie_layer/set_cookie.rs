//! Writing `Set-Cookie` lines: the session cookie's attributes, and the one function that
//! writes a line.
//!
//! The lines are written by hand, in the attribute order and format of the `cookie` crate's
//! `Set-Cookie` formatting (a differential test below holds the two together), because every
//! response that changes its session writes one: the sealed value goes straight into one
//! per-thread line buffer, copied once into the header value, where going through the `cookie`
//! crate would build a `Cookie`, a `String` for its value and one for the formatted line. With
//! the other changes of that pass it took a counter request from 27,331 to 25,873 instructions
//! (BENCHMARKS.md, "`Cookie` headers read, and `Set-Cookie` lines written, by hand").

use std::borrow::Cow;
use std::cell::RefCell;

use http::header::SET_COOKIE;
use http::{HeaderMap, HeaderValue};
use percent_encoding::{AsciiSet, CONTROLS};

use crate::cookie_expiry::CookieExpiry;
use crate::error::WriteError;
use crate::scratch::{with_buffer, Contents};

/// Bytes percent-encoded in cookie values: everything outside RFC 6265's cookie-octet set,
/// and `%` itself so that decoding is unambiguous.
const VALUE_ENCODE_SET: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b',')
    .add(b';')
    .add(b'\\')
    .add(b'%');

/// The `SameSite` attribute of the session cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SameSite {
    /// Sent only with requests from the same site.
    Strict,
    /// Sent with same-site requests and top-level navigations from other sites (the default).
    Lax,
    /// Sent with every request, cross-site included. Needs `Secure`.
    None,
}

/// The attributes every cookie of a session (its chunks and removals too) is written with.
#[derive(Debug, Clone)]
pub(crate) struct Attributes {
    pub(crate) http_only: bool,
    pub(crate) secure: bool,
    pub(crate) same_site: SameSite,
    pub(crate) partitioned: bool,
    pub(crate) path: String,
    pub(crate) domain: Option<String>,
}

impl Default for Attributes {
    /// The secure defaults: `HttpOnly`, `Secure`, `SameSite=Lax`, not `Partitioned`,
    /// `Path=/`, no `Domain`.
    fn default() -> Self {
        Self {
            http_only: true,
            secure: true,
            same_site: SameSite::Lax,
            partitioned: false,
            path: "/".to_owned(),
            domain: None,
        }
    }
}

/// Whether `value` can be a `Path` or `Domain` attribute: visible ASCII, no `;`.
pub(crate) fn valid_attribute(value: &str) -> bool {
    value
        .bytes()
        .all(|b| (0x21..0x7f).contains(&b) && b != b';')
}

impl Attributes {
    /// The one way a `Set-Cookie` line is written: `name=`, then whatever `write_value`
    /// appends (the value, already in its cookie form; it returns the `Max-Age` the line gets,
    /// if any), then the attributes, with an `Expires` at the Unix epoch when `expire`. Written
    /// in one per-thread buffer and copied once into the header value.
    pub(crate) fn line(
        &self,
        name: &str,
        write_value: impl FnOnce(&mut String) -> Result<Option<u64>, WriteError>,
        expire: bool,
    ) -> Result<HeaderValue, WriteError> {
        with_line(|line| {
            line.push_str(name);
            line.push('=');
            let max_age = write_value(line)?;
            self.push(line, name, max_age, expire);
            // The name is the only part not checked before (a `SessionSealer` other than
            // `Sealer` may not check it).
            HeaderValue::from_bytes(line.as_bytes()).map_err(|_| WriteError::InvalidHeader)
        })
    }

    /// A line holding `value` as it is (already in its cookie form).
    pub(crate) fn line_with(
        &self,
        name: &str,
        value: &str,
        max_age: Option<u64>,
        expire: bool,
    ) -> Result<HeaderValue, WriteError> {
        self.line(
            name,
            |line| {
                line.push_str(value);
                Ok(max_age)
            },
            expire,
        )
    }

    /// Append the attributes for cookie `name`, in the attribute order of the `cookie` crate's
    /// `Set-Cookie` formatting: `HttpOnly`, `SameSite`, `Partitioned`, `Secure`, `Path`,
    /// `Domain`, `Max-Age`, `Expires`. A `__Host-` name gets `Secure`, `Path=/` and no `Domain`
    /// whatever is set; a `__Secure-` name, `SameSite=None` and `Partitioned` get `Secure`.
    fn push(&self, line: &mut String, name: &str, max_age: Option<u64>, expire: bool) {
        let (host_prefix, secure_prefix) = name_prefix(name);
        let (path, domain) = if host_prefix {
            ("/", None)
        } else {
            (self.path.as_str(), self.domain.as_deref())
        };
        if self.http_only {
            line.push_str("; HttpOnly");
        }
        line.push_str(match self.same_site {
            SameSite::Strict => "; SameSite=Strict",
            SameSite::Lax => "; SameSite=Lax",
            SameSite::None => "; SameSite=None",
        });
        if self.partitioned {
            line.push_str("; Partitioned");
        }
        if self.secure || secure_prefix || self.same_site == SameSite::None || self.partitioned {
            line.push_str("; Secure");
        }
        line.push_str("; Path=");
        line.push_str(path);
        if let Some(domain) = domain {
            line.push_str("; Domain=");
            line.push_str(domain);
        }
        if let Some(seconds) = max_age {
            // Written as a signed 64-bit number of seconds, as the `cookie` crate does.
            let seconds = seconds.min(i64::MAX.unsigned_abs());
            line.push_str("; Max-Age=");
            line.push_str(itoa(seconds, &mut [0; 20]));
        }
        if expire {
            line.push_str("; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
        }
    }
}

/// Whether `name` carries the `__Host-` prefix, and whether it carries `__Host-` or
/// `__Secure-`. Matched without regard to case, as Chromium matches them: a `__host-` cookie
/// set without the attributes the prefix demands would be dropped by the browser, silently.
fn name_prefix(name: &str) -> (bool, bool) {
    let starts = |prefix: &str| {
        name.as_bytes()
            .get(..prefix.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(prefix.as_bytes()))
    };
    let host = starts("__Host-");
    (host, host || starts("__Secure-"))
}

/// The `Max-Age` a sealed cookie gets: none for a browser-session cookie, else up to its
/// sealed deadline.
pub(crate) fn max_age(expiry: CookieExpiry, expires_at: u64, now: u64) -> Option<u64> {
    match expiry {
        CookieExpiry::BrowserSession => None,
        CookieExpiry::UntilSessionExpires => Some(expires_at.saturating_sub(now)),
        CookieExpiry::MaxAge(age) => Some(age.as_secs().min(expires_at.saturating_sub(now))),
    }
}

/// The `Set-Cookie` values of one response: none or one nearly always, so one needs no vector.
/// (`pub` only as the type in a sealed trait's method: not reachable from outside the crate.)
#[derive(Debug, Default)]
pub struct SetCookies {
    first: Option<HeaderValue>,
    rest: Vec<HeaderValue>,
}

impl SetCookies {
    pub(crate) fn push(&mut self, value: HeaderValue) {
        if self.first.is_none() {
            self.first = Some(value);
        } else {
            self.rest.push(value);
        }
    }

    /// The values, in order.
    pub(crate) fn into_values(self) -> impl Iterator<Item = HeaderValue> {
        self.first.into_iter().chain(self.rest)
    }

    pub(crate) fn into_vec(self) -> Vec<HeaderValue> {
        self.into_values().collect()
    }

    /// Append each value to `headers` as a `Set-Cookie` header, in order.
    pub(crate) fn append_to(self, headers: &mut HeaderMap) {
        for value in self.into_values() {
            headers.append(SET_COOKIE, value);
        }
    }
}

thread_local! {
    /// Where a `Set-Cookie` line is written before it is copied, at its exact size, into the
    /// header value.
    static LINE: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Run `f` with this thread's empty line buffer. A line holds the sealed value (ciphertext)
/// and the attributes, nothing secret: [`Contents::Public`].
fn with_line<R>(f: impl FnOnce(&mut String) -> R) -> R {
    with_buffer(&LINE, Contents::Public, 0, f)
}

/// `n` in decimal, written into `buf`.
fn itoa(mut n: u64, buf: &mut [u8; 20]) -> &str {
    let mut start = buf.len();
    loop {
        start -= 1;
        // n % 10 < 10: the cast cannot truncate.
        buf[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[start..]).unwrap_or_default()
}

/// A sealed value as a cookie value: percent-encoded where it holds bytes outside the
/// cookie-octet set (never for base64url), borrowed otherwise.
pub(crate) fn encode_value(value: &str) -> Cow<'_, str> {
    if any_needs_escape(value.as_bytes()) {
        percent_encoding::utf8_percent_encode(value, VALUE_ENCODE_SET).into()
    } else {
        Cow::Borrowed(value)
    }
}

/// Percent-encode, in place, what `line` holds from `start` on, if it needs it (never for this
/// crate's base64url values; a `SessionSealer` may write others).
pub(crate) fn encode_in_place(line: &mut String, start: usize) {
    if any_needs_escape(&line.as_bytes()[start..]) {
        let raw = line.split_off(start);
        line.push_str(&encode_value(&raw));
    }
}

/// Whether `encode_value` escapes `byte`: non-ASCII and every byte of [`VALUE_ENCODE_SET`].
/// Comparisons only, no branches, so that [`any_needs_escape`] checks many bytes at once.
fn needs_escape(byte: u8) -> bool {
    (byte <= b' ')
        | (byte >= 0x7f)
        | (byte == b'"')
        | (byte == b',')
        | (byte == b';')
        | (byte == b'\\')
        | (byte == b'%')
}

/// Whether any byte of `bytes` needs escaping, checked 32 bytes at a time: each block is
/// folded without branches, which the compiler turns into a few vector comparisons. The last,
/// shorter block is padded with a byte that needs none.
fn any_needs_escape(bytes: &[u8]) -> bool {
    fn block_needs_escape(block: &[u8; 32]) -> bool {
        block
            .iter()
            .fold(0u8, |escaped, &b| escaped | u8::from(needs_escape(b)))
            != 0
    }
    let mut blocks = bytes.chunks_exact(32);
    for block in &mut blocks {
        if block.try_into().is_ok_and(block_needs_escape) {
            return true;
        }
    }
    let rest = blocks.remainder();
    let mut last = [b'A'; 32];
    last[..rest.len()].copy_from_slice(rest);
    block_needs_escape(&last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::cookie::time::{Duration, OffsetDateTime};
    use ::cookie::{Cookie, Expiration};

    /// The `cookie` crate's `Set-Cookie` formatting of the same cookie.
    fn formatted_by_cookie_crate(
        attrs: &Attributes,
        name: &str,
        value: &str,
        max_age: Option<u64>,
        expire: bool,
    ) -> String {
        let starts = |prefix: &str| {
            name.get(..prefix.len())
                .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
        };
        let host_prefix = starts("__Host-");
        let secure_prefix = host_prefix || starts("__Secure-");
        let mut cookie = Cookie::new(name.to_owned(), value.to_owned());
        cookie.set_http_only(attrs.http_only);
        cookie.set_secure(attrs.secure || secure_prefix || attrs.same_site == SameSite::None);
        cookie.set_partitioned(attrs.partitioned);
        cookie.set_same_site(match attrs.same_site {
            SameSite::Strict => ::cookie::SameSite::Strict,
            SameSite::Lax => ::cookie::SameSite::Lax,
            SameSite::None => ::cookie::SameSite::None,
        });
        if host_prefix {
            cookie.set_path("/");
        } else {
            cookie.set_path(attrs.path.clone());
            if let Some(domain) = &attrs.domain {
                cookie.set_domain(domain.clone());
            }
        }
        if let Some(seconds) = max_age {
            let seconds = i64::try_from(seconds).unwrap_or(i64::MAX);
            cookie.set_max_age(Duration::seconds(seconds));
        }
        if expire {
            cookie.set_expires(Expiration::DateTime(OffsetDateTime::UNIX_EPOCH));
        }
        cookie.to_string()
    }

    #[test]
    fn set_cookie_lines_are_formatted_as_the_cookie_crate_formats_them() {
        let same_sites = [SameSite::Strict, SameSite::Lax, SameSite::None];
        for name in [
            "session",
            "__Host-s",
            "__Secure-s",
            "s.1",
            "__host-s",
            "__HOST-s.1",
            "__secure-s",
        ] {
            for (i, same_site) in same_sites.into_iter().enumerate() {
                for flags in 0..8 {
                    let mut attrs = Attributes {
                        http_only: flags & 1 == 1,
                        secure: flags & 2 == 2,
                        partitioned: flags & 4 == 4,
                        same_site,
                        ..Attributes::default()
                    };
                    if i == 1 {
                        attrs.path = "/app".to_owned();
                        attrs.domain = Some("example.com".to_owned());
                    }
                    for (value, max_age, expire) in [
                        ("v4lue", None, false),
                        ("v", Some(3600), false),
                        ("", Some(0), true),
                        ("v", Some(u64::MAX), false),
                    ] {
                        let ours = attrs.line_with(name, value, max_age, expire).unwrap();
                        assert_eq!(
                            ours.to_str().unwrap(),
                            formatted_by_cookie_crate(&attrs, name, value, max_age, expire)
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn the_escape_test_agrees_with_the_encode_set() {
        for byte in 0..=u8::MAX {
            let encoded = percent_encoding::percent_encode(&[byte], VALUE_ENCODE_SET).to_string();
            assert_eq!(needs_escape(byte), encoded.len() > 1, "{byte:#04x}");
        }
    }

    #[test]
    fn the_block_escape_check_finds_every_byte_at_every_position() {
        // Lengths around the 32-byte blocks, each byte that needs escaping at each position.
        for len in [0, 1, 31, 32, 33, 63, 64, 65, 100] {
            let clean = vec![b'A'; len];
            assert!(!any_needs_escape(&clean), "clean, {len} bytes");
            for at in 0..len {
                for byte in 0..=u8::MAX {
                    let mut value = clean.clone();
                    value[at] = byte;
                    assert_eq!(
                        any_needs_escape(&value),
                        needs_escape(byte),
                        "{byte:#04x} at {at} of {len}"
                    );
                }
            }
        }
    }

    #[test]
    fn decimal_numbers() {
        for n in [0, 7, 10, 1_234_567, u64::MAX] {
            assert_eq!(itoa(n, &mut [0; 20]), n.to_string());
        }
    }
}
