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
