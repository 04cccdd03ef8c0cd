//! The session cookie helper, with no framework: find and open the session cookie in an
//! [`http::HeaderMap`], and decide and write the `Set-Cookie` values a response needs. The
//! axum layer is a thin wrapper over it; any framework built on the `http` types can call it
//! directly.

use std::fmt;
use std::ops::ControlFlow;
use std::sync::Arc;

use http::{HeaderMap, HeaderValue};

use super::chunk::{self, MAX_CHUNKS};
use super::cookie_header::{cookie_headers, for_each_value, MAX_CANDIDATES};
use super::set_cookie::{
    encode_in_place, encode_value, max_age, valid_attribute, Attributes, SameSite, SetCookies,
};
use crate::cookie_expiry::CookieExpiry;
use crate::entries::Entries;
use crate::error::{ConfigError, OpenError, SealError, TooLarge, WriteError};
use crate::sealer::{Sealer, MAX_COOKIE_SIZE};
use crate::session::{Limit, Session, WritePlan};
use crate::session_sealer::{OpenedSession, SealedSession, SessionSealer};

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
pub struct SessionCookie<S = Sealer> {
    sealer: S,
    attributes: Arc<Attributes>,
    /// How long the browser keeps the cookie, unless the session says otherwise.
    expiry: CookieExpiry,
    /// 1: no chunking.
    max_chunks: usize,
    /// The size check its sessions run on insert, when the sealer can tell a value's length.
    limit: Option<Limit>,
}

impl<S: SessionSealer> fmt::Debug for SessionCookie<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionCookie")
            .field("name", &self.sealer.name())
            .field("attributes", &self.attributes)
            .field("expiry", &self.expiry)
            .field("max_chunks", &self.max_chunks)
            .finish_non_exhaustive()
    }
}

