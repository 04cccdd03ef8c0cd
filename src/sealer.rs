//! The `Sealer`: configuration (cookie name, lifetimes, clock, codec) and seal / open of serde
//! values. Knows nothing of HTTP.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::clock::{unix_seconds, Clock, SystemClock};
use crate::codec::{Codec, DefaultCodec};
use crate::cookie_expiry::CookieExpiry;
use crate::envelope::{self, SealFailure, Times, MAX_NAME_LEN};
use crate::error::{CodecError, ConfigError, OpenError, SealError, TooLarge};
use crate::key::KeyId;
use crate::keyring::KeyRing;

/// The cookie name a new sealer uses. The `__Host-` prefix makes browsers refuse the cookie
/// unless it is `Secure`, has `Path=/` and no `Domain`, and so refuse anyone else's cookie of
/// that name: no sibling subdomain or plain-HTTP page can set or shadow it.
pub const DEFAULT_COOKIE_NAME: &str = "__Host-session";
/// The absolute lifetime a new sealer gives sessions: one day.
pub const DEFAULT_MAX_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);
/// The clock-skew leeway a new sealer allows: one minute.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(60);
/// The largest clock-skew leeway a sealer accepts: five minutes. Every deadline is extended by
/// the leeway, so a larger one would quietly lengthen every session; clocks that disagree by
/// more need fixing (NTP), not tolerating.
pub const MAX_LEEWAY: Duration = Duration::from_secs(5 * 60);
/// Browsers keep cookies of up to 4096 bytes, name plus value.
pub const MAX_COOKIE_SIZE: usize = 4096;

/// Seals serde values into cookie values and opens them again.
///
/// Built once at start-up and shared (it is cheap to clone). Every setting has a safe default:
/// cookie name `__Host-session`, absolute lifetime one day, no idle timeout, one minute of
/// clock-skew leeway, [`Postcard`](crate::Postcard) payloads, the system clock.
///
/// ```
/// use std::time::Duration;
/// use sealed_session::{Key, OpenError, Sealer};
///
/// #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
/// struct User { id: u64, name: String }
///
/// let sealer = Sealer::new(Key::generate())
///     .cookie_name("session")
///     .max_lifetime(Duration::from_secs(7 * 86400))
///     .idle_timeout(Duration::from_secs(30 * 60));
///
/// let value = sealer.seal(&User { id: 7, name: "ada".into() })?;
/// let opened = sealer.open::<User>(&value)?;
/// assert_eq!(opened.value().name, "ada");
///
/// // One changed character and the value no longer opens.
/// let mut forged = value.into_bytes();
/// forged[40] = if forged[40] == b'A' { b'B' } else { b'A' };
/// let forged = String::from_utf8(forged).unwrap();
/// assert!(sealer.open::<User>(&forged).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Sealer<C: Codec = DefaultCodec> {
    ring: Arc<KeyRing>,
    codec: C,
    cookie_name: Arc<str>,
    max_lifetime: u64,
    idle_timeout: Option<u64>,
    leeway: u64,
    invalidate_before: Option<u64>,
    max_cookie_size: usize,
    clock: Arc<dyn Clock>,
}

impl Sealer<DefaultCodec> {
    /// A sealer with the default codec and settings. Takes a [`KeyRing`] or a single
    /// [`Key`](crate::Key).
    pub fn new(ring: impl Into<KeyRing>) -> Self {
        Self::with_codec(ring, DefaultCodec::default())
    }
}

impl<C: Codec> Sealer<C> {
    /// A sealer with the given payload codec and default settings.
    pub fn with_codec(ring: impl Into<KeyRing>, codec: C) -> Self {
        Self {
            ring: Arc::new(ring.into()),
            codec,
            cookie_name: Arc::from(DEFAULT_COOKIE_NAME),
            max_lifetime: DEFAULT_MAX_LIFETIME.as_secs(),
            idle_timeout: None,
            leeway: DEFAULT_LEEWAY.as_secs(),
            invalidate_before: None,
            max_cookie_size: MAX_COOKIE_SIZE,
            clock: Arc::new(SystemClock),
        }
    }

