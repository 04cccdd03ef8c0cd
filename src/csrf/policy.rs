//! The decision: from what a request says of itself (method, `Sec-Fetch-Site`, `Origin`,
//! `Host`, where its token is), whether it may pass, must be refused, or must show the
//! session's token. Plain bytes in, a verdict out: no framework, no session.

use std::fmt;

use super::origin::{trim, HostParts, Origin, OriginParts};
use crate::error::ConfigError;

/// The rules of cross-site request forgery protection, with no framework:
/// [`CsrfLayer`](crate::CsrfLayer) applies them to every axum request, and
/// [`check`](Self::check) applies them to the plain facts of any other.
///
/// In order, for a request whose method is not `GET`, `HEAD` or `OPTIONS` (those pass
/// untouched, so they must not change state):
///
/// 1. **Fetch Metadata.** `Sec-Fetch-Site: same-origin` or `none` (the user typed the address
///    or used a bookmark) passes. `cross-site` is refused, and so is `same-site` (a sibling
///    subdomain) unless [`allow_same_site`](Self::allow_same_site), except from a
///    [trusted origin](Self::trusted_origin). Any other value is refused. Every browser
///    released since 2023 sends the header; scripts cannot set it.
/// 2. **`Origin`**, for browsers without Fetch Metadata: it passes if it is the request's own
///    origin (its `Host`, or the [configured one](Self::app_origin)) or a trusted one, and is
///    refused otherwise; `Origin: null` (sandboxed frames, some redirects) is refused.
/// 3. **The synchronizer token**, for clients that send neither header (old browsers, scripts,
///    `curl`): the request must carry the session's [`CsrfToken`](crate::CsrfToken), in the `x-csrf-token`
///    header or the `csrf_token` field of a URL-encoded form body, never the query string.
///
/// A valid token does not let a request through that step 1 or 2 refused: the token is for
/// clients without those headers, and a browser that says "cross-site" is believed.
/// A header that must appear once and appears more often is refused.
///
/// # Example
/// ```
/// use sealed_session::{CsrfCheck, CsrfPolicy, CsrfRefusal, CsrfRequest};
///
/// let policy = CsrfPolicy::new().trusted_origin("https://admin.example.com");
/// let post = |site: &'static [u8], origin: &'static [u8]| {
///     CsrfRequest::new(b"POST")
///         .sec_fetch_site([site])
///         .origin([origin])
///         .host([&b"app.example.com"[..]])
/// };
/// let check = |request| policy.check(&request);
/// assert_eq!(check(post(b"same-origin", b"https://app.example.com")), CsrfCheck::Allow);
/// assert_eq!(
///     check(post(b"cross-site", b"https://evil.example")),
///     CsrfCheck::Refuse(CsrfRefusal::CrossSite)
/// );
/// assert_eq!(check(post(b"same-site", b"https://admin.example.com")), CsrfCheck::Allow);
/// // No Fetch Metadata, no Origin: the session's token decides.
/// assert_eq!(
///     policy.check(&CsrfRequest::new(b"POST").token_header([&b"t0ken"[..]])),
///     CsrfCheck::VerifyToken(b"t0ken")
/// );
/// ```
#[derive(Debug, Clone, Default)]
pub struct CsrfPolicy {
    trusted: Vec<Origin>,
    app_origin: Option<Origin>,
    allow_same_site: bool,
}

impl CsrfPolicy {
    /// The default rules: same-origin requests pass, same-site and cross-site ones are
    /// refused, no origin is trusted, and the request's own origin is read from its `Host`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Let requests from `origin` (`https://admin.example.com`, as browsers write it, or with
    /// one trailing `/`) through even when the browser marks them `same-site` or `cross-site`.
    ///
    /// # Panics
    /// If `origin` is not an origin (see [`ConfigError::InvalidOrigin`]); use
    /// [`try_trusted_origin`](Self::try_trusted_origin) for origins from outside the program.
    #[track_caller]
    #[allow(clippy::panic)] // a programmer's constant, documented above; try_trusted_origin for input
    pub fn trusted_origin(self, origin: &str) -> Self {
        match self.try_trusted_origin(origin) {
            Ok(policy) => policy,
            Err(e) => panic!("{e}"),
        }
    }

