//! Opt-in chunking: a session cookie too large for one cookie is split over `name`, `name.1`,
//! `name.2`, ... so that no single cookie passes the 4096 bytes browsers keep.
//!
//! # Framing
//! ```text
//! name    = "<n>." part_0      n: the number of cookies, one digit, 2 ..= MAX_CHUNKS
//! name.1  = part_1
//! ...
//! name.<n-1> = part_<n-1>
//! value   = part_0 || part_1 || ... || part_<n-1>     (then opened as one sealed value)
//! ```
//! A value that fits one cookie is written as before, without the prefix, so turning chunking
//! on changes nothing for small sessions and old cookies keep opening. Sealed values never hold
//! `.` (base64url, or the fastify format's base64 and `;`), so a leading `<digit>.` cannot be
//! part of an unchunked value.
//!
//! # Why this is safe
//! The count in the first cookie says how many chunk cookies to join, so a leftover `name.3`
//! from an earlier, larger session is ignored instead of appended. The count itself is not
//! authenticated and does not need to be: the joined value is opened as one AEAD ciphertext
//! whose tag covers every byte, so a missing, reordered, truncated or foreign chunk (a chunk of
//! another value, another user's, or an older one of the same user), or a wrong count, all give
//! a value that does not authenticate: no session. The only joins that open are the ones whose
//! concatenation is exactly a value the server sealed.
//!
//! # Bounds
//! Before anything is allocated for them: the count is one digit checked against the cap; each
//! chunk's raw text is checked against what one cookie can hold; the joined length is checked
//! against the sealer's limit before the join allocates. The `Cookie` headers read are bounded
//! by [`MAX_COOKIE_HEADER_BYTES`](super::cookie_header::MAX_COOKIE_HEADER_BYTES) as for unchunked cookies.

use std::borrow::Cow;
use std::ops::ControlFlow;

use super::cookie_header::{decode_value, for_each_cookie, MAX_CANDIDATES};
use crate::error::WriteError;
use crate::sealer::MAX_COOKIE_SIZE;

/// The most cookies one session may be split over (the first cookie and eight chunk cookies).
/// Nine full cookies are about 36 KiB of `Cookie` header on every request: past that, server
/// header limits (often 8 to 16 KiB per header) fail first, and a server-side store is the
/// better tool.
pub const MAX_CHUNKS: usize = 9;

/// Bytes of the `<n>.` prefix of a chunked first cookie.
const PREFIX_LEN: usize = 2;

/// The name of chunk cookie `index` (1-based; index 0 is the session cookie itself).
pub(crate) fn chunk_name(name: &str, index: usize) -> String {
    format!("{name}.{index}")
}

/// Split a percent-encoded cookie value over as few cookies as it needs, each at most
/// [`MAX_COOKIE_SIZE`] bytes of name plus value. Returns `(cookie name, cookie value)` pairs,
/// the session cookie first; a value that fits one cookie comes back alone and unframed.
///
/// Splits never fall inside a `%XX` escape, so each chunk decodes on its own.
pub(crate) fn split(
    name: &str,
    encoded: &str,
    max_chunks: usize,
) -> Result<Vec<(String, String)>, WriteError> {
    if name.len() + encoded.len() <= MAX_COOKIE_SIZE {
        return Ok(vec![(name.to_owned(), encoded.to_owned())]);
    }
    // The first cookie carries the 2-byte prefix, the others a 2-byte `.k` suffix on the name:
    // every cookie has the same room for its part.
    let room = MAX_COOKIE_SIZE.saturating_sub(name.len() + PREFIX_LEN);
    let too_large = || WriteError::TooManyChunks {
        size: name.len() + encoded.len(),
        max_chunks,
        room,
    };
    // Cheap refusal before building anything (escapes may cost up to 2 bytes more per cookie).
    if max_chunks < 2 || room < 3 || encoded.len() > max_chunks.saturating_mul(room) {
        return Err(too_large());
    }
    let bytes = encoded.as_bytes();
    let mut parts = Vec::with_capacity(max_chunks);
    let mut start = 0;
    while start < bytes.len() {
        if parts.len() == max_chunks {
            return Err(too_large());
        }
        let mut end = (start + room).min(bytes.len());
        if end < bytes.len() {
            // Do not cut `%XX` in two.
            if bytes[end - 1] == b'%' {
                end -= 1;
            } else if end >= 2 && bytes[end - 2] == b'%' {
                end -= 2;
            }
        }
        parts.push(&encoded[start..end]);
        start = end;
    }
    let count = parts.len();
    Ok(parts
        .into_iter()
        .enumerate()
        .map(|(index, part)| {
            if index == 0 {
                (name.to_owned(), format!("{count}.{part}"))
            } else {
                (chunk_name(name, index), part.to_owned())
            }
        })
        .collect())
}

