//! HTTP helpers with no framework: find and open the session cookie in an [`http::HeaderMap`],
//! and write the `Set-Cookie` values a response needs. The axum layer is a thin wrapper over
//! these; any framework built on the `http` types can call them directly.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;
use std::ops::ControlFlow;
use std::sync::Arc;

use http::header::SET_COOKIE;
use http::{HeaderMap, HeaderValue};
use percent_encoding::{AsciiSet, CONTROLS};

use super::chunk::{self, MAX_CHUNKS};
use super::cookie_header::{for_each_value, MAX_CANDIDATES};
use crate::cookie_expiry::CookieExpiry;
use crate::entries::Entries;
use crate::error::{ConfigError, OpenError, SealError, WriteError};
use crate::sealer::MAX_COOKIE_SIZE;
use crate::session::{Session, WritePlan};
use crate::session_sealer::{OpenedSession, SealedSession, SessionSealer};

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

/// The session cookie: a [`SessionSealer`] and the attributes of the cookie it writes.
///
/// Defaults: `HttpOnly`, `Secure`, `SameSite=Lax`, `Path=/`, no `Domain`, no `Max-Age`
/// (a browser-session cookie; the sealed deadline applies regardless). A cookie name that
/// begins with `__Host-` forces `Secure`, `Path=/` and no `Domain`, as browsers require; one
/// that begins with `__Secure-` forces `Secure`. Both prefixes are recognised in any case
/// (`__host-`), as browsers recognise them.
///
/// # Example: sessions with nothing but the `http` types
/// ```
/// use http::{header, HeaderMap, HeaderValue};
/// use sealed_session::{Key, Sealer, SessionCookie};
///
/// let cookies = SessionCookie::new(Sealer::new(Key::generate()));
///
/// // First request: no cookie, so an empty session.
/// let session = cookies.load(&HeaderMap::new());
/// session.insert("user_id", 42u64)?;
/// let mut response = HeaderMap::new();
/// cookies.save(&session, &mut response);
/// let set_cookie = response[header::SET_COOKIE].to_str()?;
/// assert!(set_cookie.starts_with("__Host-session="));
/// assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("Secure"));
///
/// // Next request: the browser sends the cookie back.
/// let pair = set_cookie.split(';').next().unwrap();
/// let mut request = HeaderMap::new();
/// request.insert(header::COOKIE, HeaderValue::from_str(pair)?);
/// let session = cookies.load(&request);
/// assert_eq!(session.get::<u64>("user_id")?, Some(42));
///
/// // Reading alone sends no cookie.
/// assert!(cookies.set_cookie_values(&session)?.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct SessionCookie<S> {
    sealer: S,
    attributes: Arc<Attributes>,
}

#[derive(Debug, Clone)]
struct Attributes {
    http_only: bool,
    secure: bool,
    same_site: SameSite,
    path: String,
    domain: Option<String>,
    expiry: CookieExpiry,
    /// 1: no chunking.
    max_chunks: usize,
}

impl<S: SessionSealer> fmt::Debug for SessionCookie<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionCookie")
            .field("name", &self.sealer.name())
            .field("attributes", &self.attributes)
            .finish_non_exhaustive()
    }
}

impl<S: SessionSealer> From<S> for SessionCookie<S> {
    fn from(sealer: S) -> Self {
        Self::new(sealer)
    }
}

fn valid_attribute(value: &str) -> bool {
    value
        .bytes()
        .all(|b| (0x21..0x7f).contains(&b) && b != b';')
}

impl<S: SessionSealer> SessionCookie<S> {
    /// The session cookie of `sealer`, with the secure default attributes, in one cookie.
    ///
    /// # Panics
    /// If the sealer's limit (name plus value) is over the 4096 bytes browsers keep: such a
    /// cookie would be dropped by the browser without a word. Raise the limit only together
    /// with chunking ([`chunked`](Self::chunked)); [`try_new`](Self::try_new) returns the error
    /// instead.
    #[track_caller]
    #[allow(clippy::panic)] // a configuration mistake of the program, documented above
    pub fn new(sealer: S) -> Self {
        match Self::try_new(sealer) {
            Ok(cookies) => cookies,
            Err(e) => panic!("{e}"),
        }
    }