impl<S: SessionSealer> From<S> for SessionCookie<S> {
    fn from(sealer: S) -> Self {
        Self::new(sealer)
    }
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
        let limit = size_limit(&sealer, max_chunks);
        Self {
            sealer,
            attributes: Arc::new(Attributes::default()),
            expiry: CookieExpiry::BrowserSession,
            max_chunks,
            limit,
        }
    }

    /// The session to serve instead of `session` when the application refused it (a
    /// validator that found it revoked): new and empty, and removing the request's cookie (and
    /// its chunks) when the response is written.
    pub fn refuse(&self, session: &Session<S::Codec>) -> Session<S::Codec> {
        session.refused()
    }

    /// The same cookie over the sealer `f` makes of this one (a changed lifetime, say). The
    /// size limit is worked out again; the name must stay the same.
    #[cfg(feature = "tower-sessions")]
    pub(crate) fn map_sealer(self, f: impl FnOnce(S) -> S) -> Self {
        let sealer = f(self.sealer);
        Self {
            limit: size_limit(&sealer, self.max_chunks),
            sealer,
            ..self
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

    /// The `Partitioned` attribute (CHIPS); default off. A partitioned cookie is kept apart for
    /// each top-level site that embeds this one, so a session in an embedded frame (a widget,
    /// a payment form) keeps working where browsers block third-party cookies, without being
    /// shared across the sites that embed it. It forces `Secure`, as browsers require.
    ///
    /// Only for an app that is embedded in other sites' pages: such an app also needs
    /// [`SameSite::None`] to receive the cookie in the frame, and with it protection against
    /// cross-site request forgery on every route that changes state.
    pub fn partitioned(mut self, partitioned: bool) -> Self {
        self.attrs().partitioned = partitioned;
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
        self.expiry = expiry;
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
    /// A cookie is the session's when its name, as sent, is byte for byte the configured one:
    /// only spaces and tabs around it are trimmed, and it is never percent-decoded,
    /// Unicode-trimmed or case-folded (browsers apply the `__Host-` rules to the name as they
    /// store it, so a looser match would let an unprotected look-alike in). At most 64 KiB of
    /// `Cookie` headers are read. When the request carries several cookies of the name, each
    /// is tried in the order sent, up to 4 that reach the cipher (values refused before it,
    /// such as junk or an unknown key id, do not count), and the first
    /// that opens is the session. Browsers send the cookie with the longest `Path` first, then
    /// the oldest. If a second one opens too, someone else's valid session was planted beside
    /// this one (cookie tossing, from a sibling subdomain or a plain-HTTP page): it is logged at
    /// `warn`. A `__Host-` name (the default) makes that impossible in browsers.
    pub fn load(&self, headers: &HeaderMap) -> Session<S::Codec> {
        self.load_from(cookie_headers(headers))
    }

    /// [`load`](Self::load) from the raw bytes of the request's `Cookie` headers, in the order
    /// received: for frameworks whose header types are not `http` 1's (actix-web and Rocket use
    /// `http` 0.2), or that hand out raw headers.
    ///
    /// ```
    /// use sealed_session::{Key, Sealer, SessionCookie};
    ///
    /// let cookies = SessionCookie::new(Sealer::new(Key::generate()));
    /// let session = cookies.load_from([&b"theme=dark"[..]]);
    /// session.insert("n", 1u32)?;
    /// let lines: Vec<String> = cookies.set_cookie_lines(&session)?;
    /// let pair = lines[0].split(';').next().unwrap();
    /// assert_eq!(cookies.load_from([pair.as_bytes()]).get::<u32>("n")?, Some(1));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn load_from<'a>(
        &self,
        cookie_headers: impl IntoIterator<Item = &'a [u8]>,
    ) -> Session<S::Codec> {
        let name = self.sealer.name();
        let codec = self.sealer.session_codec().clone();
        let max_value_len = self.sealer.max_value_len();
        let mut attempt = Attempt::default();
        let mut chunk_cookies = 0;
        let mut had_cookie = false;
        if self.max_chunks > 1 {
            let incoming = chunk::read(cookie_headers, name, self.max_chunks);
            chunk_cookies = incoming.chunk_cookies;
            had_cookie = incoming.has_first();
            for value in incoming.values(self.max_chunks, max_value_len) {
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
            for_each_value(cookie_headers, name, |value| {
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
        session.set_request(chunk_cookies, attempt.now, self.limit);
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

    /// [`set_cookie_values`](Self::set_cookie_values) as text, one `Set-Cookie` line each (the
    /// header's value, without `Set-Cookie: `): for frameworks whose header types are not
    /// `http` 1's. Every line is visible ASCII.
    pub fn set_cookie_lines(&self, session: &Session<S::Codec>) -> Result<Vec<String>, WriteError> {
        let values = self.set_cookies(session)?.into_vec();
        values
            .iter()
            .map(|value| {
                value
                    .to_str()
                    .map(str::to_owned)
                    .map_err(|_| WriteError::InvalidHeader)
            })
            .collect()
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
                if self.max_chunks > 1 {
                    let all = MAX_CHUNKS.min(self.max_chunks.max(request_chunks));
                    for index in 1..all {
                        values.push(self.chunk_removal(index)?);
                    }
                }
            }
            WritePlan::Seal {
                entries,
                created_at,
                expiry: chosen,
            } => {
                // The session's own choice is sealed with it, so that it outlives this
                // response; the layer's default applies where it made none.
                let expiry = chosen.unwrap_or(self.expiry);
                let sealed = if self.max_chunks > 1 {
                    self.sealer
                        .seal_session(entries, created_at, chosen, now)
                        .map(Sealed::ToSplit)
                        .map_err(WriteError::from)
                } else {
                    self.sealed_line(entries, created_at, chosen, now)
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
                        let parts = chunk::split(self.sealer.name(), &value, self.max_chunks)?;
                        let written = parts.len();
                        for (cookie_name, part) in parts {
                            values.push(self.attributes.line_with(
                                &cookie_name,
                                &part,
                                max_age,
                                false,
                            )?);
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
        chosen: Option<CookieExpiry>,
        now: u64,
    ) -> Result<HeaderValue, WriteError> {
        let name = self.sealer.name();
        let expiry = chosen.unwrap_or(self.expiry);
        self.attributes.line(
            name,
            |line| {
                let start = line.len();
                let expires_at = self
                    .sealer
                    .seal_session_append(entries, created_at, chosen, now, line)?;
                encode_in_place(line, start);
                let size = line.len() - 1;
                let max = MAX_COOKIE_SIZE.max(name.len() + self.sealer.max_value_len());
                if size > max {
                    return Err(SealError::TooLarge(TooLarge::new(size, max)).into());
                }
                Ok(max_age(expiry, expires_at, now))
            },
            false,
        )
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
        self.attributes
            .line_with(self.sealer.name(), "", Some(0), true)
    }

    /// The `Set-Cookie` value that removes chunk cookie `name.<index>`.
    fn chunk_removal(&self, index: usize) -> Result<HeaderValue, WriteError> {
        let name = chunk::chunk_name(self.sealer.name(), index);
        self.attributes.line_with(&name, "", Some(0), true)
    }
}

/// The check a session of `sealer` runs on insert: the longest value its cookie (or, with
/// chunking, its cookies) can carry, against the value `sealer` would write for the session's
/// entries. `None` when the sealer cannot tell a value's length without sealing.
fn size_limit<S: SessionSealer>(sealer: &S, max_chunks: usize) -> Option<Limit> {
    S::value_len(0)?;
    let name = sealer.name().len();
    let carried = if max_chunks > 1 {
        // Each cookie holds a part of `MAX_COOKIE_SIZE` less its name and the 2 bytes of its
        // `<n>.` prefix or `.k` suffix.
        max_chunks.saturating_mul(MAX_COOKIE_SIZE.saturating_sub(name + 2))
    } else {
        MAX_COOKIE_SIZE.saturating_sub(name)
    };
    Some(Limit {
        name_len: name,
        max_value_len: carried.min(sealer.max_value_len()),
        value_len: S::value_len,
    })
}

/// A freshly sealed session: the finished `Set-Cookie` value of an unchunked cookie, or the
/// value still to be split over chunk cookies.
enum Sealed {
    Line(HeaderValue),
    ToSplit(SealedSession),
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