    /// Switch the payload codec. Values sealed with one codec do not decode with another.
    pub fn codec<D: Codec>(self, codec: D) -> Sealer<D> {
        Sealer {
            ring: self.ring,
            codec,
            cookie_name: self.cookie_name,
            max_lifetime: self.max_lifetime,
            idle_timeout: self.idle_timeout,
            leeway: self.leeway,
            invalidate_before: self.invalidate_before,
            max_cookie_size: self.max_cookie_size,
            clock: self.clock,
        }
    }

    /// The cookie name. It is bound into every sealed value: a value sealed for one name does
    /// not open under another.
    ///
    /// # Panics
    /// If the name is not a valid cookie name (see [`ConfigError::InvalidCookieName`]); use
    /// [`try_cookie_name`](Self::try_cookie_name) for names from outside the program.
    #[track_caller]
    pub fn cookie_name(self, name: &str) -> Self {
        valid_setting(self.try_cookie_name(name))
    }

    crate::sealer_settings::sealer_settings!();

    /// The absolute lifetime: no session opens longer than this after it began, however often
    /// it is re-sealed. Shortening it also ends existing sessions that are older.
    pub fn max_lifetime(mut self, lifetime: Duration) -> Self {
        self.max_lifetime = lifetime.as_secs();
        self
    }