    /// [`new`](Self::new), with an error for a sealer whose limit browsers would not keep.
    pub fn try_new(sealer: S) -> Result<Self, ConfigError> {
        let size = sealer.name().len().saturating_add(sealer.max_value_len());
        if size > MAX_COOKIE_SIZE {
            return Err(ConfigError::CookieTooLarge {
                size,
                max: MAX_COOKIE_SIZE,
            });
        }
        Ok(Self::with_chunks(sealer, 1))
    }

    /// The session cookie of `sealer`, split over up to `max_chunks` cookies when it is too
    /// large for one: `name`, `name.1`, ... `name.<max_chunks - 1>`, each at most 4096 bytes.
    ///
    /// The sealer's own size limit still bounds the whole value: raise it to match, for
    /// example `Sealer::new(key).max_cookie_size(4 * MAX_COOKIE_SIZE)` with `max_chunks` 4.
    /// A session that shrinks has its leftover chunk cookies expired in the same response;
    /// destroying it expires every chunk cookie. A request whose chunks are missing, reordered,
    /// mixed from two values or too many opens no session (the joined value is authenticated
    /// as a whole). Sessions that fit one cookie are written without framing, so turning
    /// chunking on or off keeps small sessions working.
    ///
    /// # Warning
    /// Every chunk travels in the `Cookie` header of every request to the cookie's path. Many
    /// servers and proxies limit one header to 8 or 16 KiB (nginx: 8 KiB by default) and
    /// answer larger ones with an error: keep sessions small, and test the whole path before
    /// relying on more than two chunks.
    ///
    /// # Panics
    /// If `max_chunks` is 0 or over [`MAX_CHUNKS`](crate::MAX_CHUNKS): a constant of the
    /// program, not input. [`try_chunked`](Self::try_chunked) returns the error instead.
    ///
    /// # Example
    /// ```
    /// use http::{header, HeaderMap, HeaderValue};
    /// use sealed_session::{Key, Sealer, SessionCookie, MAX_COOKIE_SIZE};
    ///
    /// let sealer = Sealer::new(Key::generate()).max_cookie_size(3 * MAX_COOKIE_SIZE);
    /// let cookies = SessionCookie::chunked(sealer, 3);
    /// let session = cookies.load(&HeaderMap::new());
    /// session.insert("notes", "n".repeat(6_000))?;
    /// let set = cookies.set_cookie_values(&session)?;
    /// assert_eq!(set.len(), 2); // `__Host-session` and `__Host-session.1`
    ///
    /// // The browser sends both back; the session opens whole.
    /// let line = set
    ///     .iter()
    ///     .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
    ///     .collect::<Vec<_>>()
    ///     .join("; ");
    /// let mut request = HeaderMap::new();
    /// request.insert(header::COOKIE, HeaderValue::from_str(&line)?);
    /// assert_eq!(cookies.load(&request).get::<String>("notes")?.map(|n| n.len()), Some(6_000));
    ///
    /// // A sealer limit over 4096 bytes without chunking is refused: browsers would drop it.
    /// let big = Sealer::new(Key::generate()).max_cookie_size(3 * MAX_COOKIE_SIZE);
    /// assert!(SessionCookie::try_new(big).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[track_caller]
    #[allow(clippy::panic)] // a programmer's constant, documented above
    pub fn chunked(sealer: S, max_chunks: usize) -> Self {
        match Self::try_chunked(sealer, max_chunks) {
            Ok(cookies) => cookies,
            Err(e) => panic!("{e}"),
        }
    }

    /// [`chunked`](Self::chunked), with an error for a chunk count out of range.
    pub fn try_chunked(sealer: S, max_chunks: usize) -> Result<Self, ConfigError> {
        if !(1..=MAX_CHUNKS).contains(&max_chunks) {
            return Err(ConfigError::ChunkCount {
                max_chunks,
                max: MAX_CHUNKS,
            });
        }
        if max_chunks == 1 {
            return Self::try_new(sealer);
        }
        Ok(Self::with_chunks(sealer, max_chunks))
    }

    fn with_chunks(sealer: S, max_chunks: usize) -> Self {
        Self {
            sealer,
            attributes: Arc::new(Attributes {
                http_only: true,
                secure: true,
                same_site: SameSite::Lax,
                path: "/".to_owned(),
                domain: None,
                expiry: CookieExpiry::BrowserSession,
                max_chunks,
            }),
        }
    }

    fn attrs(&mut self) -> &mut Attributes {
        Arc::make_mut(&mut self.attributes)
    }

