//! Reading and writing `@fastify/secure-session` cookies, so that a service can move from Node to
//! Rust, or run both side by side, without logging anyone out.
//!
//! The format, as the plugin (version 8) writes it:
//!
//! ```text
//! plaintext = JSON object: the session's fields, plus "__ts": unix seconds of the last change
//! box       = crypto_secretbox_easy(plaintext, nonce, key)   (XSalsa20-Poly1305: tag || ciphertext)
//! value     = BASE64(box) || ";" || BASE64(nonce)            (standard alphabet, padded)
//! wire      = the value percent-encoded as @fastify/cookie sends it (`;` -> %3B, `+` -> %2B, ...)
//! ```
//!
//! A value opens when some key of the list authenticates it (tried in order, first to last) and
//! `now < __ts + expiry`.

use std::fmt;
use std::iter;
use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::clock::{Clock, SystemClock};
use crate::codec::{json_error, write_json_object, Codec, Json};
use crate::cookie_expiry::CookieExpiry;
use crate::entries::Entries;
use crate::error::{CodecError, ConfigError, KeyError, OpenError, SealError};
use crate::key::{DeriveParams, Key, KeyId};
use crate::keyring::KeyRing;
use crate::sealer::{
    check_cookie_size, checked_cookie_name, valid_setting, Opened, MAX_COOKIE_SIZE,
};
use crate::session_sealer::{OpenedSession, SealedSession, SessionSealer};

mod envelope;
mod migration;

pub use migration::FastifyMigration;

/// The salt `@fastify/secure-session` derives keys with when its `salt` option is not set
/// (base64 `mq9hDxBVDbspDR6nLfFT1g==`).
///
/// It is public (it is in the plugin's source), so a key derived with it is only as strong as
/// the secret. Prefer a random key, or at least your own salt.
pub const FASTIFY_DEFAULT_SALT: [u8; 16] = [
    0x9a, 0xaf, 0x61, 0x0f, 0x10, 0x55, 0x0d, 0xbb, 0x29, 0x0d, 0x1e, 0xa7, 0x2d, 0xf1, 0x53, 0xd6,
];

/// The plugin's default `expiry`: 86401 seconds (a day and a second).
pub const FASTIFY_DEFAULT_EXPIRY: Duration = Duration::from_secs(86_401);

/// The field of the session object that holds the time of the last change, in unix seconds.
pub const FASTIFY_TS_FIELD: &str = "__ts";

/// The codec name errors carry.
const JSON: &str = "json";

/// Seals serde values into `@fastify/secure-session` cookies and opens them again.
///
/// Configured from the plugin's own options: a key, a key list (rotation: the first seals, all
/// open) or a secret (plus salt) to derive the key from, and `expiry`. A value sealed here opens
/// in the Node plugin with the same key, and the other way round.
///
/// [`seal`](Self::seal) returns the value as it goes into `Set-Cookie` (percent-encoded, exactly
/// as the plugin sends it); [`open`](Self::open) takes it percent-encoded or not.
///
/// ```
/// use sealed_session::{FastifySealer, Key, OpenError};
/// use serde_json::json;
///
/// // The plugin's `key` option: base64 of 32 bytes.
/// let key = Key::from_base64("QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI=")?;
/// let sealer = FastifySealer::new(key).cookie_name("session");
///
/// let value = sealer.seal(&json!({ "user": "ada", "views": 3 }))?;
/// let opened = sealer.open::<serde_json::Value>(&value)?;
/// assert_eq!(opened.value(), &json!({ "user": "ada", "views": 3 }));
///
/// // One changed character and the value no longer opens.
/// let mut forged = value.into_bytes();
/// forged[10] = if forged[10] == b'A' { b'B' } else { b'A' };
/// let forged = String::from_utf8(forged).unwrap();
/// assert!(sealer.open::<serde_json::Value>(&forged).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct FastifySealer {
    ring: Arc<KeyRing>,
    expiry: u64,
    cookie_name: Arc<str>,
    max_cookie_size: usize,
    clock: Arc<dyn Clock>,
}

impl FastifySealer {
    /// A sealer with the given key, or key list: the plugin's `key` option. With a
    /// [`KeyRing`], the primary key seals and every key opens, as with the plugin's key arrays
    /// (`KeyRing::from_base64_list("NEW,OLD")` is the plugin's `key: [NEW, OLD]`).
    ///
    /// Defaults as the plugin's: cookie name `session`, expiry 86401 seconds.
    pub fn new(keys: impl Into<KeyRing>) -> Self {
        Self {
            ring: Arc::new(keys.into()),
            expiry: FASTIFY_DEFAULT_EXPIRY.as_secs(),
            cookie_name: Arc::from("session"),
            max_cookie_size: MAX_COOKIE_SIZE,
            clock: Arc::new(SystemClock),
        }
    }

