//! The decision: from what a request says of itself (method, `Sec-Fetch-Site`, `Origin`,
//! `Host`, where its token is), whether it may pass, must be refused, or must show the
//! session's token. Plain bytes in, a verdict out: no framework, no session.

use std::fmt;

use super::origin::{trim, HostParts, Origin, OriginParts};
use super::token::CsrfToken;
use crate::error::ConfigError;

/// The rules of cross-site request forgery protection, with no framework:
/// `CsrfLayer` (feature `axum`) applies them to every axum request, and
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
/// // A POST to app.example.com with these headers (name in lower case, value).
/// let post = |headers: &[(&str, &'static str)]| {
///     let mut headers = headers.to_vec();
///     headers.push(("host", "app.example.com"));
///     policy.check(&CsrfRequest::new(b"POST", |name| {
///         let named: Vec<&'static [u8]> =
///             headers.iter().filter(|h| h.0 == name).map(|h| h.1.as_bytes()).collect();
///         named
///     }))
/// };
/// let from = |site, origin| post(&[("sec-fetch-site", site), ("origin", origin)]);
/// assert_eq!(from("same-origin", "https://app.example.com"), CsrfCheck::Allow);
/// assert_eq!(
///     from("cross-site", "https://evil.example"),
///     CsrfCheck::Refuse(CsrfRefusal::CrossSite)
/// );
/// assert_eq!(from("same-site", "https://admin.example.com"), CsrfCheck::Allow);
/// // No Fetch Metadata, no Origin: the session's token decides.
/// assert_eq!(
///     post(&[("x-csrf-token", "t0ken")]),
///     CsrfCheck::VerifyToken(b"t0ken")
/// );
/// ```
#[derive(Debug, Clone, Default)]
pub struct CsrfPolicy {
    trusted: Vec<Origin>,
    app_origin: Option<Origin>,
    allow_same_site: bool,
    /// Hosts (lower case) and, where given, ports that unsafe requests may be addressed to;
    /// empty: any.
    allowed_hosts: Vec<(Vec<u8>, Option<u16>)>,
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
    pub fn trusted_origin(self, origin: &str) -> Self {
        valid_constant(self.try_trusted_origin(origin))
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
    pub fn app_origin(self, origin: &str) -> Self {
        valid_constant(self.try_app_origin(origin))
    }

    /// The application's own origin, refusing one that is not an origin with an error.
    pub fn try_app_origin(mut self, origin: &str) -> Result<Self, ConfigError> {
        self.app_origin = Some(Origin::from_config(origin)?);
        Ok(self)
    }

    /// A host the application serves (`app.example.com`, or with a port,
    /// `localhost:3000`): once one is named, a request that changes state and is addressed
    /// (by `Host`, or HTTP/2's `:authority`) to any other host is refused, before any other
    /// rule. This stops DNS rebinding: a page on `rebind.attacker.example` whose name the
    /// attacker re-points at the application (on a LAN, or on loopback, over plain HTTP) is
    /// same-origin with itself, so Fetch Metadata and `Origin` cannot tell. A host without a
    /// port matches it on any port. Name every host the application answers to.
    ///
    /// # Panics
    /// If `host` is not a host with an optional port; use
    /// [`try_allowed_host`](Self::try_allowed_host) for hosts from outside the program.
    #[track_caller]
    pub fn allowed_host(self, host: &str) -> Self {
        valid_constant(self.try_allowed_host(host))
    }

    /// [`allowed_host`](Self::allowed_host), refusing what is not a host with an error.
    pub fn try_allowed_host(mut self, host: &str) -> Result<Self, ConfigError> {
        let parsed = HostParts::parse(host.as_bytes())
            .filter(|_| !host.contains(['/', '@']))
            .ok_or_else(|| ConfigError::InvalidHost {
                host: host.to_owned(),
            })?;
        let (name, port) = parsed.into_owned();
        self.allowed_hosts.push((name, port));
        Ok(self)
    }

    fn is_allowed_host(&self, host: Field<'_>) -> bool {
        let Field::One(host) = host else {
            return false;
        };
        HostParts::parse(host).is_some_and(|host| {
            let (name, port) = host.into_owned();
            self.allowed_hosts.iter().any(|(allowed, allowed_port)| {
                *allowed == name && allowed_port.is_none_or(|p| Some(p) == port)
            })
        })
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
        // A request addressed to a host the application does not serve is refused first,
        // whatever the browser says of its origin: a page that re-points its own name at the
        // application (DNS rebinding) is same-origin to itself.
        if !self.allowed_hosts.is_empty() && !self.is_allowed_host(request.host) {
            return CsrfCheck::Refuse(CsrfRefusal::WrongHost);
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

/// The policy a setter made from a programmer's constant, panicking with the error's message
/// if the constant is not valid: the setters that take a constant document that, and each has
/// a `try_` form for values from outside the program.
#[track_caller]
#[allow(clippy::panic)] // only for constants, as documented on each setter
fn valid_constant(policy: Result<CsrfPolicy, ConfigError>) -> CsrfPolicy {
    match policy {
        Ok(policy) => policy,
        Err(e) => panic!("{e}"),
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

/// What a request says of itself, as plain bytes, for [`CsrfPolicy::check`]: its method,
/// the values of the headers the policy reads (`sec-fetch-site`, `origin`, `host`,
/// `x-csrf-token`, `content-type`), and what the server knows of its target. Each header is
/// read as all of its values, so that a header sent twice is told from one sent once.
///
/// # Example
/// ```
/// use sealed_session::http::{HeaderMap, Method};
/// use sealed_session::{CsrfCheck, CsrfPolicy, CsrfRefusal, CsrfRequest};
///
/// let mut headers = HeaderMap::new();
/// headers.insert("sec-fetch-site", "cross-site".parse().unwrap());
/// // How any framework's request is read: the method, and the values of a header by name.
/// let request = CsrfRequest::new(Method::POST.as_str().as_bytes(), |name| {
///     headers.get_all(name).into_iter().map(|value| value.as_bytes())
/// });
/// assert_eq!(
///     CsrfPolicy::new().check(&request),
///     CsrfCheck::Refuse(CsrfRefusal::CrossSite)
/// );
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
    /// A request of `method` (as sent: `POST`), whose header values `headers` gives for a
    /// header name in lower case (none for a header not sent).
    pub fn new<I: IntoIterator<Item = &'a [u8]>>(
        method: &'a [u8],
        headers: impl Fn(&'static str) -> I,
    ) -> Self {
        Self {
            method,
            sec_fetch_site: Field::of(headers("sec-fetch-site")),
            origin: Field::of(headers("origin")),
            host: Field::of(headers("host")),
            scheme: None,
            token_header: Field::of(headers(CsrfToken::HEADER)),
            content_type: Field::of(headers("content-type")),
        }
    }

    /// An `http` 1 request, with its target's scheme and authority where its URI has them.
    pub fn from_http<B>(request: &'a http::Request<B>) -> Self {
        let headers = request.headers();
        let uri = request.uri();
        Self::new(request.method().as_str().as_bytes(), |name| {
            headers
                .get_all(name)
                .into_iter()
                .map(http::HeaderValue::as_bytes)
        })
        .target(
            uri.scheme_str().map(str::as_bytes),
            uri.authority()
                .map(|authority| authority.as_str().as_bytes()),
        )
    }

    /// What the server knows of the request's target: its scheme (HTTP/2's `:scheme`), then
    /// compared with the scheme of `Origin`, and its authority (HTTP/2's `:authority`), which
    /// stands for the `Host` of a request that sent none. Both unknown by default, as for an
    /// HTTP/1.1 request.
    pub fn target(mut self, scheme: Option<&'a [u8]>, authority: Option<&'a [u8]>) -> Self {
        self.scheme = scheme;
        if let (Field::Absent, Some(authority)) = (self.host, authority) {
            self.host = Field::One(authority);
        }
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
    /// The request is addressed (by `Host`, or HTTP/2's `:authority`) to a host other than the
    /// [application's origin](CsrfPolicy::app_origin).
    WrongHost,
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
            Self::WrongHost => "the request is addressed to a host that is not the application's",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOST: (&str, &[u8]) = ("host", b"127.0.0.1:3000");

    /// A request of `method` with `headers` (lower-case name, value), in order.
    fn request<'a>(method: &'a [u8], headers: &[(&str, &'a [u8])]) -> CsrfRequest<'a> {
        CsrfRequest::new(method, |name| {
            let values: Vec<&'a [u8]> = headers
                .iter()
                .filter(|(n, _)| *n == name)
                .map(|(_, v)| *v)
                .collect();
            values
        })
    }

    /// What `policy` says of a POST to `HOST` with `headers`.
    fn post(policy: &CsrfPolicy, headers: &[(&str, &'static [u8])]) -> CsrfCheck<'static> {
        let mut all = vec![HOST];
        all.extend_from_slice(headers);
        policy.check(&request(b"POST", &all))
    }

    /// What `policy` says of a POST to `HOST` with these `Sec-Fetch-Site` and `Origin`.
    fn post_from(
        policy: &CsrfPolicy,
        site: &'static [u8],
        origin: &'static [u8],
    ) -> CsrfCheck<'static> {
        post(policy, &[("sec-fetch-site", site), ("origin", origin)])
    }

    fn refused(refusal: CsrfRefusal) -> CsrfCheck<'static> {
        CsrfCheck::Refuse(refusal)
    }

    const CROSS_SITE: (&str, &[u8]) = ("sec-fetch-site", b"cross-site");

    #[test]
    fn safe_methods_pass_whatever_they_say() {
        for method in ["GET", "HEAD", "OPTIONS"] {
            let forged = [CROSS_SITE, ("origin", b"null")];
            let check = CsrfPolicy::new().check(&request(method.as_bytes(), &forged));
            assert_eq!(check, CsrfCheck::Allow);
        }
    }

    #[test]
    fn every_other_method_is_checked_including_unknown_and_lower_case_ones() {
        for method in ["POST", "PUT", "PATCH", "DELETE", "get", "PROPFIND", ""] {
            let check = CsrfPolicy::new().check(&request(method.as_bytes(), &[CROSS_SITE]));
            assert_eq!(check, refused(CsrfRefusal::CrossSite), "{method:?}");
        }
    }

    #[test]
    fn fetch_metadata_decides_when_present() {
        let policy = CsrfPolicy::new();
        let check = |site| post_from(&policy, site, b"https://evil.example");
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
        let null = [("sec-fetch-site", &b"same-origin"[..]), ("origin", b"null")];
        assert_eq!(post(&policy, &null), CsrfCheck::Allow);
    }

    #[test]
    fn same_site_passes_only_when_allowed() {
        let policy = CsrfPolicy::new().allow_same_site(true);
        let from = |site| post_from(&policy, site, b"https://blog.example");
        assert_eq!(from(b"same-site"), CsrfCheck::Allow);
        assert_eq!(from(b"cross-site"), refused(CsrfRefusal::CrossSite));
    }

    #[test]
    fn trusted_origins_pass_across_sites_and_others_do_not() {
        let policy = CsrfPolicy::new().trusted_origin("https://admin.example/");
        let from = |site, origin| post_from(&policy, site, origin);
        assert_eq!(
            from(b"cross-site", b"https://admin.example"),
            CsrfCheck::Allow
        );
        assert_eq!(
            from(b"same-site", b"https://ADMIN.example:443"),
            CsrfCheck::Allow
        );
        for other in [
            &b"http://admin.example"[..],
            b"https://admin.example.evil",
            b"null",
        ] {
            assert_eq!(from(b"cross-site", other), refused(CsrfRefusal::CrossSite));
        }
        let twice = [
            CROSS_SITE,
            ("origin", b"https://admin.example"),
            ("origin", b"https://admin.example"),
        ];
        assert_eq!(post(&policy, &twice), refused(CsrfRefusal::CrossSite));
        assert_eq!(
            post(&policy, &[CROSS_SITE]),
            refused(CsrfRefusal::CrossSite)
        );
        // An unknown Fetch Metadata value is refused even from a trusted origin.
        assert_eq!(
            from(b"cross-origin", b"https://admin.example"),
            refused(CsrfRefusal::UnknownFetchSite)
        );
    }

    #[test]
    fn without_fetch_metadata_the_origin_must_be_the_requests_own_or_trusted() {
        let policy = CsrfPolicy::new().trusted_origin("https://admin.example");
        let check = |origin| post(&policy, &[("origin", origin)]);
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
        let twice = [
            ("origin", &b"http://127.0.0.1:3000"[..]),
            ("origin", b"http://127.0.0.1:3000"),
        ];
        assert_eq!(post(&policy, &twice), refused(CsrfRefusal::RepeatedHeader));
    }

    #[test]
    fn the_requests_own_origin_needs_exactly_one_host_and_the_known_scheme() {
        let policy = CsrfPolicy::new();
        let origin = ("origin", &b"http://127.0.0.1:3000"[..]);
        let check =
            |headers: &[(&str, &'static [u8])], scheme: Option<&'static [u8]>, authority| {
                policy.check(&request(b"POST", headers).target(scheme, authority))
            };
        let untrusted = refused(CsrfRefusal::UntrustedOrigin);
        assert_eq!(check(&[origin], None, None), untrusted, "no Host");
        assert_eq!(check(&[origin, HOST, HOST], None, None), untrusted);
        assert_eq!(check(&[origin, HOST], Some(b"https"), None), untrusted);
        assert_eq!(
            check(&[origin, HOST], Some(b"http"), None),
            CsrfCheck::Allow
        );
        // Without Host (HTTP/2), the target's authority stands for it; with Host, Host counts.
        assert_eq!(
            check(&[origin], Some(b"http"), Some(b"127.0.0.1:3000")),
            CsrfCheck::Allow
        );
        assert_eq!(
            check(&[origin, HOST], None, Some(b"evil.example")),
            CsrfCheck::Allow
        );
        let other_host = ("host", &b"evil.example"[..]);
        assert_eq!(
            check(&[origin, other_host], None, Some(b"127.0.0.1:3000")),
            untrusted
        );
    }

    #[test]
    fn a_configured_app_origin_replaces_the_host() {
        let policy = CsrfPolicy::new().app_origin("https://app.example");
        let check =
            |origin, host| policy.check(&request(b"POST", &[("origin", origin), ("host", host)]));
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
        assert_eq!(post(&policy, &[]), refused(CsrfRefusal::MissingToken));
        let token = ("x-csrf-token", &b"abc"[..]);
        assert_eq!(post(&policy, &[token]), CsrfCheck::VerifyToken(b"abc"));
        assert_eq!(
            post(&policy, &[token, token]),
            refused(CsrfRefusal::RepeatedHeader)
        );
        let form = |content_type| post(&policy, &[("content-type", content_type)]);
        assert_eq!(
            form(b"application/x-www-form-urlencoded"),
            CsrfCheck::VerifyForm
        );
        assert_eq!(
            form(b"Application/X-WWW-Form-URLencoded ; charset=UTF-8"),
            CsrfCheck::VerifyForm
        );
        for other in [
            &b"multipart/form-data; boundary=x"[..],
            b"application/json",
            b"text/plain",
        ] {
            assert_eq!(form(other), refused(CsrfRefusal::MissingToken));
        }
        // The header wins over a form body.
        let both = [
            ("content-type", &b"application/x-www-form-urlencoded"[..]),
            token,
        ];
        assert_eq!(post(&policy, &both), CsrfCheck::VerifyToken(b"abc"));
    }

    #[test]
    fn an_http_request_is_read_with_its_target() {
        // An HTTP/2 request: no Host header, its scheme and authority in the URI.
        let from = |origin: &str| {
            let request = http::Request::post("https://127.0.0.1:3000/transfer")
                .header("origin", origin)
                .body(())
                .unwrap();
            // The refusal, if any (the verdict itself borrows from the request).
            match CsrfPolicy::new().check(&CsrfRequest::from_http(&request)) {
                CsrfCheck::Refuse(refusal) => Some(refusal),
                _ => None,
            }
        };
        assert_eq!(from("https://127.0.0.1:3000"), None);
        assert_eq!(
            from("http://127.0.0.1:3000"),
            Some(CsrfRefusal::UntrustedOrigin)
        );
    }

    #[test]
    fn debug_output_shows_no_token() {
        let request = request(b"POST", &[("x-csrf-token", b"s3cret-token")]);
        let shown = format!("{request:?} {:?}", CsrfPolicy::new().check(&request));
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("VerifyToken"), "{shown}");
    }
}