    /// The sealer.
    pub fn sealer(&self) -> &S {
        &self.sealer
    }

    /// The cookie name (the sealer's).
    pub fn name(&self) -> &str {
        self.sealer.name()
    }

    /// Send the cookie over plain `http://` too (no `Secure` attribute).
    ///
    /// # Warning
    /// Without `Secure` the sealed session travels in clear text wherever the site is reached
    /// over plain HTTP, and anyone on the path can copy it and replay it until it expires.
    /// Use it only for local development over `http://` on a host browsers do not treat as
    /// secure. Browsers treat `http://localhost` and `http://127.0.0.1` as secure contexts:
    /// Chromium keeps `Secure` cookies set over `http://127.0.0.1` (this crate's browser test
    /// checks it), so local development there does not need this. Ignored for names with the
    /// `__Host-` or `__Secure-` prefix.
    pub fn secure(mut self, secure: bool) -> Self {
        self.attrs().secure = secure;
        self
    }

    /// Let page scripts read the cookie (no `HttpOnly` attribute).
    ///
    /// # Warning
    /// Any script injected into the page (cross-site scripting) could then read the sealed
    /// session and replay it from elsewhere. The value is encrypted, so scripts learn nothing
    /// from it; there is no reason to expose it.
    pub fn http_only(mut self, http_only: bool) -> Self {
        self.attrs().http_only = http_only;
        self
    }

    /// The `SameSite` attribute; default [`SameSite::Lax`]. `SameSite::None` forces `Secure`,
    /// as browsers refuse it otherwise.
    ///
    /// # Warning
    /// [`SameSite::None`] sends the cookie with requests that other sites start, so every
    /// state-changing route then needs its own protection against cross-site request forgery.
    pub fn same_site(mut self, same_site: SameSite) -> Self {
        self.attrs().same_site = same_site;
        self
    }

    /// The `Path` attribute; default `/`. Ignored for `__Host-` names, which must use `/`.
    ///
    /// # Panics
    /// If `path` holds a character not allowed in a cookie attribute (controls, space, `;`,
    /// non-ASCII): it is a constant of the program, not input.
    #[track_caller]
    #[allow(clippy::panic)] // a programmer's constant, documented above
    pub fn path(mut self, path: &str) -> Self {
        if !valid_attribute(path) {
            panic!("invalid cookie Path {path:?}");
        }
        self.attrs().path = path.to_owned();
        self
    }

    /// The `Domain` attribute; default none (the cookie goes to the host that set it only).
    /// Ignored for `__Host-` names, which may not have one.
    ///
    /// # Warning
    /// With a `Domain`, every subdomain receives the cookie, including ones run by other
    /// people or apps: any of them can replay the session.
    ///
    /// # Panics
    /// If `domain` holds a character not allowed in a cookie attribute.
    #[track_caller]
    #[allow(clippy::panic)] // a programmer's constant, documented above
    pub fn domain(mut self, domain: &str) -> Self {
        if !valid_attribute(domain) {
            panic!("invalid cookie Domain {domain:?}");
        }
        self.attrs().domain = Some(domain.to_owned());
        self
    }

    /// How long the browser keeps the cookie; default [`CookieExpiry::BrowserSession`].
    /// [`Session::set_cookie_expiry`] overrides it for one response.
    pub fn expiry(mut self, expiry: CookieExpiry) -> Self {
        self.attrs().expiry = expiry;
        self
    }

    /// Shorthand for [`expiry`](Self::expiry)`(CookieExpiry::UntilSessionExpires)`: the cookie
    /// outlives browser restarts for as long as the session can open.
    pub fn persistent(self) -> Self {
        self.expiry(CookieExpiry::UntilSessionExpires)
    }