    /// A sealer whose key is derived from a secret as the plugin's `secret` (and `salt`)
    /// options do; see [`derive_key`](Self::derive_key). Costs about a second and 256 MiB:
    /// call it once at start-up.
    pub fn from_secret(secret: &[u8], salt: Option<&[u8]>) -> Result<Self, KeyError> {
        Ok(Self::new(Self::derive_key(secret, salt)?))
    }

    /// The key the plugin derives from `secret` and `salt`: Argon2id at libsodium's MODERATE
    /// cost, with [`FASTIFY_DEFAULT_SALT`] when no salt is given.
    ///
    /// The secret is the UTF-8 bytes of the plugin's `secret` string and must be at least 32
    /// bytes. The salt must be 16 bytes; the plugin reads a salt string as ASCII, so pass the
    /// string's bytes.
    ///
    /// ```no_run
    /// use sealed_session::FastifySealer;
    /// let key = FastifySealer::derive_key(b"a secret of at least thirty-two bytes!!", None)?;
    /// let sealer = FastifySealer::new(key);
    /// # Ok::<(), sealed_session::KeyError>(())
    /// ```
    pub fn derive_key(secret: &[u8], salt: Option<&[u8]>) -> Result<Key, KeyError> {
        Key::derive_with(
            secret,
            salt.unwrap_or(&FASTIFY_DEFAULT_SALT),
            DeriveParams::MODERATE,
        )
    }