    /// The idle timeout: a session not re-sealed for this long stops opening. Each seal slides
    /// the idle deadline; it never passes the absolute one.
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = Some(timeout.as_secs());
        self
    }

    /// How far apart the clocks of the instances that share a ring may be: deadlines are
    /// extended, and future start times tolerated, by this much. Default one minute, at most
    /// [`MAX_LEEWAY`].
    ///
    /// # Panics
    /// If `leeway` is over [`MAX_LEEWAY`]; use [`try_leeway`](Self::try_leeway) for a value
    /// from outside the program.
    #[track_caller]
    pub fn leeway(self, leeway: Duration) -> Self {
        valid_setting(self.try_leeway(leeway))
    }

    /// The clock-skew leeway, refusing one over [`MAX_LEEWAY`] with an error.
    pub fn try_leeway(mut self, leeway: Duration) -> Result<Self, ConfigError> {
        if leeway > MAX_LEEWAY {
            return Err(ConfigError::LeewayTooLarge {
                seconds: leeway.as_secs(),
                max: MAX_LEEWAY.as_secs(),
            });
        }
        self.leeway = leeway.as_secs();
        Ok(self)
    }

    /// Reject every session that began before `moment`: log everybody out without rotating
    /// keys (for example after a password-database leak).
    pub fn invalidate_before(mut self, moment: SystemTime) -> Self {
        self.invalidate_before = Some(unix_seconds(moment));
        self
    }

    /// [`invalidate_before`](Self::invalidate_before) with unix seconds.
    pub fn invalidate_before_unix(mut self, unix_seconds: u64) -> Self {
        self.invalidate_before = Some(unix_seconds);
        self
    }

    /// The codec.
    pub(crate) fn codec_ref(&self) -> &C {
        &self.codec
    }

    /// The absolute lifetime (the migration applies it to a plugin's session).
    #[cfg(feature = "fastify")]
    pub(crate) fn max_lifetime_setting(&self) -> Duration {
        Duration::from_secs(self.max_lifetime)
    }

    /// The idle timeout, if one is set (the migration applies it to a plugin's session).
    #[cfg(feature = "fastify")]
    pub(crate) fn idle_timeout_setting(&self) -> Option<Duration> {
        self.idle_timeout.map(Duration::from_secs)
    }

    /// Seal `value` as a new session beginning now.
    pub fn seal<T: Serialize + ?Sized>(&self, value: &T) -> Result<String, SealError> {
        self.seal_at(value, self.clock.now())
    }

    /// [`seal`](Self::seal) at a given time, in unix seconds.
    pub fn seal_at<T: Serialize + ?Sized>(&self, value: &T, now: u64) -> Result<String, SealError> {
        self.reseal_at(value, now, now)
    }

    /// Seal `value` as the continuation of a session that began at `created_at` (from
    /// [`Opened::created_at`]): the start time and the absolute deadline are kept, the idle
    /// deadline slides, and the primary key seals.
    pub fn reseal<T: Serialize + ?Sized>(
        &self,
        value: &T,
        created_at: u64,
    ) -> Result<String, SealError> {
        self.reseal_at(value, created_at, self.clock.now())
    }

    /// [`reseal`](Self::reseal) at a given time, in unix seconds.
    pub fn reseal_at<T: Serialize + ?Sized>(
        &self,
        value: &T,
        created_at: u64,
        now: u64,
    ) -> Result<String, SealError> {
        self.seal_payload_at(created_at, None, now, |buf| self.codec.encode(value, buf))
    }

    /// Seal payload bytes the caller has already encoded, as a session that began at
    /// `created_at`. The codec is not used.
    pub fn seal_bytes_at(
        &self,
        payload: &[u8],
        created_at: u64,
        now: u64,
    ) -> Result<String, SealError> {
        self.seal_payload_at(created_at, None, now, |buf| {
            buf.extend_from_slice(payload);
            Ok(())
        })
    }

    /// Seal the payload `write_payload` appends (straight into the envelope's buffer) as a
    /// session that began at `created_at` and chose `cookie` for its cookie's lifetime (`None`:
    /// the layer's default), sealed at `now`, into a new value.
    pub(crate) fn seal_payload_at(
        &self,
        created_at: u64,
        cookie: Option<CookieExpiry>,
        now: u64,
        write_payload: impl FnOnce(&mut Vec<u8>) -> Result<(), CodecError>,
    ) -> Result<String, SealError> {
        let mut value = String::new();
        self.seal_payload_append(created_at, cookie, now, write_payload, &mut value)?;
        Ok(value)
    }

    /// [`seal_payload_at`](Self::seal_payload_at), appending the value to `out` (a `Set-Cookie`
    /// line being written, say) and returning the deadline. On failure `out` is left as it
    /// was. The one place the deadline is computed.
    pub(crate) fn seal_payload_append(
        &self,
        created_at: u64,
        cookie: Option<CookieExpiry>,
        now: u64,
        write_payload: impl FnOnce(&mut Vec<u8>) -> Result<(), CodecError>,
        out: &mut String,
    ) -> Result<u64, SealError> {
        let absolute = created_at.saturating_add(self.max_lifetime);
        if now >= absolute {
            return Err(SealError::LifetimeExceeded { ended_at: absolute });
        }
        let expires_at = match self.idle_timeout {
            Some(idle) => absolute.min(now.saturating_add(idle)),
            None => absolute,
        };
        let times = Times {
            created_at,
            expires_at,
            cookie: CookieExpiry::to_wire(cookie),
        };
        let start = out.len();
        envelope::seal_append(
            &self.ring,
            self.cookie_name.as_bytes(),
            C::ID,
            self.max_value_len(),
            times,
            write_payload,
            out,
        )
        .map_err(|e| match e {
            SealFailure::Payload(e) => SealError::Encode(e),
            SealFailure::Cipher => SealError::Encrypt,
            SealFailure::Random => SealError::Random,
            SealFailure::NameTooLong => SealError::NameTooLong {
                len: self.cookie_name.len(),
                max: MAX_NAME_LEN,
            },
        })?;
        let size = self.cookie_name.len() + (out.len() - start);
        check_cookie_size(size, self.max_cookie_size).inspect_err(|_| out.truncate(start))?;
        Ok(expires_at)
    }

    /// Open a cookie value sealed by this sealer (or one sharing a key of its ring and its
    /// cookie name) at time `now` (unix seconds), and decode the session.
    pub fn open_at<T: DeserializeOwned>(
        &self,
        value: &str,
        now: u64,
    ) -> Result<Opened<T>, OpenError> {
        self.open_payload_at(value, now, Some(C::ID), |payload| {
            self.codec.decode(payload).map_err(OpenError::Decode)
        })
    }

    /// Open a value without decoding its payload: the payload bytes are returned as they were
    /// sealed, whichever codec sealed them ([`Opened::codec_id`] says which). Every other
    /// check runs.
    pub fn open_bytes_at(&self, value: &str, now: u64) -> Result<Opened<Vec<u8>>, OpenError> {
        self.open_payload_at(value, now, None, |payload| Ok(payload.to_vec()))
    }

    /// Open a value and hand its authenticated payload to `decode` (inside the envelope's
    /// buffer, wiped when it returns); every check runs first, the codec id's when `codec_id`
    /// is given.
    pub(crate) fn open_payload_at<T>(
        &self,
        value: &str,
        now: u64,
        codec_id: Option<u8>,
        decode: impl FnOnce(&[u8]) -> Result<T, OpenError>,
    ) -> Result<Opened<T>, OpenError> {
        let max_len = self.max_value_len();
        envelope::open(
            &self.ring,
            self.cookie_name.as_bytes(),
            codec_id,
            value,
            max_len,
            |envelope| {
                let Times {
                    created_at,
                    expires_at,
                    cookie,
                } = envelope.times;
                if created_at > now.saturating_add(self.leeway) {
                    return Err(OpenError::NotYetValid { created_at });
                }
                if self
                    .invalidate_before
                    .is_some_and(|cutoff| created_at < cutoff)
                {
                    return Err(OpenError::Revoked { created_at });
                }
                // The configured lifetime applies too, so that shortening it takes effect at once.
                let absolute = created_at.saturating_add(self.max_lifetime);
                let deadline = expires_at.min(absolute);
                if now > deadline.saturating_add(self.leeway) {
                    return Err(OpenError::Expired {
                        expired_at: deadline,
                    });
                }
                let value = decode(envelope.payload)?;
                let refresh_due = self.idle_timeout.is_some_and(|idle| {
                    deadline < absolute && deadline.saturating_sub(now) < idle.div_ceil(2)
                });
                Ok(Opened {
                    value,
                    key_id: envelope.key_id,
                    codec_id: envelope.codec_id,
                    created_at,
                    expires_at: deadline,
                    needs_reseal: envelope.key_id != self.ring.primary().id(),
                    refresh_due,
                    cookie_expiry: CookieExpiry::from_wire(cookie),
                })
            },
        )
    }

    /// The [`invalidate_before`](Self::invalidate_before) cut-off, in unix seconds: a sealer
    /// that hands sessions of another format over to this one applies it to them too.
    #[cfg(feature = "fastify")]
    pub(crate) fn invalidated_before(&self) -> Option<u64> {
        self.invalidate_before
    }

    /// The clock-skew [`leeway`](Self::leeway) in seconds, for the same sealers.
    #[cfg(feature = "fastify")]
    pub(crate) fn leeway_secs(&self) -> u64 {
        self.leeway
    }
}