    /// The session for a request: opened from its cookie, or new and empty when there is no
    /// cookie or none opens. Never fails; each cookie that does not open is logged with the
    /// reason through `tracing` (`warn` for values that look tampered with or forged, `debug`
    /// for a plain missing, expired or revoked one).
    ///
    /// Cookies are matched by name byte for byte (see [`cookie_values`](crate::cookie_values)).
    /// When the request carries several cookies of the name, each is tried in the order sent,
    /// up to [`MAX_CANDIDATES`](crate::MAX_CANDIDATES) that reach the cipher, and the first
    /// that opens is the session. Browsers send the cookie with the longest `Path` first, then
    /// the oldest. If a second one opens too, someone else's valid session was planted beside
    /// this one (cookie tossing, from a sibling subdomain or a plain-HTTP page): it is logged at
    /// `warn`. A `__Host-` name (the default) makes that impossible in browsers.
    pub fn load(&self, headers: &HeaderMap) -> Session<S::Codec> {
        let name = self.sealer.name();
        let codec = self.sealer.session_codec().clone();
        let max_value_len = self.sealer.max_value_len();
        let mut attempt = Attempt::default();
        let mut chunk_cookies = 0;
        let mut had_cookie = false;
        if self.attributes.max_chunks > 1 {
            let incoming = chunk::read(headers, name, self.attributes.max_chunks);
            chunk_cookies = incoming.chunk_cookies;
            had_cookie = incoming.has_first();
            for value in incoming.values(self.attributes.max_chunks, max_value_len) {
                let tried = match value {
                    Ok(value) => attempt.try_open(&self.sealer, &value, max_value_len),
                    Err(reason) => {
                        attempt.refuse_join(name, reason);
                        ControlFlow::Continue(())
                    }
                };
                if tried.is_break() {
                    break;
                }
            }
        } else {
            for_each_value(headers, name, |value| {
                had_cookie = true;
                attempt.try_open(&self.sealer, &value, max_value_len)
            });
        }
        attempt.log_the_rest(name);
        if attempt.also_opened > 0 {
            tracing::warn!(
                cookie = name,
                also_opened = attempt.also_opened,
                "more than one cookie of the session's name opened; the first sent is used \
                 (possible cookie tossing: use a __Host- cookie name)"
            );
        }
        let session = match attempt.opened {
            Some(opened) => Session::from_opened(codec, opened),
            None if had_cookie || chunk_cookies > 0 => Session::after_unopened_cookie(codec),
            None => {
                tracing::debug!(cookie = name, "no session cookie; new session");
                Session::new(codec)
            }
        };
        session.set_request(chunk_cookies, attempt.now);
        session
    }

    /// The `Set-Cookie` values the response needs for `session`: none when nothing changed,
    /// an expired empty cookie when it was destroyed (or emptied, or has outlived its absolute
    /// lifetime), a freshly sealed cookie when it changed, came under a previous key, or its
    /// idle deadline is due to slide.
    ///
    /// This is the one place cookies are written; it returns a list so that a session can
    /// span several cookies.
    ///
    /// The time a new cookie is sealed at is the time [`load`](Self::load) checked the
    /// request's cookie, when the request had one, so that a request reads the clock once:
    /// the request's time, as with the session's other deadlines. Dating the cookie a little
    /// early is never more permissive (its idle and absolute deadlines come that much sooner,
    /// and no deadline is ever moved past the session's absolute lifetime).
    pub fn set_cookie_values(
        &self,
        session: &Session<S::Codec>,
    ) -> Result<Vec<HeaderValue>, WriteError> {
        self.set_cookies(session).map(SetCookies::into_vec)
    }

    /// [`set_cookie_values`](Self::set_cookie_values) without a vector for the usual one value.
    pub(crate) fn set_cookies(
        &self,
        session: &Session<S::Codec>,
    ) -> Result<SetCookies, WriteError> {
        session.write_plan(
            || self.sealer.now(),
            |plan, now, request_chunks| self.values_for(plan, now, request_chunks),
        )
    }