    /// The plugin's `expiry`: a value stops opening `expiry` seconds after its `__ts`, that is,
    /// after the last change to the session. Zero means the default (86401), as `expiry: 0`
    /// does in the plugin; fractions of a second are dropped, but never below one second.
    ///
    /// ```
    /// use std::time::Duration;
    /// use sealed_session::{FastifySealer, Key};
    /// let sealer = FastifySealer::new(Key::generate()).expiry(Duration::from_secs(3600));
    /// let value = sealer.seal_at(&serde_json::json!({}), 1_000)?;
    /// assert!(sealer.open_at::<serde_json::Value>(&value, 1_000 + 3599).is_ok());
    /// assert!(sealer.open_at::<serde_json::Value>(&value, 1_000 + 3600).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn expiry(mut self, expiry: Duration) -> Self {
        self.expiry = if expiry.is_zero() {
            FASTIFY_DEFAULT_EXPIRY.as_secs()
        } else {
            expiry.as_secs().max(1)
        };
        self
    }

    /// The cookie name (the plugin's `cookieName`). Unlike the native format, this format does
    /// not bind the name into the value: it only sets which cookie the HTTP layer reads.
    ///
    /// # Panics
    /// If the name is not a valid cookie name (see [`ConfigError::InvalidCookieName`]); use
    /// [`try_cookie_name`](Self::try_cookie_name) for names from outside the program.
    #[track_caller]
    pub fn cookie_name(self, name: &str) -> Self {
        valid_setting(self.try_cookie_name(name))
    }

    crate::sealer_settings::sealer_settings!();

    /// Seal `value`, which must serialize to a JSON object, with `__ts` set to now: the plugin's
    /// behaviour when a session changes. Returns the percent-encoded cookie value.
    pub fn seal<T: Serialize + ?Sized>(&self, value: &T) -> Result<String, SealError> {
        self.seal_at(value, self.clock.now())
    }

    /// Seal `value` with `__ts` set to `ts` (unix seconds).
    ///
    /// To re-seal a value that a previous key opened without extending its life, as the plugin
    /// does, pass the `ts` it was opened with ([`Opened::created_at`]). A `__ts` field of
    /// `value` itself is replaced.
    pub fn seal_at<T: Serialize + ?Sized>(&self, value: &T, ts: u64) -> Result<String, SealError> {
        let mut object = match serde_json::to_value(value) {
            Ok(Value::Object(object)) => object,
            Ok(other) => {
                return Err(SealError::Encode(CodecError::new(
                    JSON,
                    format!(
                        "a @fastify/secure-session session is a JSON object, not {}",
                        kind(&other)
                    ),
                )))
            }
            Err(e) => {
                return Err(SealError::Encode(json_error(
                    "the value did not serialize",
                    &e,
                )))
            }
        };
        object.insert(FASTIFY_TS_FIELD.to_owned(), Value::from(ts));
        let raw = envelope::seal(self.ring.primary(), self.max_value_len(), |buf| {
            serde_json::to_writer(buf, &object)
                .map_err(|e| SealError::Encode(json_error("the value did not serialize", &e)))
        })?;
        let wire = envelope::percent_encode(&raw);
        check_cookie_size(self.cookie_name.len() + wire.len(), self.max_cookie_size)?;
        Ok(wire)
    }

    /// Open a cookie value the plugin (or this sealer, with a shared key) sealed at time
    /// `now` (unix seconds), and decode the session's fields, `__ts` removed, into `T`.
    ///
    /// Checks, cheapest first: the length limit, percent-decoding (a value that does not
    /// percent-decode is read as it is, as the plugin's cookie parser does), the `;` separator,
    /// base64, the box and nonce lengths, then each key in turn, then the JSON object, `__ts`,
    /// the expiry, and the decode into `T`.
    pub fn open_at<T: DeserializeOwned>(
        &self,
        value: &str,
        now: u64,
    ) -> Result<Opened<T>, OpenError> {
        envelope::open(
            &self.ring,
            value,
            self.max_value_len(),
            |plaintext, key_index| {
                let mut object = match serde_json::from_slice::<Value>(plaintext) {
                    Ok(Value::Object(object)) => object,
                    Ok(other) => {
                        return Err(OpenError::Decode(CodecError::new(
                            JSON,
                            format!("the session is {}, not a JSON object", kind(&other)),
                        )))
                    }
                    Err(e) => return Err(OpenError::Decode(json_error("the session", &e))),
                };
                let ts = match object.remove(FASTIFY_TS_FIELD) {
                    Some(Value::Number(n)) => n.as_u64().ok_or_else(|| bad_ts(NOT_WHOLE_SECONDS)),
                    Some(other) => Err(bad_ts(kind(&other))),
                    None => Err(bad_ts("missing")),
                }?;
                let expires_at = self.check_expiry(ts, now)?;
                let value = T::deserialize(Value::Object(object))
                    .map_err(|e| OpenError::Decode(json_error("the session's fields", &e)))?;
                Ok(Opened {
                    value,
                    key_id: self.key_id(key_index),
                    codec_id: Json::ID,
                    created_at: ts,
                    expires_at,
                    needs_reseal: key_index > 0,
                    // The plugin's expiry counts from `__ts`, not from the last use.
                    refresh_due: false,
                    // The plugin's format has no place for it.
                    cookie_expiry: None,
                })
            },
        )
    }

    /// The last second a value with this `__ts` opens, or the error if `now` is past it. The
    /// plugin's rule: open while `now < __ts + expiry`.
    fn check_expiry(&self, ts: u64, now: u64) -> Result<u64, OpenError> {
        // `expiry` is at least one second.
        let expires_at = ts.saturating_add(self.expiry).saturating_sub(1);
        if now > expires_at {
            return Err(OpenError::Expired {
                expired_at: expires_at,
            });
        }
        Ok(expires_at)
    }

    fn key_id(&self, index: usize) -> KeyId {
        self.ring
            .keys()
            .nth(index)
            .map_or_else(|| self.ring.primary().id(), Key::id)
    }
}

/// The layer's view: a session's entries are the object's members (each entry's JSON text), and
/// `__ts` is kept out of them.
///
/// - [`OpenedSession::created_at`] is the cookie's `__ts`, the time of the last change: the
///   format records no start time.
/// - Every seal writes `__ts` = now, as the plugin does for a changed session, so the
///   session lives `expiry` past its last write. A re-seal for key rotation slides it too
///   (the plugin keeps the old `__ts` there), a difference of at most one `expiry`.
/// - [`OpenedSession::idle_refresh_due`] is never set: like the plugin, reading a session
///   does not extend it.
///
/// ```
/// # #[cfg(feature = "axum")] {
/// use sealed_session::{FastifySealer, Json, Key, Session, SessionLayer};
///
/// // The same `SessionLayer` and `Session` as the native format; the session's codec is Json,
/// // and each entry is one field of the plugin's session object.
/// let sealer = FastifySealer::new(Key::generate());
/// async fn handler(session: Session<Json>) -> String {
///     let views: u64 = session.get("views").ok().flatten().unwrap_or(0) + 1;
///     let _ = session.insert("views", views);
///     format!("route requested {views} times in this session")
/// }
/// let app: axum::Router = axum::Router::new()
///     .route("/", axum::routing::get(handler))
///     .layer(SessionLayer::new(sealer));
/// # }
/// ```
impl crate::session_sealer::sealed::Sealed for FastifySealer {}

