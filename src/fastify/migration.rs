//! The last step of a move from `@fastify/secure-session`: read both formats under one cookie
//! name, write only the native one.

use crate::codec::Json;
use crate::entries::Entries;
use crate::error::{OpenError, SealError};
use crate::sealer::Sealer;
use crate::session::{OpenedSession, SealedSession, SessionSealer};

use super::FastifySealer;

/// A [`SessionSealer`] that opens `@fastify/secure-session` cookies and native ones, and seals
/// only native ones: put it in the [`SessionLayer`](crate::SessionLayer) once no Node service
/// reads the cookie any more, and every session moves to the native format the next time it is
/// used, under the same cookie name, with nobody logged out.
///
/// - A value holding `;` is the plugin's (a native value is base64url and never holds one); it
///   opens with the [`FastifySealer`] and is re-sealed in the native format on that response,
///   even when the handler only reads it. Its native lifetime starts then: the plugin's format
///   records no start time.
/// - Any other value opens with the native [`Sealer`], whose cookie name is the one read and
///   written.
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
    /// Read with both, write with `native`. The cookie name is `native`'s; `legacy`'s name is
    /// not used.
    pub fn new(native: Sealer<Json>, legacy: FastifySealer) -> Self {
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

    fn open_session(&self, value: &str, now: u64) -> Result<OpenedSession, OpenError> {
        // `%` too, for a value handed over still percent-encoded (`%3B`).
        if !value.contains([';', '%']) {
            return self.native.open_session(value, now);
        }
        let mut opened = self.legacy.open_session(value, now)?;
        opened.created_at = now;
        opened.needs_reseal = true;
        Ok(opened)
    }

    fn seal_session(
        &self,
        entries: &Entries,
        created_at: u64,
        now: u64,
    ) -> Result<SealedSession, SealError> {
        self.native.seal_session(entries, created_at, now)
    }
}