    /// The `Set-Cookie` values for `plan`, `request_chunks` being the chunk cookies the request
    /// carried.
    fn values_for(
        &self,
        plan: WritePlan<'_>,
        now: u64,
        request_chunks: usize,
    ) -> Result<SetCookies, WriteError> {
        let mut values = SetCookies::default();
        match plan {
            WritePlan::Nothing => {}
            WritePlan::Remove => {
                values.push(self.removal()?);
                // Destroying a chunked session expires every chunk cookie there may be.
                if self.attributes.max_chunks > 1 {
                    let all = MAX_CHUNKS.min(self.attributes.max_chunks.max(request_chunks));
                    for index in 1..all {
                        values.push(self.chunk_removal(index)?);
                    }
                }
            }
            WritePlan::Seal {
                entries,
                created_at,
                expiry,
            } => {
                let expiry = expiry.unwrap_or(self.attributes.expiry);
                let sealed = if self.attributes.max_chunks > 1 {
                    self.sealer
                        .seal_session(entries, created_at, now)
                        .map(Sealed::ToSplit)
                        .map_err(WriteError::from)
                } else {
                    self.sealed_line(entries, created_at, now, expiry)
                        .map(Sealed::Line)
                };
                let written = match sealed {
                    Ok(Sealed::Line(line)) => {
                        values.push(line);
                        1
                    }
                    Ok(Sealed::ToSplit(sealed)) => {
                        let max_age = max_age(expiry, sealed.expires_at, now);
                        let value = encode_value(&sealed.value);
                        let parts =
                            chunk::split(self.sealer.name(), &value, self.attributes.max_chunks)?;
                        let written = parts.len();
                        for (cookie_name, part) in parts {
                            values.push(self.set_cookie(&cookie_name, &part, max_age, false)?);
                        }
                        written
                    }
                    // Opened within the clock-skew leeway after its absolute deadline: the
                    // session is over and cannot be extended; the browser's copy goes too,
                    // chunk cookies included.
                    Err(WriteError::Seal(SealError::LifetimeExceeded { ended_at })) => {
                        tracing::debug!(
                            cookie = self.sealer.name(),
                            ended_at,
                            "session reached its absolute lifetime; cookie removed"
                        );
                        return self.values_for(WritePlan::Remove, now, request_chunks);
                    }
                    Err(e) => return Err(e),
                };
                // The session shrank: expire the chunk cookies the browser still holds.
                for index in written.max(1)..request_chunks.min(MAX_CHUNKS) {
                    values.push(self.chunk_removal(index)?);
                }
            }
        }
        Ok(values)
    }

    /// The one `Set-Cookie` value of a session that is not chunked, sealed straight into the
    /// line being written (no copy of the value).
    fn sealed_line(
        &self,
        entries: &Entries,
        created_at: u64,
        now: u64,
        expiry: CookieExpiry,
    ) -> Result<HeaderValue, WriteError> {
        with_line(|line| {
            let name = self.sealer.name();
            line.push_str(name);
            line.push('=');
            let start = line.len();
            let expires_at = self
                .sealer
                .seal_session_append(entries, created_at, now, line)?;
            // Never for this crate's base64url values; a `SessionSealer` may write others.
            if any_needs_escape(&line.as_bytes()[start..]) {
                let raw = line.split_off(start);
                line.push_str(&encode_value(&raw));
            }
            let size = line.len() - 1;
            let max = MAX_COOKIE_SIZE.max(name.len() + self.sealer.max_value_len());
            if size > max {
                return Err(WriteError::TooLarge { size, max });
            }
            self.push_attributes(line, name, max_age(expiry, expires_at, now), false);
            HeaderValue::from_bytes(line.as_bytes()).map_err(|_| WriteError::InvalidHeader)
        })
    }

    /// Append to `headers` the `Set-Cookie` values [`set_cookie_values`](Self::set_cookie_values)
    /// gives. If sealing fails, the error is logged at `error` level and no cookie is added:
    /// the response still goes out, and the browser keeps the cookie it had.
    pub fn save(&self, session: &Session<S::Codec>, headers: &mut HeaderMap) {
        match self.set_cookies(session) {
            Ok(values) => values.append_to(headers),
            Err(e) => tracing::error!(
                cookie = self.sealer.name(),
                error = %e,
                "session not saved; the response goes without a session cookie"
            ),
        }
    }

    /// The `Set-Cookie` value that removes the session cookie from the browser.
    pub fn removal(&self) -> Result<HeaderValue, WriteError> {
        self.set_cookie(self.sealer.name(), "", Some(0), true)
    }

    /// The `Set-Cookie` value that removes chunk cookie `name.<index>`.
    fn chunk_removal(&self, index: usize) -> Result<HeaderValue, WriteError> {
        let name = chunk::chunk_name(self.sealer.name(), index);
        self.set_cookie(&name, "", Some(0), true)
    }