impl<C: Codec> fmt::Debug for Sealer<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sealer")
            .field("ring", &self.ring)
            .field("codec", &C::NAME)
            .field("cookie_name", &self.cookie_name)
            .field("max_lifetime", &self.max_lifetime)
            .field("idle_timeout", &self.idle_timeout)
            .field("leeway", &self.leeway)
            .field("invalidate_before", &self.invalidate_before)
            .field("max_cookie_size", &self.max_cookie_size)
            .finish_non_exhaustive()
    }
}

/// A value that opened, and what its envelope said about it: what [`Sealer::open`] gives, and
/// with the `fastify` feature, `FastifySealer::open` too.
///
/// Its `Debug` output leaves the value out: session data may be secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Opened<T> {
    pub(crate) value: T,
    pub(crate) key_id: KeyId,
    pub(crate) codec_id: u8,
    pub(crate) created_at: u64,
    pub(crate) expires_at: u64,
    pub(crate) needs_reseal: bool,
    pub(crate) refresh_due: bool,
    pub(crate) cookie_expiry: Option<CookieExpiry>,
}

impl<T> fmt::Debug for Opened<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Destructured, so that a field added later does not compile until it is placed here,
        // shown or redacted.
        let Self {
            value: _,
            key_id,
            codec_id,
            created_at,
            expires_at,
            needs_reseal,
            refresh_due,
            cookie_expiry,
        } = self;
        f.debug_struct("Opened")
            .field("value", &format_args!("<redacted>"))
            .field("key_id", key_id)
            .field("codec_id", codec_id)
            .field("created_at", created_at)
            .field("expires_at", expires_at)
            .field("needs_reseal", needs_reseal)
            .field("refresh_due", refresh_due)
            .field("cookie_expiry", cookie_expiry)
            .finish()
    }
}

