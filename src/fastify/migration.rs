//! The last step of a move from `@fastify/secure-session`: read both formats under one cookie
//! name, write only the native one.

use crate::codec::Json;
use crate::error::OpenError;
use crate::sealer::Sealer;
use crate::session_sealer::{OpenedSession, SessionSealer};

use super::FastifySealer;

/// A [`SessionSealer`] that opens `@fastify/secure-session` cookies and native ones, and seals
/// only native ones: put it in the [`SessionLayer`](crate::SessionLayer) once no Node service
/// reads the cookie any more, and every session moves to the native format the next time it is
/// used, under the same cookie name, with nobody logged out.
///
/// - A value holding `;` is the plugin's (a native value is base64url and never holds one); it
///   opens with the [`FastifySealer`] and is re-sealed in the native format on that response,
///   even when the handler only reads it.
/// - Any other value opens with the native [`Sealer`].
/// - Both are read and written under the plugin's cookie name, `legacy`'s (the plugin's default
///   is `session`): that is where the browsers hold the sessions to move. The native sealer is
///   given that name, which the native values then bind.
///
/// # The native rules on a plugin's session
///
/// The plugin's format records no start time, only `__ts`, the time of the session's last
/// write, so the native rules count from `__ts`, which is its start time in the native format
/// from then on (its `created_at`, kept by every later seal). A plugin's session
/// opens only if, with the native sealer's settings, a native session begun and last sealed at
/// `__ts` would, each rule with the native leeway as for a native cookie:
///
/// - `__ts` before the native [`invalidate_before`](Sealer::invalidate_before) cut-off is
///   [`OpenError::Revoked`];
/// - `__ts` plus the native [`max_lifetime`](Sealer::max_lifetime) (or
///   [`idle_timeout`](Sealer::idle_timeout)) passed is [`OpenError::Expired`];
/// - `__ts` further in the future than the native [`leeway`](Sealer::leeway) is
///   [`OpenError::NotYetValid`].
///
/// The plugin's own `expiry` still applies.
///
/// What the format cannot tell: when the session really began. It may be long before `__ts`
/// (the plugin moves `__ts` on every change), so the native lifetime of a migrated session
/// runs from its last write under the plugin at most, and a session the plugin kept alive by
/// writing to it can get up to one more native lifetime. A revocation cut-off catches every
/// session last written before it, but not one begun before it and written to after it.
///
/// When the plugin's `expiry` has passed since the switch, every plugin cookie still out there
/// has expired: replace this with the native sealer alone.
///
/// ```
/// # #[cfg(feature = "axum")] {
/// use sealed_session::{FastifyMigration, FastifySealer, Json, Key, KeyRing, Sealer, Session, SessionLayer};
///
/// let legacy_keys = KeyRing::from_base64_list("QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI=")?;
/// let native = Sealer::with_codec(Key::generate(), Json); // entries stay plain JSON values
/// let sealer = FastifyMigration::new(native, FastifySealer::new(legacy_keys));
///
/// async fn handler(session: Session<Json>) -> String {
///     let user: Option<String> = session.get("user").ok().flatten();
///     format!("{user:?}")
/// }
/// let app: axum::Router = axum::Router::new()
///     .route("/", axum::routing::get(handler))
///     .layer(SessionLayer::new(sealer));
/// # }
/// # Ok::<(), sealed_session::KeyError>(())
/// ```
#[derive(Debug, Clone)]
pub struct FastifyMigration {
    native: Sealer<Json>,
    legacy: FastifySealer,
}

impl FastifyMigration {
    /// Read with both, write with `native`, under `legacy`'s cookie name (`native`'s own name
    /// is replaced by it).
    pub fn new(native: Sealer<Json>, legacy: FastifySealer) -> Self {
        // Both names passed the same check when their sealers were built, so this cannot fail;
        // if it ever did, the native name would stay and plugin cookies would not be found.
        let native = match native.clone().try_cookie_name(legacy.name()) {
            Ok(renamed) => renamed,
            Err(_) => native,
        };
        Self { native, legacy }
    }

    /// The sealer that writes.
    pub fn native(&self) -> &Sealer<Json> {
        &self.native
    }

    /// The sealer that reads the plugin's cookies.
    pub fn legacy(&self) -> &FastifySealer {
        &self.legacy
    }
}

impl FastifyMigration {
    /// The native checks on a session the legacy sealer opened, whose `created_at` is its
    /// `__ts`, in the native order (not yet valid, revoked, expired) with the native leeway:
    /// the session is the native sealer's from here on, and must not escape its rules.
    fn admit_legacy(
        &self,
        mut opened: OpenedSession,
        now: u64,
    ) -> Result<OpenedSession, OpenError> {
        // `FastifySealer::open_session` reports `__ts` as the start: the only time it knows.
        let ts = opened.created_at;
        let leeway = self.native.leeway_secs();
        if ts > now.saturating_add(leeway) {
            return Err(OpenError::NotYetValid { created_at: ts });
        }
        if self
            .native
            .invalidated_before()
            .is_some_and(|cutoff| ts < cutoff)
        {
            return Err(OpenError::Revoked { created_at: ts });
        }
        // The deadlines of a native session begun and last sealed at `__ts`.
        let absolute = ts.saturating_add(self.native.max_lifetime_setting().as_secs());
        let deadline = match self.native.idle_timeout_setting() {
            Some(idle) => absolute.min(ts.saturating_add(idle.as_secs())),
            None => absolute,
        };
        if now > deadline.saturating_add(leeway) {
            return Err(OpenError::Expired {
                expired_at: deadline,
            });
        }
        opened.expires_at = opened.expires_at.min(deadline);
        // Always re-sealed, so that the cookie moves to the native format on this response.
        opened.needs_reseal = true;
        Ok(opened)
    }
}

impl crate::session_sealer::sealed::Sealed for FastifyMigration {}

impl SessionSealer for FastifyMigration {
    type Codec = Json;

    fn session_codec(&self) -> &Json {
        self.native.codec_ref()
    }

    fn name(&self) -> &str {
        self.native.name()
    }

    fn now(&self) -> u64 {
        self.native.now()
    }

    fn max_value_len(&self) -> usize {
        self.native.max_value_len().max(self.legacy.max_value_len())
    }

    fn value_len(payload_len: usize) -> Option<usize> {
        Sealer::<Json>::value_len(payload_len)
    }

    fn open_session(&self, value: &str, now: u64) -> Result<OpenedSession, OpenError> {
        // `%` too, for a value handed over still percent-encoded (`%3B`).
        if !value.contains([';', '%']) {
            return self.native.open_session(value, now);
        }
        let opened = self.legacy.open_session(value, now)?;
        self.admit_legacy(opened, now)
    }

    /// Every session is sealed in the native format, straight into the line being written.
    #[inline]
    fn native_sealer(&self) -> Option<&Sealer<Json>> {
        Some(&self.native)
    }
}