    /// A trusted origin, refusing one that is not an origin with an error.
    pub fn try_trusted_origin(mut self, origin: &str) -> Result<Self, ConfigError> {
        self.trusted.push(Origin::from_config(origin)?);
        Ok(self)
    }

    /// The application's own origin (`https://app.example.com`): an `Origin` header is
    /// compared with it instead of with the request's `Host` and scheme. Set it when a proxy
    /// in front of the app rewrites `Host`, or to tell `http://` from `https://` on a server
    /// that does not know which one the client used.
    ///
    /// # Panics
    /// If `origin` is not an origin (see [`ConfigError::InvalidOrigin`]); use
    /// [`try_app_origin`](Self::try_app_origin) for origins from outside the program.
    #[track_caller]
    #[allow(clippy::panic)] // a programmer's constant, documented above; try_app_origin for input
    pub fn app_origin(self, origin: &str) -> Self {
        match self.try_app_origin(origin) {
            Ok(policy) => policy,
            Err(e) => panic!("{e}"),
        }
    }

    /// The application's own origin, refusing one that is not an origin with an error.
    pub fn try_app_origin(mut self, origin: &str) -> Result<Self, ConfigError> {
        self.app_origin = Some(Origin::from_config(origin)?);
        Ok(self)
    }

    /// Let requests the browser marks `Sec-Fetch-Site: same-site` through (refused by
    /// default).
    ///
    /// # Warning
    /// A site is a registrable domain and its subdomains, over either scheme: with this on,
    /// any page on any subdomain of the application's domain, including one served over plain
    /// HTTP or one that hosts user content, can make the user's browser send these requests.
    /// Prefer naming the subdomains that need it with [`trusted_origin`](Self::trusted_origin).
    pub fn allow_same_site(mut self, allow: bool) -> Self {
        self.allow_same_site = allow;
        self
    }

    /// What to do with `request`.
    pub fn check<'a>(&self, request: &CsrfRequest<'a>) -> CsrfCheck<'a> {
        if is_safe(request.method) {
            return CsrfCheck::Allow;
        }
        match request.sec_fetch_site {
            Field::Repeated => CsrfCheck::Refuse(CsrfRefusal::RepeatedHeader),
            Field::One(site) => self.check_fetch_site(trim(site), request.origin),
            Field::Absent => match request.origin {
                Field::Repeated => CsrfCheck::Refuse(CsrfRefusal::RepeatedHeader),
                Field::One(origin) => self.check_origin(origin, request),
                Field::Absent => check_token(request),
            },
        }
    }

    fn check_fetch_site<'a>(&self, site: &[u8], origin: Field<'_>) -> CsrfCheck<'a> {
        let refusal = match FetchSite::parse(site) {
            Some(FetchSite::SameOrigin | FetchSite::None) => return CsrfCheck::Allow,
            Some(FetchSite::SameSite) if self.allow_same_site => return CsrfCheck::Allow,
            Some(FetchSite::SameSite) => CsrfRefusal::SameSite,
            Some(FetchSite::CrossSite) => CsrfRefusal::CrossSite,
            // A value this policy does not know means nothing it can trust.
            None => return CsrfCheck::Refuse(CsrfRefusal::UnknownFetchSite),
        };
        match origin {
            Field::One(origin) if self.is_trusted(origin) => CsrfCheck::Allow,
            _ => CsrfCheck::Refuse(refusal),
        }
    }

    fn check_origin<'a>(&self, origin: &[u8], request: &CsrfRequest<'_>) -> CsrfCheck<'a> {
        let Some(parsed) = OriginParts::parse(origin) else {
            return CsrfCheck::Refuse(if trim(origin) == b"null" {
                CsrfRefusal::OpaqueOrigin
            } else {
                CsrfRefusal::MalformedOrigin
            });
        };
        let own = match (&self.app_origin, request.host) {
            (Some(app), _) => parsed.is(app),
            (None, Field::One(host)) => {
                HostParts::parse(host).is_some_and(|host| parsed.is_host(&host, request.scheme))
            }
            // No Host, or several: the request's own origin is unknown.
            (None, _) => false,
        };
        if own || self.trusted.iter().any(|trusted| parsed.is(trusted)) {
            CsrfCheck::Allow
        } else {
            CsrfCheck::Refuse(CsrfRefusal::UntrustedOrigin)
        }
    }

    fn is_trusted(&self, origin: &[u8]) -> bool {
        OriginParts::parse(origin)
            .is_some_and(|origin| self.trusted.iter().any(|trusted| origin.is(trusted)))
    }
}