impl<T> Opened<T> {
    /// The session data.
    pub fn value(&self) -> &T {
        &self.value
    }

    /// The session data, by value.
    pub fn into_value(self) -> T {
        self.value
    }

    /// The id of the key that sealed it.
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }

    /// The [`Codec::ID`] of the codec that encoded the payload, from the value's header
    /// (`Json::ID` for a `@fastify/secure-session` value, whose payload is always JSON).
    pub fn codec_id(&self) -> u8 {
        self.codec_id
    }

    /// Unix seconds when the session began; kept across re-seals. For a
    /// `@fastify/secure-session` value, its `__ts` (which the plugin keeps across re-seals
    /// too).
    pub fn created_at(&self) -> u64 {
        self.created_at
    }

    /// Unix seconds after which the value stops opening (before leeway): the earlier of the idle
    /// and absolute deadlines.
    pub fn expires_at(&self) -> u64 {
        self.expires_at
    }

    /// True when a previous key of the ring sealed it: re-seal it so that the previous key can be
    /// retired.
    pub fn needs_reseal(&self) -> bool {
        self.needs_reseal
    }

    /// True when less than half the idle timeout is left before the idle deadline (and that
    /// deadline is not the absolute one): re-seal to keep an active session alive.
    pub fn idle_refresh_due(&self) -> bool {
        self.refresh_due
    }

    /// The lifetime the session chose for its cookie
    /// ([`Session::set_cookie_expiry`](crate::Session::set_cookie_expiry)), sealed with it;
    /// `None` when it chose none (the layer's default applies), for values sealed through
    /// [`seal`](Sealer::seal), and for `@fastify/secure-session` values, which cannot carry it.
    pub fn cookie_expiry(&self) -> Option<CookieExpiry> {
        self.cookie_expiry
    }

    /// The same envelope facts with another value.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Opened<U> {
        Opened {
            value: f(self.value),
            key_id: self.key_id,
            codec_id: self.codec_id,
            created_at: self.created_at,
            expires_at: self.expires_at,
            needs_reseal: self.needs_reseal,
            refresh_due: self.refresh_due,
            cookie_expiry: self.cookie_expiry,
        }
    }
}

/// The sealer a setter's `try_` form returned, or a panic with its error at the caller of the
/// setter: the panicking setters take a programmer's constant (documented at each), the `try_`
/// forms input from outside the program.
#[track_caller]
#[allow(clippy::panic)] // the panicking setters' documented behaviour, above
pub(crate) fn valid_setting<S>(result: Result<S, ConfigError>) -> S {
    match result {
        Ok(sealer) => sealer,
        Err(e) => panic!("{e}"),
    }
}

/// The error for a sealed cookie of `size` bytes, name plus value, over the sealer's
/// `max_cookie_size`; the same check for every sealer.
#[inline]
pub(crate) fn check_cookie_size(size: usize, max_cookie_size: usize) -> Result<(), SealError> {
    if size > max_cookie_size {
        return Err(SealError::TooLarge(TooLarge::new(size, max_cookie_size)));
    }
    Ok(())
}

/// `name` as a sealer keeps it, or the error for a name that is not a valid cookie name.
pub(crate) fn checked_cookie_name(name: &str) -> Result<Arc<str>, ConfigError> {
    if !is_valid_cookie_name(name) {
        return Err(ConfigError::InvalidCookieName {
            name: name.to_owned(),
        });
    }
    Ok(Arc::from(name))
}

/// True for a cookie name of 1 to 256 HTTP token characters other than `%`.
///
/// `%` is a token character, but cookie libraries percent-decode names, so a name holding one
/// would be written by some clients under a name it never matches: names are matched byte for
/// byte as sent (see [`SessionCookie::load`](crate::SessionCookie::load)).
pub fn is_valid_cookie_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$&'*+-.^_`|~".contains(&b))
}