    /// A `Set-Cookie` value for cookie `name` (the session cookie's own name, or one of its
    /// chunk cookies') holding `value` (already encoded), with the session cookie's attributes,
    /// a `Max-Age` when given, and an `Expires` at the Unix epoch when `expire`. Written in one
    /// pass into one buffer, in the attribute order of the `cookie` crate's `Set-Cookie`
    /// formatting: `HttpOnly`, `SameSite`, `Secure`, `Path`, `Domain`, `Max-Age`, `Expires`.
    fn set_cookie(
        &self,
        name: &str,
        value: &str,
        max_age: Option<u64>,
        expire: bool,
    ) -> Result<HeaderValue, WriteError> {
        let attrs = &*self.attributes;
        let mut line = String::with_capacity(
            name.len()
                + value.len()
                + attrs.path.len()
                + attrs.domain.as_ref().map_or(0, String::len)
                + SET_COOKIE_ROOM,
        );
        line.push_str(name);
        line.push('=');
        line.push_str(value);
        self.push_attributes(&mut line, name, max_age, expire);
        // Moved, not copied, into the header value; the name is the only part not checked
        // before (a `SessionSealer` other than `Sealer` may not check it).
        HeaderValue::try_from(line).map_err(|_| WriteError::InvalidHeader)
    }