impl SessionSealer for FastifySealer {
    type Codec = Json;

    fn session_codec(&self) -> &Json {
        &Json
    }

    fn name(&self) -> &str {
        &self.cookie_name
    }

    fn now(&self) -> u64 {
        self.clock.now()
    }

    fn max_value_len(&self) -> usize {
        FastifySealer::max_value_len(self)
    }

    fn open_session(&self, value: &str, now: u64) -> Result<OpenedSession, OpenError> {
        envelope::open(
            &self.ring,
            value,
            self.max_value_len(),
            |plaintext, key_index| {
                let mut entries = Json.decode_entries(plaintext).map_err(OpenError::Decode)?;
                let ts = entries
                    .remove(FASTIFY_TS_FIELD)
                    .ok_or_else(|| bad_ts("missing"))?;
                let ts = serde_json::from_slice::<u64>(&ts).map_err(|_| bad_ts(raw_kind(&ts)))?;
                let expires_at = self.check_expiry(ts, now)?;
                let mut opened = OpenedSession::new(entries, ts, expires_at);
                opened.needs_reseal = key_index > 0;
                Ok(opened)
            },
        )
    }

    fn seal_session(
        &self,
        entries: &Entries,
        _created_at: u64,
        // The plugin's format has no place for the cookie's lifetime: the layer's applies.
        _cookie: Option<CookieExpiry>,
        now: u64,
    ) -> Result<SealedSession, SealError> {
        // The entries with `__ts` = now in its sorted place (replacing any entry of that name),
        // written without copying the map.
        let ts = now.to_string();
        let before = entries.before(FASTIFY_TS_FIELD);
        let after = entries.after(FASTIFY_TS_FIELD);
        let members = before
            .map(|(key, value)| (key.as_str(), value.as_slice()))
            .chain(iter::once((FASTIFY_TS_FIELD, ts.as_bytes())))
            .chain(after.map(|(key, value)| (key.as_str(), value.as_slice())));
        let value = envelope::seal(self.ring.primary(), self.max_value_len(), |buf| {
            write_json_object(members, buf).map_err(SealError::Encode)
        })?;
        let expires_at = now.saturating_add(self.expiry).saturating_sub(1);
        Ok(SealedSession::new(value, expires_at))
    }
}

impl fmt::Debug for FastifySealer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FastifySealer")
            .field("ring", &self.ring)
            .field("expiry", &self.expiry)
            .field("cookie_name", &self.cookie_name)
            .field("max_cookie_size", &self.max_cookie_size)
            .finish_non_exhaustive()
    }
}

/// What [`bad_ts`] says of a number that is negative, fractional or over `u64`.
const NOT_WHOLE_SECONDS: &str = "a number that is not whole seconds";

/// The error for a `__ts` that is missing or not whole unix seconds. `found` is static so that
/// the field's text, which is session plaintext, cannot reach an error or a log.
fn bad_ts(found: &'static str) -> OpenError {
    OpenError::Decode(CodecError::new(
        JSON,
        format!("`__ts` must be whole unix seconds, found {found}"),
    ))
}

/// The JSON type of a value's text (checked JSON, as [`Json::decode_entries`] keeps it), named
/// without its content.
fn raw_kind(json: &[u8]) -> &'static str {
    match json.trim_ascii_start().first() {
        Some(b'"') => "a string",
        Some(b'-' | b'0'..=b'9') => NOT_WHOLE_SECONDS,
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        Some(b'[') => "an array",
        Some(b'{') => "an object",
        _ => "invalid JSON",
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    #[test]
    fn default_salt_is_the_plugins() {
        assert_eq!(
            base64::engine::general_purpose::STANDARD.encode(FASTIFY_DEFAULT_SALT),
            "mq9hDxBVDbspDR6nLfFT1g=="
        );
    }

    #[test]
    fn a_sealed_session_has_ts_of_the_seal_beside_entries_sorted_around_it() {
        let sealer = FastifySealer::new(Key::generate());
        let mut entries = Entries::new();
        for (key, value) in [
            ("Upper", "1"),
            ("__ts", "\"stale\""),
            ("_a", "2"),
            ("z", "3"),
        ] {
            entries.insert(key.to_owned(), value.as_bytes().to_vec());
        }
        let sealed = sealer.seal_session(&entries, 5, None, 1_000).unwrap();
        let opened = sealer.open_at::<Value>(&sealed.value, 1_000).unwrap();
        assert_eq!(opened.created_at(), 1_000);
        assert_eq!(
            opened.value(),
            &serde_json::json!({ "Upper": 1, "_a": 2, "z": 3 })
        );
    }
}