/// The values of `Sec-Fetch-Site` (Fetch Metadata Request Headers, W3C).
enum FetchSite {
    SameOrigin,
    SameSite,
    CrossSite,
    /// The user started the request (typed the address, used a bookmark).
    None,
}

impl FetchSite {
    /// `value` as one of the four, in any case (only a client other than a browser writes
    /// another case, and it could write any value).
    fn parse(value: &[u8]) -> Option<Self> {
        [
            (&b"same-origin"[..], Self::SameOrigin),
            (b"same-site", Self::SameSite),
            (b"cross-site", Self::CrossSite),
            (b"none", Self::None),
        ]
        .into_iter()
        .find_map(|(name, site)| value.eq_ignore_ascii_case(name).then_some(site))
    }
}

/// Where the token of a request with neither Fetch Metadata nor `Origin` is to be found.
fn check_token<'a>(request: &CsrfRequest<'a>) -> CsrfCheck<'a> {
    match request.token_header {
        Field::One(token) => CsrfCheck::VerifyToken(token),
        Field::Repeated => CsrfCheck::Refuse(CsrfRefusal::RepeatedHeader),
        Field::Absent => match request.content_type {
            Field::One(content_type) if is_form(content_type) => CsrfCheck::VerifyForm,
            _ => CsrfCheck::Refuse(CsrfRefusal::MissingToken),
        },
    }
}

/// The methods that pass untouched. Methods are case-sensitive (RFC 9110): `get` is some
/// other method, and so is checked.
fn is_safe(method: &[u8]) -> bool {
    matches!(method, b"GET" | b"HEAD" | b"OPTIONS")
}

/// Whether `content_type` is `application/x-www-form-urlencoded`, with any parameters.
fn is_form(content_type: &[u8]) -> bool {
    let essence = content_type
        .split(|&b| b == b';')
        .next()
        .map(trim)
        .unwrap_or_default();
    essence.eq_ignore_ascii_case(b"application/x-www-form-urlencoded")
}

/// What a request says of itself, as plain bytes, for [`CsrfPolicy::check`]. Each header is
/// given as all of its values, in order: a header given more than once is told apart from one
/// given once. A header not set is absent.
///
/// # Example
/// ```
/// use sealed_session::http::{header, HeaderMap, Method};
/// use sealed_session::{CsrfCheck, CsrfPolicy, CsrfRequest};
///
/// let method = Method::POST;
/// let mut headers = HeaderMap::new();
/// headers.insert("sec-fetch-site", "cross-site".parse().unwrap());
/// let values = |name| headers.get_all(name).into_iter().map(|v| v.as_bytes());
/// let request = CsrfRequest::new(method.as_str().as_bytes())
///     .sec_fetch_site(values("sec-fetch-site"))
///     .origin(values(header::ORIGIN.as_str()))
///     .host(values(header::HOST.as_str()));
/// assert!(matches!(CsrfPolicy::new().check(&request), CsrfCheck::Refuse(_)));
/// ```
#[derive(Clone, Copy)]
pub struct CsrfRequest<'a> {
    method: &'a [u8],
    sec_fetch_site: Field<'a>,
    origin: Field<'a>,
    host: Field<'a>,
    scheme: Option<&'a [u8]>,
    token_header: Field<'a>,
    content_type: Field<'a>,
}