    /// Append the session cookie's attributes for cookie `name` to a `Set-Cookie` line, with a
    /// `Max-Age` when given and an `Expires` at the Unix epoch when `expire`. In the attribute
    /// order of the `cookie` crate's `Set-Cookie` formatting: `HttpOnly`, `SameSite`, `Secure`,
    /// `Path`, `Domain`, `Max-Age`, `Expires`.
    fn push_attributes(&self, line: &mut String, name: &str, max_age: Option<u64>, expire: bool) {
        let attrs = &*self.attributes;
        let (host_prefix, secure_prefix) = name_prefix(name);
        let (path, domain) = if host_prefix {
            ("/", None)
        } else {
            (attrs.path.as_str(), attrs.domain.as_deref())
        };
        if attrs.http_only {
            line.push_str("; HttpOnly");
        }
        line.push_str(match attrs.same_site {
            SameSite::Strict => "; SameSite=Strict",
            SameSite::Lax => "; SameSite=Lax",
            SameSite::None => "; SameSite=None",
        });
        if attrs.secure || secure_prefix || attrs.same_site == SameSite::None {
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

/// A freshly sealed session: the finished `Set-Cookie` value of an unchunked cookie, or the
/// value still to be split over chunk cookies.
enum Sealed {
    Line(HeaderValue),
    ToSplit(SealedSession),
}

/// The `Max-Age` a sealed cookie gets: none for a browser-session cookie, else up to its
/// sealed deadline.
fn max_age(expiry: CookieExpiry, expires_at: u64, now: u64) -> Option<u64> {
    match expiry {
        CookieExpiry::BrowserSession => None,
        CookieExpiry::UntilSessionExpires => Some(expires_at.saturating_sub(now)),
        CookieExpiry::MaxAge(age) => Some(age.as_secs().min(expires_at.saturating_sub(now))),
    }
}

/// The `Set-Cookie` values of one response: none or one nearly always, so one needs no vector.
#[derive(Debug, Default)]
pub(crate) struct SetCookies {
    first: Option<HeaderValue>,
    rest: Vec<HeaderValue>,
}

impl SetCookies {
    fn push(&mut self, value: HeaderValue) {
        if self.first.is_none() {
            self.first = Some(value);
        } else {
            self.rest.push(value);
        }
    }

    fn into_vec(self) -> Vec<HeaderValue> {
        self.first.into_iter().chain(self.rest).collect()
    }

    /// Append each value to `headers` as a `Set-Cookie` header, in order.
    pub(crate) fn append_to(self, headers: &mut HeaderMap) {
        for value in self.first.into_iter().chain(self.rest) {
            headers.append(SET_COOKIE, value);
        }
    }
}

thread_local! {
    /// Per-thread buffer the one `Set-Cookie` line of a response is written in before it is
    /// copied, at its exact size, into the header value. It holds the sealed value and the
    /// attributes, nothing secret.
    static LINE: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Run `f` with an empty line buffer.
fn with_line<R>(f: impl FnOnce(&mut String) -> R) -> R {
    fn run<R>(line: &mut String, f: impl FnOnce(&mut String) -> R) -> R {
        line.clear();
        let out = f(line);
        line.clear();
        out
    }
    LINE.with(|cell| match cell.try_borrow_mut() {
        Ok(mut line) => run(&mut line, f),
        // Re-entered (a sealer that writes cookies while sealing): use a fresh buffer.
        Err(_) => run(&mut String::new(), f),
    })
}

/// Bytes of a `Set-Cookie` value beyond its name, value, path and domain, at most:
/// `; HttpOnly; SameSite=Strict; Secure; Path=; Domain=; Max-Age=<20 digits>; Expires=...`.
const SET_COOKIE_ROOM: usize = 128;

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
fn encode_value(value: &str) -> Cow<'_, str> {
    if any_needs_escape(value.as_bytes()) {
        percent_encoding::utf8_percent_encode(value, VALUE_ENCODE_SET).into()
    } else {
        Cow::Borrowed(value)
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

/// The cookies of one request tried against a sealer, in the order sent.
#[derive(Default)]
struct Attempt {
    /// The first that opened.
    opened: Option<OpenedSession>,
    /// How many more opened after it.
    also_opened: usize,
    /// Tries that reached the cipher: the work [`MAX_CANDIDATES`] bounds.
    deciphered: usize,
    /// Values that did not open (or chunked values that could not be joined). Only the first is
    /// logged with its reason, the rest in one line: a request can carry thousands of junk
    /// values, and one line each would let any client multiply the server's logs.
    refused: usize,
    /// Whether one of the refused values after the first looked tampered with or forged.
    suspicious: bool,
    /// The clock's reading, taken at the first try that needs it.
    now: Option<u64>,
}

impl Attempt {
    fn try_open<S: SessionSealer>(
        &mut self,
        sealer: &S,
        value: &str,
        max_value_len: usize,
    ) -> ControlFlow<()> {
        let result = if value.len() > max_value_len {
            Err(OpenError::TooLarge {
                len: value.len(),
                max: max_value_len,
            })
        } else {
            let now = *self.now.get_or_insert_with(|| sealer.now());
            sealer.open_session(value, now)
        };
        match result {
            Ok(session) => {
                self.deciphered += 1;
                if self.opened.is_none() {
                    self.opened = Some(session);
                } else {
                    self.also_opened += 1;
                }
            }
            Err(e) => {
                if e.reached_cipher() {
                    self.deciphered += 1;
                }
                let suspicious =
                    !matches!(e, OpenError::Expired { .. } | OpenError::Revoked { .. });
                if self.refused == 0 {
                    if suspicious {
                        tracing::warn!(cookie = sealer.name(), reason = %e, "session cookie did not open; new session");
                    } else {
                        tracing::debug!(cookie = sealer.name(), reason = %e, "session cookie did not open; new session");
                    }
                } else {
                    self.suspicious |= suspicious;
                }
                self.refused += 1;
            }
        }
        if self.deciphered == MAX_CANDIDATES {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }

    /// A chunked value that could not be joined (a missing chunk, a count out of range).
    fn refuse_join(&mut self, name: &str, reason: &'static str) {
        if self.refused == 0 {
            tracing::warn!(
                cookie = name,
                reason,
                "chunked session cookie refused; new session"
            );
        } else {
            self.suspicious = true;
        }
        self.refused += 1;
    }

    /// One line for the refused values after the first, if there were any.
    fn log_the_rest(&self, name: &str) {
        let more = self.refused.saturating_sub(1);
        if more == 0 {
            return;
        }
        if self.suspicious {
            tracing::warn!(
                cookie = name,
                more,
                "more cookies of the session's name did not open"
            );
        } else {
            tracing::debug!(
                cookie = name,
                more,
                "more cookies of the session's name did not open"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Key, Sealer};
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
    fn set_cookie_values_are_formatted_as_the_cookie_crate_formats_them() {
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
                for flags in 0..4 {
                    let mut cookies = SessionCookie::new(Sealer::new(Key::from_bytes([1; 32])))
                        .http_only(flags & 1 == 1)
                        .secure(flags & 2 == 2)
                        .same_site(same_site);
                    if i == 1 {
                        cookies = cookies.path("/app").domain("example.com");
                    }
                    for (value, max_age, expire) in [
                        ("v4lue", None, false),
                        ("v", Some(3600), false),
                        ("", Some(0), true),
                        ("v", Some(u64::MAX), false),
                    ] {
                        let ours = cookies.set_cookie(name, value, max_age, expire).unwrap();
                        assert_eq!(
                            ours.to_str().unwrap(),
                            formatted_by_cookie_crate(
                                &cookies.attributes,
                                name,
                                value,
                                max_age,
                                expire
                            )
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