/// At most this many framed first cookies (`name=<n>.…`) are joined with their chunks per
/// request, whatever they then open to: each join copies up to the sealer's whole limit, so
/// this bounds the work a request full of planted first cookies can cause.
pub(crate) const MAX_JOINS: usize = 2 * MAX_CANDIDATES;

/// What a request carried for a chunked session cookie.
#[derive(Debug, Default)]
pub(crate) struct Incoming {
    /// The values of the cookies named exactly `name`, percent-decoded, in the order sent.
    firsts: Vec<String>,
    /// `chunks[k]`: the first cookie named exactly `name.k` (k in 1..MAX_CHUNKS), decoded.
    chunks: [Option<String>; MAX_CHUNKS],
    /// One more than the highest chunk index (`name.k`) the request carried, 0 when it carried
    /// none: the chunk cookies a response may have to expire.
    pub(crate) chunk_cookies: usize,
}

/// Read the session cookie and its chunk cookies from `headers`, by the byte-for-byte name rule
/// of [`super::cookie_header`]. Cookies larger than one cookie can be, and values that are not
/// UTF-8 once decoded, are dropped here; joining waits for [`Incoming::values`].
pub(crate) fn read<'a>(
    headers: impl IntoIterator<Item = &'a [u8]>,
    name: &str,
    max_chunks: usize,
) -> Incoming {
    let mut incoming = Incoming::default();
    for_each_cookie(headers, name, |raw_name, raw_value| {
        let index = if raw_name == name.as_bytes() {
            0
        } else if let Some(index) = chunk_index(name, raw_name) {
            incoming.chunk_cookies = incoming.chunk_cookies.max(index + 1);
            if index >= max_chunks {
                return ControlFlow::Continue(());
            }
            index
        } else {
            return ControlFlow::Continue(());
        };
        // A cookie of ours is at most MAX_COOKIE_SIZE bytes, name included, as sent.
        if raw_name.len() + raw_value.len() > MAX_COOKIE_SIZE {
            tracing::warn!(
                cookie = name,
                chunk = index,
                len = raw_value.len(),
                "session cookie longer than any cookie this server writes; ignored"
            );
            return ControlFlow::Continue(());
        }
        let Some(value) = decode_value(raw_value) else {
            return ControlFlow::Continue(());
        };
        if index == 0 {
            if !value.is_empty() {
                incoming.firsts.push(value.into_owned());
            }
        } else if let Some(slot) = incoming.chunks.get_mut(index) {
            if slot.is_none() {
                *slot = Some(value.into_owned());
            }
        }
        ControlFlow::Continue(())
    });
    incoming
}

impl Incoming {
    /// Whether the request carried any cookie named exactly `name`.
    pub(crate) fn has_first(&self) -> bool {
        !self.firsts.is_empty()
    }

    /// The whole values to try opening, in the order their first cookies were sent: each first
    /// cookie joined with the chunks its prefix asks for, or as it is when unframed. A join that
    /// cannot work (a count over `max_chunks`, a missing chunk, a joined length over
    /// `max_value_len`) comes as `Err` with the reason; after [`MAX_JOINS`] joins the rest of
    /// the framed cookies are skipped.
    pub(crate) fn values(
        &self,
        max_chunks: usize,
        max_value_len: usize,
    ) -> impl Iterator<Item = Result<Cow<'_, str>, &'static str>> + '_ {
        let mut joins = 0;
        self.firsts.iter().filter_map(move |first| {
            if !is_framed(first) {
                return Some(Ok(Cow::Borrowed(first.as_str())));
            }
            if joins == MAX_JOINS {
                return None;
            }
            let joined = join(first, &self.chunks, max_chunks, max_value_len);
            if joined.is_ok() {
                joins += 1;
            }
            Some(joined.map(Cow::Owned))
        })
    }
}

