//! Origins as browsers write them in the `Origin` header (`scheme://host[:port]`), the
//! request's own host and port from `Host`, and how the two compare: scheme and host without
//! regard to case, a port equal to the scheme's default the same as no port, as URL parsers
//! normalise them. Anything else (a path, a trailing slash, user info, a non-ASCII byte, `null`)
//! is not an origin: browsers never write one, so whatever sent it is refused.

use crate::error::ConfigError;

/// The parts of an origin in a request's `Origin` header, borrowed from the header's bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OriginParts<'a> {
    scheme: &'a [u8],
    host: &'a [u8],
    /// The port as written; `None` when there is none.
    port: Option<u16>,
}

/// An origin of the configuration (the application's own, or a trusted one), kept in lower
/// case, with a default port dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Origin {
    scheme: String,
    host: String,
    port: Option<u16>,
}

/// The host and port of a request's `Host` header (or its URI's authority).
#[derive(Debug, Clone, Copy)]
pub(crate) struct HostParts<'a> {
    host: &'a [u8],
    port: Option<u16>,
}

impl HostParts<'_> {
    /// The host in lower case, and the port.
    pub(crate) fn into_owned(self) -> (Vec<u8>, Option<u16>) {
        (self.host.to_ascii_lowercase(), self.port)
    }
}

impl<'a> OriginParts<'a> {
    /// `value` as an origin, or `None` if it is not one (which `null` is not either).
    pub(crate) fn parse(value: &'a [u8]) -> Option<Self> {
        let value = trim(value);
        let colon = value.iter().position(|&b| b == b':')?;
        let (scheme, rest) = value.split_at(colon);
        let authority = rest.strip_prefix(b"://")?;
        let valid_scheme = scheme.first().is_some_and(u8::is_ascii_alphabetic)
            && scheme
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
        if !valid_scheme {
            return None;
        }
        let HostParts { host, port } = HostParts::parse(authority)?;
        Some(Self { scheme, host, port })
    }

    /// The port the origin names: the one written, else its scheme's default.
    fn port_or_default(&self) -> Option<u16> {
        self.port.or_else(|| default_port(self.scheme))
    }

    /// Whether `self` and `other` are the same origin.
    pub(crate) fn is(&self, other: &Origin) -> bool {
        self.scheme.eq_ignore_ascii_case(other.scheme.as_bytes())
            && self.host.eq_ignore_ascii_case(other.host.as_bytes())
            && self.port_or_default() == other.parts().port_or_default()
    }

    /// Whether this origin is the request's own: the host of its `Host` header, on the same
    /// port, and with the same scheme where the request's scheme is known.
    ///
    /// Over HTTP/1.1 the scheme is not known (a TLS terminator in front of the app knows it),
    /// so `http://app.example` matches a request for `https://app.example`: a page served over
    /// plain HTTP on the same host could post to the HTTPS site. Such a request needs an
    /// attacker on the network path of the plain-HTTP page, which HSTS takes away; Go's
    /// `CrossOriginProtection` makes the same choice. [`CsrfPolicy::app_origin`] removes it.
    ///
    /// [`CsrfPolicy::app_origin`]: crate::CsrfPolicy::app_origin
    pub(crate) fn is_host(&self, host: &HostParts<'_>, scheme: Option<&[u8]>) -> bool {
        if scheme.is_some_and(|scheme| !scheme.eq_ignore_ascii_case(self.scheme)) {
            return false;
        }
        // A Host without a port means the default port of the scheme the request came by.
        let host_port = host
            .port
            .or_else(|| default_port(scheme.unwrap_or(self.scheme)));
        self.host.eq_ignore_ascii_case(host.host) && self.port_or_default() == host_port
    }
}

impl Origin {
    /// An origin of the configuration: as browsers write it, or with one trailing `/` (as
    /// origins are often copied from an address bar).
    pub(crate) fn from_config(text: &str) -> Result<Self, ConfigError> {
        let invalid = || ConfigError::InvalidOrigin {
            origin: text.to_owned(),
        };
        let bytes = text.as_bytes();
        let bytes = bytes.strip_suffix(b"/").unwrap_or(bytes);
        let parts = match OriginParts::parse(bytes) {
            // Trimming is for headers; a configured origin is written as it is meant.
            Some(parts) if trim(bytes).len() == bytes.len() => parts,
            _ => return Err(invalid()),
        };
        let lower = |bytes: &[u8]| String::from_utf8_lossy(bytes).to_ascii_lowercase();
        let scheme = lower(parts.scheme);
        Ok(Self {
            port: parts
                .port
                .filter(|&port| default_port(scheme.as_bytes()) != Some(port)),
            host: lower(parts.host),
            scheme,
        })
    }

    pub(crate) fn parts(&self) -> OriginParts<'_> {
        OriginParts {
            scheme: self.scheme.as_bytes(),
            host: self.host.as_bytes(),
            port: self.port,
        }
    }
}

impl<'a> HostParts<'a> {
    /// `value` (`host`, `host:port`, `[v6]`, `[v6]:port`) as a host and port, or `None` if it
    /// is not one.
    pub(crate) fn parse(value: &'a [u8]) -> Option<Self> {
        let value = trim(value);
        let (host, port) = if value.first() == Some(&b'[') {
            let end = value.iter().position(|&b| b == b']')?;
            let (host, rest) = value.split_at(end + 1);
            let inside = &host[1..end];
            let valid = !inside.is_empty()
                && inside
                    .iter()
                    .all(|&b| b.is_ascii_hexdigit() || b == b':' || b == b'.');
            if !valid {
                return None;
            }
            (host, rest)
        } else {
            let end = value.iter().position(|&b| b == b':').unwrap_or(value.len());
            let (host, rest) = value.split_at(end);
            let valid = !host.is_empty()
                && host
                    .iter()
                    .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
            if !valid {
                return None;
            }
            (host, rest)
        };
        let port = match port {
            [] => None,
            [b':', digits @ ..] => Some(parse_port(digits)?),
            _ => return None,
        };
        Some(Self { host, port })
    }
}

