//! How long the browser keeps the session cookie: a choice the session carries, and the cookie
//! layer writes as `Max-Age`.

use std::time::Duration;

/// How long the browser keeps the session cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum CookieExpiry {
    /// No `Max-Age`: the browser drops the cookie when it ends its own session (closing the
    /// browser, though browsers that restore tabs may keep it). The sealed deadline still
    /// applies. The default.
    #[default]
    BrowserSession,
    /// `Max-Age` up to the sealed deadline: the cookie survives browser restarts for as long
    /// as the session can open ("remember me").
    UntilSessionExpires,
    /// `Max-Age` of this duration, capped at the sealed deadline.
    MaxAge(Duration),
}

impl CookieExpiry {
    /// The form the sealed session carries its choice in (`docs/format.md`, "The cookie
    /// field"): a kind byte, then a little-endian `u32` of seconds for [`MaxAge`](Self::MaxAge)
    /// (zero for the others). No choice, the layer's default, is all zero.
    pub(crate) fn to_wire(choice: Option<Self>) -> [u8; 5] {
        let (kind, seconds) = match choice {
            None => (0, 0),
            Some(Self::BrowserSession) => (1, 0),
            Some(Self::UntilSessionExpires) => (2, 0),
            // More than 136 years is the same to a browser as 136 years.
            Some(Self::MaxAge(age)) => (3, u32::try_from(age.as_secs()).unwrap_or(u32::MAX)),
        };
        let mut wire = [kind, 0, 0, 0, 0];
        wire[1..].copy_from_slice(&seconds.to_le_bytes());
        wire
    }

    /// The choice [`to_wire`](Self::to_wire) wrote. A kind this release does not know (only a
    /// later one writes it, under the same authenticated envelope) reads as no choice: the
    /// layer's default.
    pub(crate) fn from_wire(wire: [u8; 5]) -> Option<Self> {
        let seconds = u32::from_le_bytes([wire[1], wire[2], wire[3], wire[4]]);
        match wire[0] {
            1 => Some(Self::BrowserSession),
            2 => Some(Self::UntilSessionExpires),
            3 => Some(Self::MaxAge(Duration::from_secs(seconds.into()))),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_choice_reads_back_as_it_was_written() {
        for choice in [
            None,
            Some(CookieExpiry::BrowserSession),
            Some(CookieExpiry::UntilSessionExpires),
            Some(CookieExpiry::MaxAge(Duration::ZERO)),
            Some(CookieExpiry::MaxAge(Duration::from_secs(30 * 86_400))),
        ] {
            assert_eq!(
                CookieExpiry::from_wire(CookieExpiry::to_wire(choice)),
                choice
            );
        }
        assert_eq!(CookieExpiry::to_wire(None), [0; 5]);
        assert_eq!(
            CookieExpiry::to_wire(Some(CookieExpiry::MaxAge(Duration::from_secs(u64::MAX)))),
            [3, 0xff, 0xff, 0xff, 0xff]
        );
        assert_eq!(CookieExpiry::from_wire([9, 1, 2, 3, 4]), None);
    }
}