/// The chunk index `k` of a cookie named exactly `name.k`, for `k` in `1..MAX_CHUNKS` written as
/// one digit.
fn chunk_index(name: &str, cookie_name: &[u8]) -> Option<usize> {
    let rest = cookie_name
        .strip_prefix(name.as_bytes())?
        .strip_prefix(b".")?;
    match rest {
        [digit @ b'1'..=b'9'] => {
            let index = usize::from(digit - b'0');
            (index < MAX_CHUNKS).then_some(index)
        }
        _ => None,
    }
}

/// Whether a first cookie's value is framed (`<n>.`), that is, the start of a chunked value.
fn is_framed(first: &str) -> bool {
    matches!(first.as_bytes(), [b'0'..=b'9', b'.', ..])
}

/// Join a framed first cookie with the chunks its prefix asks for.
fn join(
    first: &str,
    chunks: &[Option<String>; MAX_CHUNKS],
    max_chunks: usize,
    max_value_len: usize,
) -> Result<String, &'static str> {
    let count = match first.as_bytes() {
        [digit @ b'0'..=b'9', b'.', ..] => usize::from(digit - b'0'),
        _ => return Err("not a chunked value"),
    };
    if count < 2 || count > max_chunks {
        return Err("chunk count out of range");
    }
    let part0 = first.get(PREFIX_LEN..).unwrap_or_default();
    let mut total = part0.len();
    for index in 1..count {
        match chunks.get(index).and_then(Option::as_ref) {
            Some(chunk) => total = total.saturating_add(chunk.len()),
            None => return Err("a chunk cookie is missing"),
        }
    }
    if total > max_value_len {
        return Err("joined value longer than the sealer opens");
    }
    let mut value = String::with_capacity(total);
    value.push_str(part0);
    for chunk in chunks.iter().take(count).skip(1).flatten() {
        value.push_str(chunk);
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cookie_layer::cookie_header::cookie_headers;
    use http::header::COOKIE;
    use http::{HeaderMap, HeaderValue};

    fn headers(cookies: &[(String, String)]) -> HeaderMap {
        let line = cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_str(&line).unwrap());
        headers
    }

    #[test]
    fn small_values_stay_one_unframed_cookie() {
        let parts = split("session", "abc", 4).unwrap();
        assert_eq!(parts, [("session".to_owned(), "abc".to_owned())]);
    }

    #[test]
    fn large_values_split_within_the_cookie_limit_and_join_back() {
        let value = "x".repeat(10_000);
        let parts = split("session", &value, 4).unwrap();
        assert_eq!(parts.len(), 3);
        assert!(parts
            .iter()
            .all(|(n, v)| n.len() + v.len() <= MAX_COOKIE_SIZE));
        assert_eq!(parts[0].1.as_bytes()[..2], *b"3.");
        assert_eq!(parts[1].0, "session.1");
        let request = headers(&parts);
        let incoming = read(cookie_headers(&request), "session", 4);
        let joined: Vec<_> = incoming.values(4, 64 * 1024).collect();
        assert_eq!(joined, [Ok(value.into())]);
        assert_eq!(incoming.chunk_cookies, 3);
    }

    #[test]
    fn splits_never_cut_an_escape() {
        let value = "%3B".repeat(3_000);
        for (_, part) in split("s", &value, 4).unwrap() {
            let part = part.split_once('.').map_or(part.as_str(), |(_, p)| p);
            assert_eq!(part.len() % 3, 0, "escape cut: {part:.10}...");
        }
    }

    #[test]
    fn too_many_chunks_is_an_error_naming_the_numbers() {
        let err = split("session", &"x".repeat(20_000), 3).unwrap_err();
        let WriteError::TooManyChunks {
            size,
            max_chunks,
            room,
        } = err
        else {
            panic!("wrong error {err:?}");
        };
        assert_eq!((size, max_chunks, room), (20_007, 3, 4096 - 9));
    }

    #[test]
    fn chunk_names_are_one_digit_under_the_cap() {
        assert_eq!(chunk_index("s", b"s.1"), Some(1));
        assert_eq!(chunk_index("s", b"s.8"), Some(8));
        for bad in [
            "s.0", "s.9", "s.10", "s.", "s", "s.01", "t.1", "s.1x", "s.-1", "s%2E1", "S.1", "s .1",
        ] {
            assert_eq!(chunk_index("s", bad.as_bytes()), None, "{bad}");
        }
    }
}