/// A header's values, as far as the policy cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field<'a> {
    Absent,
    One(&'a [u8]),
    Repeated,
}

impl<'a> Field<'a> {
    fn of(values: impl IntoIterator<Item = &'a [u8]>) -> Self {
        let mut values = values.into_iter();
        match (values.next(), values.next()) {
            (None, _) => Self::Absent,
            (Some(one), None) => Self::One(one),
            (Some(_), Some(_)) => Self::Repeated,
        }
    }
}

impl<'a> CsrfRequest<'a> {
    /// A request of `method` (as sent: `POST`), with no header set yet.
    pub fn new(method: &'a [u8]) -> Self {
        Self {
            method,
            sec_fetch_site: Field::Absent,
            origin: Field::Absent,
            host: Field::Absent,
            scheme: None,
            token_header: Field::Absent,
            content_type: Field::Absent,
        }
    }

    /// The values of `Sec-Fetch-Site`.
    pub fn sec_fetch_site(mut self, values: impl IntoIterator<Item = &'a [u8]>) -> Self {
        self.sec_fetch_site = Field::of(values);
        self
    }

    /// The values of `Origin`.
    pub fn origin(mut self, values: impl IntoIterator<Item = &'a [u8]>) -> Self {
        self.origin = Field::of(values);
        self
    }

    /// The values of `Host` (for HTTP/2 and HTTP/3, the `:authority`).
    pub fn host(mut self, values: impl IntoIterator<Item = &'a [u8]>) -> Self {
        self.host = Field::of(values);
        self
    }

    /// The scheme the request came by (`https`), where the server knows it (HTTP/2's
    /// `:scheme`); unknown by default.
    pub fn scheme(mut self, scheme: Option<&'a [u8]>) -> Self {
        self.scheme = scheme;
        self
    }

    /// The values of the token header, [`CsrfToken::HEADER`](crate::CsrfToken::HEADER).
    pub fn token_header(mut self, values: impl IntoIterator<Item = &'a [u8]>) -> Self {
        self.token_header = Field::of(values);
        self
    }

    /// The values of `Content-Type`.
    pub fn content_type(mut self, values: impl IntoIterator<Item = &'a [u8]>) -> Self {
        self.content_type = Field::of(values);
        self
    }
}

impl fmt::Debug for CsrfRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = |field: Field<'_>| match field {
            Field::Absent => "absent",
            Field::One(_) => "one",
            Field::Repeated => "repeated",
        };
        // The token header's value is the session's token: only whether it came is shown.
        f.debug_struct("CsrfRequest")
            .field("method", &String::from_utf8_lossy(self.method))
            .field("sec_fetch_site", &self.sec_fetch_site)
            .field("origin", &self.origin)
            .field("host", &self.host)
            .field("token_header", &shown(self.token_header))
            .finish_non_exhaustive()
    }
}

/// What [`CsrfPolicy::check`] says of a request.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum CsrfCheck<'a> {
    /// Let it through.
    Allow,
    /// Refuse it: answer `403 Forbidden`, and log the reason.
    Refuse(CsrfRefusal),
    /// The request carries neither Fetch Metadata nor `Origin`, and these bytes in the token
    /// header: it passes if [`CsrfToken::verify`](crate::CsrfToken::verify) accepts them, and is refused with
    /// [`CsrfRefusal::InvalidToken`] otherwise.
    VerifyToken(&'a [u8]),
    /// The request carries neither Fetch Metadata nor `Origin` nor a token header, and a
    /// URL-encoded form body: read the body up to a limit, find the token in it with
    /// [`CsrfToken::find_in_form`](crate::CsrfToken::find_in_form) and verify it as for [`VerifyToken`](Self::VerifyToken).
    VerifyForm,
}

