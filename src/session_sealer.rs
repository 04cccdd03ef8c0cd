//! The [`SessionSealer`] trait, what the session handle and the HTTP layer need from a sealer,
//! its result types, and its implementation for [`Sealer`]. Knows nothing of HTTP.

use std::fmt;

use crate::codec::Codec;
use crate::cookie_expiry::CookieExpiry;
use crate::entries::Entries;
use crate::error::{OpenError, SealError};
use crate::sealer::Sealer;

/// A sealer the session layer can use: [`Sealer`] for the crate's own format and, with the
/// `fastify` feature, `FastifySealer` and `FastifyMigration` for the `@fastify/secure-session`
/// format. [`SessionCookie`](crate::SessionCookie) and the framework integrations take any of
/// them.
///
/// The trait is sealed: only this crate implements it, and its methods are the layer's
/// plumbing (opening and sealing a session's entry map), hidden from the documentation. A
/// sealer's own API ([`Sealer::seal`], [`Sealer::open`]) is the way to seal other values.
pub trait SessionSealer: sealed::Sealed + Clone + Send + Sync + 'static {
    /// The codec of the session's entries.
    type Codec: Codec;

    /// The codec the entries' values are encoded with.
    #[doc(hidden)]
    fn session_codec(&self) -> &Self::Codec;

    /// The cookie name, a valid HTTP token.
    #[doc(hidden)]
    fn name(&self) -> &str;

    /// The current time by the sealer's clock, in unix seconds.
    #[doc(hidden)]
    fn now(&self) -> u64;

    /// The longest cookie value (without the name, before percent-encoding) this sealer opens
    /// or produces. Longer values from the browser are not opened.
    #[doc(hidden)]
    fn max_value_len(&self) -> usize;

    /// The length of the cookie value (before percent-encoding) this sealer writes for a
    /// payload (the codec's encoding of the entries) of `payload_len` bytes, when it can tell
    /// without sealing: the cookie layer then refuses, at [`Session::insert`](crate::Session::insert),
    /// a change that would make the session too large for its cookie. `None` (the default):
    /// the size is known only when the session is sealed.
    /// It depends on the format alone, not on a sealer's settings, so that the check costs a
    /// few instructions per insert.
    #[doc(hidden)]
    fn value_len(payload_len: usize) -> Option<usize> {
        let _ = payload_len;
        None
    }

    /// Open a cookie value into the session's entries and what the envelope says about them.
    #[doc(hidden)]
    fn open_session(&self, value: &str, now: u64) -> Result<OpenedSession, OpenError>;

    /// The native [`Sealer`] this sealer seals with: itself for a [`Sealer`], the native side
    /// of a migration, `None` (the default) for a sealer of another format. With one, the
    /// provided seal methods seal through it, straight into the line being written.
    #[doc(hidden)]
    fn native_sealer(&self) -> Option<&Sealer<Self::Codec>> {
        None
    }

    /// Seal `entries` as a session that began at `created_at` (equal to `now` for a new one)
    /// and chose `cookie` for its cookie's lifetime (`None`: the layer's default), sealed at
    /// `now`. A format that cannot carry the choice leaves it out.
    ///
    /// Provided for a sealer with a [`native_sealer`](Self::native_sealer): the value
    /// [`seal_session_append`](Self::seal_session_append) writes, in a string of its own. A
    /// sealer without one must provide this method (the two provided methods would call each
    /// other).
    #[doc(hidden)]
    fn seal_session(
        &self,
        entries: &Entries,
        created_at: u64,
        cookie: Option<CookieExpiry>,
        now: u64,
    ) -> Result<SealedSession, SealError> {
        let mut value = String::new();
        let expires_at = self.seal_session_append(entries, created_at, cookie, now, &mut value)?;
        Ok(SealedSession::new(value, expires_at))
    }

    /// [`seal_session`](Self::seal_session), appending the value to `out` (the `Set-Cookie`
    /// line the HTTP layer is writing) and returning its deadline, the
    /// [`SealedSession::expires_at`] it would have had. On failure `out` is left as it was.
    ///
    /// A sealer with a [`native_sealer`](Self::native_sealer) encodes straight into the
    /// envelope's buffer and the value straight into `out`, which saves the value's own
    /// allocation on every response that sets the cookie; any other seals the value and
    /// copies it.
    #[doc(hidden)]
    fn seal_session_append(
        &self,
        entries: &Entries,
        created_at: u64,
        cookie: Option<CookieExpiry>,
        now: u64,
        out: &mut String,
    ) -> Result<u64, SealError> {
        if let Some(native) = self.native_sealer() {
            // The deadline is the native sealer's.
            return native.seal_payload_append(
                created_at,
                cookie,
                now,
                |buf| native.codec_ref().encode_entries(entries, buf),
                out,
            );
        }
        let sealed = self.seal_session(entries, created_at, cookie, now)?;
        out.push_str(&sealed.value);
        Ok(sealed.expires_at)
    }
}