/// A port: one to five digits, at most 65535.
fn parse_port(digits: &[u8]) -> Option<u16> {
    if digits.is_empty() || digits.len() > 5 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// The default port of the schemes whose origins browsers write without one.
fn default_port(scheme: &[u8]) -> Option<u16> {
    if scheme.eq_ignore_ascii_case(b"https") || scheme.eq_ignore_ascii_case(b"wss") {
        Some(443)
    } else if scheme.eq_ignore_ascii_case(b"http") || scheme.eq_ignore_ascii_case(b"ws") {
        Some(80)
    } else {
        None
    }
}

/// `value` without the spaces and tabs a header value may carry around it.
pub(crate) fn trim(value: &[u8]) -> &[u8] {
    let is_space = |b: &u8| *b == b' ' || *b == b'\t';
    let start = value
        .iter()
        .position(|b| !is_space(b))
        .unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|b| !is_space(b))
        .map_or(start, |i| i + 1);
    &value[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(text: &str) -> Origin {
        Origin::from_config(text).unwrap()
    }

    fn same(header: &str, config: &str) -> bool {
        OriginParts::parse(header.as_bytes())
            .unwrap()
            .is(&origin(config))
    }

    #[test]
    fn origins_compare_without_case_and_with_default_ports() {
        assert!(same("https://app.example", "https://app.example"));
        assert!(same("HTTPS://App.Example", "https://app.example"));
        assert!(same("https://app.example:443", "https://app.example"));
        assert!(same("https://app.example", "https://app.example:443/"));
        assert!(same("http://127.0.0.1:8080", "http://127.0.0.1:8080"));
        assert!(same("http://[::1]:8080", "http://[::1]:8080"));
        assert!(!same("https://app.example:8443", "https://app.example"));
        assert!(!same("http://app.example", "https://app.example"));
        assert!(!same("https://app.example.evil", "https://app.example"));
        assert!(!same("https://evil-app.example", "https://app.example"));
    }

    #[test]
    fn what_browsers_never_write_is_not_an_origin() {
        for value in [
            "null",
            "",
            "app.example",
            "https://",
            "https://app.example/",
            "https://app.example/path",
            "https://app.example?x",
            "https://user@app.example",
            "https://app.example:",
            "https://app.example:99999",
            "https://app.example:8o",
            "https://app.example:443:443",
            "https://*.example",
            "https://app.exämple",
            "1https://app.example",
            "https:/app.example",
            "https://[::1",
            "https://[]",
            "https://[::1]x",
        ] {
            assert!(OriginParts::parse(value.as_bytes()).is_none(), "{value:?}");
        }
        assert!(OriginParts::parse(b"https://app.example\xff").is_none());
        // Spaces and tabs around a header value are not part of it.
        assert!(OriginParts::parse(b" \thttps://app.example ").is_some());
    }

    #[test]
    fn configured_origins_allow_one_trailing_slash_and_nothing_else() {
        assert_eq!(
            origin("https://app.example/"),
            origin("https://app.example")
        );
        assert_eq!(
            origin("HTTPS://APP.example:443"),
            origin("https://app.example")
        );
        for bad in [
            "null",
            "*",
            "https://app.example//",
            "https://app.example/x",
            " https://app.example",
            "app.example",
        ] {
            assert_eq!(
                Origin::from_config(bad),
                Err(ConfigError::InvalidOrigin { origin: bad.into() }),
                "{bad:?}"
            );
        }
    }

    fn is_host(origin: &str, host: &str, scheme: Option<&str>) -> bool {
        let origin = OriginParts::parse(origin.as_bytes()).unwrap();
        let host = HostParts::parse(host.as_bytes()).unwrap();
        origin.is_host(&host, scheme.map(str::as_bytes))
    }

    #[test]
    fn an_origin_is_the_requests_own_by_host_port_and_known_scheme() {
        assert!(is_host("http://127.0.0.1:3000", "127.0.0.1:3000", None));
        assert!(is_host("http://LOCALHOST:3000", "localhost:3000", None));
        assert!(is_host("https://app.example", "app.example", None));
        assert!(is_host("https://app.example", "app.example:443", None));
        assert!(is_host("http://app.example:80", "app.example", None));
        assert!(is_host("https://app.example", "app.example", Some("https")));
        assert!(!is_host("http://app.example", "app.example", Some("https")));
        assert!(!is_host("http://127.0.0.1:3001", "127.0.0.1:3000", None));
        assert!(!is_host("http://localhost:3000", "127.0.0.1:3000", None));
        assert!(!is_host("https://app.example", "app.example:80", None));
        assert!(!is_host("http://[::1]:3000", "[::1]:3001", None));
        assert!(is_host("http://[::1]:3000", "[::1]:3000", None));
    }

    #[test]
    fn hosts_that_are_not_a_host_and_port_do_not_parse() {
        for host in [
            "", ":80", "a b", "a:b", "a:80:80", "a/b", "a@b", "[x]:80", "a:",
        ] {
            assert!(HostParts::parse(host.as_bytes()).is_none(), "{host:?}");
        }
    }
}