impl fmt::Debug for CsrfCheck<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Allow => f.write_str("Allow"),
            Self::Refuse(refusal) => f.debug_tuple("Refuse").field(refusal).finish(),
            // A token, even a wrong one, is not written to logs.
            Self::VerifyToken(_) => f.write_str("VerifyToken(..)"),
            Self::VerifyForm => f.write_str("VerifyForm"),
        }
    }
}

/// Why a request was refused. For the server's logs, not for the client: every refusal answers
/// the same short `403`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CsrfRefusal {
    /// `Sec-Fetch-Site: cross-site`, from an origin that is not trusted.
    CrossSite,
    /// `Sec-Fetch-Site: same-site`, not allowed, from an origin that is not trusted.
    SameSite,
    /// A `Sec-Fetch-Site` value that is none of the four the standard defines.
    UnknownFetchSite,
    /// A header that must come once (`Sec-Fetch-Site`, `Origin`, the token header) came more
    /// than once.
    RepeatedHeader,
    /// `Origin: null`: the page that sent it has no origin to check (a sandboxed frame, a
    /// `data:` page, a redirect across origins).
    OpaqueOrigin,
    /// An `Origin` that is not `scheme://host[:port]`.
    MalformedOrigin,
    /// An `Origin` that is neither the request's own nor a trusted one.
    UntrustedOrigin,
    /// Neither Fetch Metadata, nor `Origin`, nor a token.
    MissingToken,
    /// A token that is not the session's (or a session with no token).
    InvalidToken,
}