/// Implemented by the crate's sealers only; see [`SessionSealer`].
pub(crate) mod sealed {
    pub trait Sealed {}
}

impl<C: Codec> sealed::Sealed for Sealer<C> {}

/// A session that opened: its entries and what its envelope said. `Debug` shows the entries'
/// keys, not their values.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OpenedSession {
    /// The entries, each encoded with the sealer's codec.
    pub entries: Entries,
    /// Unix seconds when the session began; kept across re-seals.
    pub created_at: u64,
    /// Unix seconds after which the value stops opening.
    pub expires_at: u64,
    /// A key other than the primary sealed it: re-seal it with the primary.
    pub needs_reseal: bool,
    /// The idle deadline is near: re-seal to slide it.
    pub idle_refresh_due: bool,
    /// The lifetime the session chose for its cookie, sealed with it; `None`: the layer's
    /// default.
    pub cookie_expiry: Option<CookieExpiry>,
}

impl OpenedSession {
    /// An opened session that needs no re-seal and chose no cookie lifetime; set those fields
    /// after where it did.
    pub fn new(entries: Entries, created_at: u64, expires_at: u64) -> Self {
        Self {
            entries,
            created_at,
            expires_at,
            needs_reseal: false,
            idle_refresh_due: false,
            cookie_expiry: None,
        }
    }
}

/// A freshly sealed cookie value and its deadline. `Debug` leaves the value out: it is a
/// live credential.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SealedSession {
    /// The cookie value, before percent-encoding.
    pub value: String,
    /// Unix seconds after which the value stops opening; a persistent cookie's `Max-Age`
    /// ends here.
    pub expires_at: u64,
}

impl fmt::Debug for SealedSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealedSession")
            .field("value", &crate::entries::Redacted(self.value.len()))
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl SealedSession {
    /// A sealed value and its deadline.
    pub fn new(value: String, expires_at: u64) -> Self {
        Self { value, expires_at }
    }
}

impl<C: Codec> SessionSealer for Sealer<C> {
    type Codec = C;

    fn session_codec(&self) -> &C {
        self.codec_ref()
    }

    fn name(&self) -> &str {
        Sealer::name(self)
    }

    fn now(&self) -> u64 {
        Sealer::now(self)
    }

    fn max_value_len(&self) -> usize {
        Sealer::max_value_len(self)
    }

    fn value_len(payload_len: usize) -> Option<usize> {
        // Base64url without padding of the envelope around the payload.
        Some(
            (crate::envelope::OVERHEAD + payload_len)
                .saturating_mul(4)
                .div_ceil(3),
        )
    }

    fn open_session(&self, value: &str, now: u64) -> Result<OpenedSession, OpenError> {
        // Decoded straight from the envelope's buffer: no copy of the plaintext outlives it.
        let opened = self.open_payload_at(value, now, Some(C::ID), |payload| {
            self.codec_ref()
                .decode_entries(payload)
                .map_err(OpenError::Decode)
        })?;
        Ok(OpenedSession {
            cookie_expiry: opened.cookie_expiry(),
            created_at: opened.created_at(),
            expires_at: opened.expires_at(),
            needs_reseal: opened.needs_reseal(),
            idle_refresh_due: opened.idle_refresh_due(),
            entries: opened.into_value(),
        })
    }

    #[inline]
    fn native_sealer(&self) -> Option<&Sealer<C>> {
        Some(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::Postcard;
    use crate::key::Key;

    #[test]
    fn debug_of_the_plumbing_types_shows_no_session_data() {
        let sealer = Sealer::new(Key::from_bytes([1; 32]));
        let mut value = Vec::new();
        Postcard.encode(&"alice@example.com", &mut value).unwrap();
        let entries: Entries = [("email".to_owned(), value)].into();
        let sealed = sealer.seal_session(&entries, 1_000, None, 1_000).unwrap();
        let opened = sealer.open_session(&sealed.value, 1_000).unwrap();
        assert_eq!(opened.entries, entries);
        for shown in [
            format!("{entries:?}"),
            format!("{:?}", entries.iter()),
            format!("{sealed:?}"),
            format!("{opened:?}"),
        ] {
            assert!(
                !shown.contains("alice") && !shown.contains("example.com"),
                "{shown}"
            );
            assert!(!shown.contains(&sealed.value), "{shown}");
        }
        // The keys are shown: they are the program's names, not the user's data.
        assert!(format!("{opened:?}").contains("email"));
    }
}