impl fmt::Display for CsrfRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::CrossSite => "the browser marks the request cross-site",
            Self::SameSite => "the browser marks the request same-site, which is not allowed",
            Self::UnknownFetchSite => "unknown Sec-Fetch-Site value",
            Self::RepeatedHeader => "a header that must come once came more than once",
            Self::OpaqueOrigin => "Origin is null",
            Self::MalformedOrigin => "Origin is not scheme://host[:port]",
            Self::UntrustedOrigin => "Origin is neither the request's own nor trusted",
            Self::MissingToken => "no Sec-Fetch-Site, no Origin and no CSRF token",
            Self::InvalidToken => "the CSRF token is not the session's",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOST: &[u8] = b"127.0.0.1:3000";

    /// A POST to `HOST` with the given `Sec-Fetch-Site` and `Origin` values.
    fn post<'a>(sites: &[&'a [u8]], origins: &[&'a [u8]]) -> CsrfRequest<'a> {
        CsrfRequest::new(b"POST")
            .sec_fetch_site(sites.iter().copied())
            .origin(origins.iter().copied())
            .host([HOST])
    }

    fn refused(refusal: CsrfRefusal) -> CsrfCheck<'static> {
        CsrfCheck::Refuse(refusal)
    }

    #[test]
    fn safe_methods_pass_whatever_they_say() {
        let policy = CsrfPolicy::new();
        for method in [&b"GET"[..], b"HEAD", b"OPTIONS"] {
            let request = CsrfRequest::new(method)
                .sec_fetch_site([&b"cross-site"[..]])
                .origin([&b"null"[..]]);
            assert_eq!(policy.check(&request), CsrfCheck::Allow);
        }
    }

    #[test]
    fn every_other_method_is_checked_including_unknown_and_lower_case_ones() {
        let policy = CsrfPolicy::new();
        for method in [
            &b"POST"[..],
            b"PUT",
            b"PATCH",
            b"DELETE",
            b"get",
            b"PROPFIND",
            b"",
        ] {
            let request = CsrfRequest::new(method).sec_fetch_site([&b"cross-site"[..]]);
            assert_eq!(policy.check(&request), refused(CsrfRefusal::CrossSite));
        }
    }

    #[test]
    fn fetch_metadata_decides_when_present() {
        let policy = CsrfPolicy::new();
        let check = |site: &'static [u8]| policy.check(&post(&[site], &[b"https://evil.example"]));
        assert_eq!(check(b"same-origin"), CsrfCheck::Allow);
        assert_eq!(check(b"none"), CsrfCheck::Allow);
        assert_eq!(check(b"Same-Origin "), CsrfCheck::Allow);
        assert_eq!(check(b"same-site"), refused(CsrfRefusal::SameSite));
        assert_eq!(check(b"cross-site"), refused(CsrfRefusal::CrossSite));
        for unknown in [
            &b""[..],
            b"same-origin, cross-site",
            b"same_origin",
            b"\xff",
        ] {
            assert_eq!(check(unknown), refused(CsrfRefusal::UnknownFetchSite));
        }
        // Same-origin by Fetch Metadata passes whatever the Origin (the browser wrote both).
        assert_eq!(
            policy.check(&post(&[b"same-origin"], &[b"null"])),
            CsrfCheck::Allow
        );
    }

    #[test]
    fn same_site_passes_only_when_allowed() {
        let policy = CsrfPolicy::new().allow_same_site(true);
        let request = post(&[b"same-site"], &[b"https://blog.example"]);
        assert_eq!(policy.check(&request), CsrfCheck::Allow);
        assert_eq!(
            policy.check(&post(&[b"cross-site"], &[b"https://blog.example"])),
            refused(CsrfRefusal::CrossSite)
        );
    }

    #[test]
    fn trusted_origins_pass_across_sites_and_others_do_not() {
        let policy = CsrfPolicy::new().trusted_origin("https://admin.example/");
        let check =
            |site: &'static [u8], origins: &[&'static [u8]]| policy.check(&post(&[site], origins));
        assert_eq!(
            check(b"cross-site", &[b"https://admin.example"]),
            CsrfCheck::Allow
        );
        assert_eq!(
            check(b"same-site", &[b"https://ADMIN.example:443"]),
            CsrfCheck::Allow
        );
        assert_eq!(
            check(b"cross-site", &[b"http://admin.example"]),
            refused(CsrfRefusal::CrossSite)
        );
        assert_eq!(
            check(b"cross-site", &[b"https://admin.example.evil"]),
            refused(CsrfRefusal::CrossSite)
        );
        assert_eq!(
            check(
                b"cross-site",
                &[b"https://admin.example", b"https://admin.example"]
            ),
            refused(CsrfRefusal::CrossSite)
        );
        assert_eq!(check(b"cross-site", &[]), refused(CsrfRefusal::CrossSite));
        // An unknown Fetch Metadata value is refused even from a trusted origin.
        assert_eq!(
            check(b"cross-origin", &[b"https://admin.example"]),
            refused(CsrfRefusal::UnknownFetchSite)
        );
    }

    #[test]
    fn without_fetch_metadata_the_origin_must_be_the_requests_own_or_trusted() {
        let policy = CsrfPolicy::new().trusted_origin("https://admin.example");
        let check = |origin: &'static [u8]| policy.check(&post(&[], &[origin]));
        assert_eq!(check(b"http://127.0.0.1:3000"), CsrfCheck::Allow);
        assert_eq!(check(b"HTTP://127.0.0.1:3000"), CsrfCheck::Allow);
        assert_eq!(check(b"https://admin.example"), CsrfCheck::Allow);
        assert_eq!(
            check(b"http://127.0.0.1:3001"),
            refused(CsrfRefusal::UntrustedOrigin)
        );
        assert_eq!(
            check(b"http://localhost:3000"),
            refused(CsrfRefusal::UntrustedOrigin)
        );
        assert_eq!(check(b"null"), refused(CsrfRefusal::OpaqueOrigin));
        assert_eq!(
            check(b"http://127.0.0.1:3000/"),
            refused(CsrfRefusal::MalformedOrigin)
        );
        assert_eq!(
            check(b"http://127.0.0.1:3000\xff"),
            refused(CsrfRefusal::MalformedOrigin)
        );
        assert_eq!(
            policy.check(&post(
                &[],
                &[b"http://127.0.0.1:3000", b"http://127.0.0.1:3000"]
            )),
            refused(CsrfRefusal::RepeatedHeader)
        );
    }

    #[test]
    fn the_requests_own_origin_needs_exactly_one_host_and_the_known_scheme() {
        let policy = CsrfPolicy::new();
        let origin = [&b"http://127.0.0.1:3000"[..]];
        let base = CsrfRequest::new(b"POST").origin(origin);
        assert_eq!(
            policy.check(&base),
            refused(CsrfRefusal::UntrustedOrigin),
            "no Host"
        );
        assert_eq!(
            policy.check(&base.host([HOST, HOST])),
            refused(CsrfRefusal::UntrustedOrigin)
        );
        assert_eq!(
            policy.check(&base.host([HOST]).scheme(Some(b"https"))),
            refused(CsrfRefusal::UntrustedOrigin)
        );
        assert_eq!(
            policy.check(&base.host([HOST]).scheme(Some(b"http"))),
            CsrfCheck::Allow
        );
    }

    #[test]
    fn a_configured_app_origin_replaces_the_host() {
        let policy = CsrfPolicy::new().app_origin("https://app.example");
        let check = |origin: &'static [u8], host: &'static [u8]| {
            policy.check(&CsrfRequest::new(b"POST").origin([origin]).host([host]))
        };
        assert_eq!(
            check(b"https://app.example", b"backend:8080"),
            CsrfCheck::Allow
        );
        assert_eq!(
            check(b"http://backend:8080", b"backend:8080"),
            refused(CsrfRefusal::UntrustedOrigin)
        );
        assert_eq!(
            check(b"http://app.example", b"app.example"),
            refused(CsrfRefusal::UntrustedOrigin)
        );
    }

    #[test]
    fn without_either_header_the_token_is_asked_for() {
        let policy = CsrfPolicy::new();
        let bare = CsrfRequest::new(b"POST").host([HOST]);
        assert_eq!(policy.check(&bare), refused(CsrfRefusal::MissingToken));
        assert_eq!(
            policy.check(&bare.token_header([&b"abc"[..]])),
            CsrfCheck::VerifyToken(b"abc")
        );
        assert_eq!(
            policy.check(&bare.token_header([&b"abc"[..], b"abc"])),
            refused(CsrfRefusal::RepeatedHeader)
        );
        let form = |content_type: &'static [u8]| bare.content_type([content_type]);
        assert_eq!(
            policy.check(&form(b"application/x-www-form-urlencoded")),
            CsrfCheck::VerifyForm
        );
        assert_eq!(
            policy.check(&form(b"Application/X-WWW-Form-URLencoded ; charset=UTF-8")),
            CsrfCheck::VerifyForm
        );
        for other in [
            &b"multipart/form-data; boundary=x"[..],
            b"application/json",
            b"text/plain",
        ] {
            assert_eq!(
                policy.check(&form(other)),
                refused(CsrfRefusal::MissingToken)
            );
        }
        // The header wins over a form body.
        assert_eq!(
            policy.check(&form(b"application/x-www-form-urlencoded").token_header([&b"abc"[..]])),
            CsrfCheck::VerifyToken(b"abc")
        );
    }

    #[test]
    fn debug_output_shows_no_token() {
        let request = CsrfRequest::new(b"POST").token_header([&b"s3cret-token"[..]]);
        let shown = format!("{request:?} {:?}", CsrfPolicy::new().check(&request));
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("VerifyToken"), "{shown}");
    }
}
