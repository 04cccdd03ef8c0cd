//! The crate's error types: one enum per operation, each `#[non_exhaustive]`, with lower-case
//! messages that name the numbers involved.

use core::fmt;
use std::borrow::Cow;

use crate::key::KeyId;

/// Why a [`Key`](crate::Key) or [`KeyRing`](crate::KeyRing) could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyError {
    /// Raw key material was not exactly 32 bytes.
    Length {
        /// The number of bytes given.
        len: usize,
    },
    /// The text was not base64 in any of the accepted alphabets.
    Base64,
    /// The secret given to `derive` was shorter than 32 bytes.
    SecretTooShort {
        /// The number of bytes given.
        len: usize,
    },
    /// The salt given to `derive` was not exactly 16 bytes.
    SaltLength {
        /// The number of bytes given.
        len: usize,
    },
    /// The Argon2id parameters were refused.
    Params(String),
    /// A key list held no key.
    EmptyRing,
    /// Two keys of one ring have the same key id (most often: the same key listed twice).
    DuplicateKeyId(KeyId),
    /// One entry of a comma-separated key list did not parse.
    ListEntry {
        /// Position of the entry in the list, counted from 1, empty entries included: in
        /// `"A,,B"`, B is at position 3.
        position: usize,
        /// Why it did not parse.
        reason: Box<KeyError>,
    },
    /// A key list entry is 64 hex digits: a key written in hex, where lists hold base64.
    HexNotBase64,
    /// The environment variable [`KeyRing::from_env`](crate::KeyRing::from_env) reads is not
    /// set, or is blank.
    EnvNotSet {
        /// The variable's name.
        var: String,
    },
    /// The environment variable [`KeyRing::from_env`](crate::KeyRing::from_env) reads does
    /// not hold a key list.
    Env {
        /// The variable's name.
        var: String,
        /// Why its value did not parse (which names no key material).
        reason: Box<KeyError>,
    },
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Length { len } => write!(f, "a key is 32 bytes, got {len}"),
            Self::Base64 => {
                f.write_str("key is not valid base64 (standard or url-safe, padded or not)")
            }
            Self::SecretTooShort { len } => {
                write!(f, "secret must be at least 32 bytes, got {len}")
            }
            Self::SaltLength { len } => write!(f, "salt must be exactly 16 bytes, got {len}"),
            Self::Params(why) => write!(f, "invalid argon2id parameters: {why}"),
            Self::EmptyRing => f.write_str("a key ring needs at least one key"),
            Self::DuplicateKeyId(id) => write!(f, "two keys in the ring share key id {id}"),
            Self::ListEntry { position, reason } => {
                write!(f, "key {position} of the list: {reason}")
            }
            Self::HexNotBase64 => f.write_str(
                "key is 64 hex digits, but keys are base64: convert it first \
                 (for example `echo <hex> | xxd -r -p | base64`)",
            ),
            Self::EnvNotSet { var } => write!(
                f,
                "environment variable {var} is not set; it should hold base64 keys, \
                 comma-separated, newest first"
            ),
            Self::Env { var, reason } => write!(f, "environment variable {var}: {reason}"),
        }
    }
}

impl std::error::Error for KeyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::ListEntry { reason, .. } | Self::Env { reason, .. } => Some(reason.as_ref()),
            _ => None,
        }
    }
}

/// Why a codec could not turn a value into bytes or back.
///
/// It says what kind of failure it was and where, never what the data was: serde's own
/// messages quote the input (`invalid type: string "alice@example.com"`), so the built-in codecs
/// translate them into a fixed reason and a position. A [`Codec`](crate::Codec) of your own
/// should do the same: the error is logged when a cookie does not open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodecError {
    codec: &'static str,
    reason: Cow<'static, str>,
}

impl CodecError {
    /// A codec error from the codec's name and a reason that quotes none of the data: fixed
    /// text, or fixed text and numbers (lengths, positions).
    pub fn new(codec: &'static str, reason: impl Into<Cow<'static, str>>) -> Self {
        Self {
            codec,
            reason: reason.into(),
        }
    }

    /// The name of the codec that failed.
    pub fn codec(&self) -> &'static str {
        self.codec
    }

    /// Why it failed, without the data.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.codec, self.reason)
    }
}

impl std::error::Error for CodecError {}

/// A session too large for its cookie: the one error for it, wherever it is found (a
/// [`Session::insert`](crate::Session::insert) that would not fit, or a seal that does not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct TooLarge {
    /// Bytes of name plus value the sealed cookie would take.
    pub size: usize,
    /// The most it may take: the sealer's `max_cookie_size`, 4096 unless set.
    pub max: usize,
}

impl TooLarge {
    pub(crate) fn new(size: usize, max: usize) -> Self {
        Self { size, max }
    }
}

impl fmt::Display for TooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self { size, max } = self;
        write!(
            f,
            "the session cookie would be {size} bytes (name plus value), over the limit of \
             {max} bytes"
        )
    }
}

impl std::error::Error for TooLarge {}

/// Why a session could not take a value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionError {
    /// The codec could not encode (or, for an update, decode) the value.
    Codec(CodecError),
    /// With the value, the session would no longer fit its cookie (or its chunk cookies): it
    /// is refused, and the session keeps what it had, rather than sealing nothing at the end
    /// of the request.
    TooLarge(TooLarge),
}

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Codec(e) => write!(f, "{e}"),
            Self::TooLarge(e) => write!(f, "{e}; keep less in it"),
        }
    }
}

impl std::error::Error for SessionError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Codec(e) => Some(e),
            Self::TooLarge(e) => Some(e),
        }
    }
}

impl From<CodecError> for SessionError {
    fn from(e: CodecError) -> Self {
        Self::Codec(e)
    }
}

/// Why a value could not be sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SealError {
    /// The codec could not serialize the value.
    Encode(CodecError),
    /// The cookie (name plus value) would exceed the size limit browsers enforce.
    TooLarge(TooLarge),
    /// The session's absolute lifetime is over: it cannot be sealed again.
    LifetimeExceeded {
        /// Unix seconds at which the absolute lifetime ended.
        ended_at: u64,
    },
    /// The AEAD refused the message (only possible for absurd lengths).
    Encrypt,
    /// The operating system's random generator failed to give a nonce.
    Random,
    /// The cookie name is longer than the format binds into a value (256 bytes). Only a
    /// sealer that does not check its name can get here.
    NameTooLong {
        /// The name's length in bytes.
        len: usize,
        /// The longest name the format binds.
        max: usize,
    },
}

impl fmt::Display for SealError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Encode(e) => write!(f, "could not encode the session: {e}"),
            Self::TooLarge(e) => write!(f, "{e}"),
            Self::LifetimeExceeded { ended_at } => {
                write!(
                    f,
                    "session lifetime ended at unix time {ended_at}; start a new session"
                )
            }
            Self::Encrypt => f.write_str("the cipher refused the message"),
            Self::Random => f.write_str("the operating system's random generator failed"),
            Self::NameTooLong { len, max } => write!(
                f,
                "cookie name is {len} bytes, over the {max} bytes a sealed value binds"
            ),
        }
    }
}

impl std::error::Error for SealError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Encode(e) => Some(e),
            Self::TooLarge(e) => Some(e),
            _ => None,
        }
    }
}

/// Why a cookie value did not open.
///
/// Each variant is safe to log: none carries plaintext or key material. An attacker who sends a
/// forged value learns only that it did not open; which variant it was is for the server's logs
/// and metrics, and should not be sent back to the client.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OpenError {
    /// The raw value is longer than any value this sealer produces; refused before decoding.
    TooLarge {
        /// Length of the raw value in bytes.
        len: usize,
        /// The longest value accepted.
        max: usize,
    },
    /// The value is not base64url, or too short to hold a header, nonce and tag.
    Malformed(Malformed),
    /// The format version byte is not one this release reads.
    UnsupportedVersion(u8),
    /// The value was sealed with another codec than this sealer's (its header names the
    /// codec); refused before anything is decrypted or decoded.
    WrongCodec {
        /// The [`Codec::ID`](crate::Codec::ID) in the value's header.
        sealed_with: u8,
        /// The id of this sealer's codec.
        expected: u8,
    },
    /// No key of the ring has the value's key id (a removed key, or a forgery).
    UnknownKey(KeyId),
    /// The tag did not verify: tampered, sealed for another cookie name, or forged.
    Unauthenticated,
    /// The session's deadline (idle or absolute) has passed.
    Expired {
        /// Unix seconds after which the value stopped opening.
        expired_at: u64,
    },
    /// The session claims to begin in the future, beyond the allowed clock-skew leeway.
    NotYetValid {
        /// Unix seconds at which the session claims to begin.
        created_at: u64,
    },
    /// The session began before the sealer's `invalidate_before` moment.
    Revoked {
        /// Unix seconds at which the session began.
        created_at: u64,
    },
    /// The payload authenticated but the codec could not decode it into the requested type.
    Decode(CodecError),
}

/// The ways a value can be malformed before any cryptography runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Malformed {
    /// The value was empty.
    Empty,
    /// The value is not base64 in its format's alphabet (unpadded base64url for the native
    /// format, standard base64 for the `@fastify/secure-session` format).
    Base64,
    /// The decoded value is shorter than the fixed overhead.
    TooShort {
        /// Decoded length in bytes.
        len: usize,
        /// The fixed overhead of the format in bytes.
        min: usize,
    },
    /// The value is not two parts joined by one `;` (the `@fastify/secure-session` format:
    /// ciphertext, then nonce).
    #[cfg(feature = "fastify")]
    #[cfg_attr(docsrs, doc(cfg(feature = "fastify")))]
    Separator,
    /// The nonce is not the length the cipher takes (the `@fastify/secure-session` format).
    #[cfg(feature = "fastify")]
    #[cfg_attr(docsrs, doc(cfg(feature = "fastify")))]
    NonceLength {
        /// Decoded nonce length in bytes.
        len: usize,
        /// The length the cipher takes.
        expected: usize,
    },
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("empty value"),
            Self::Base64 => f.write_str("not valid base64"),
            Self::TooShort { len, min } => {
                write!(
                    f,
                    "decoded value is {len} bytes, shorter than the {min}-byte minimum"
                )
            }
            #[cfg(feature = "fastify")]
            Self::Separator => f.write_str("not a ciphertext and a nonce joined by `;`"),
            #[cfg(feature = "fastify")]
            Self::NonceLength { len, expected } => {
                write!(f, "nonce is {len} bytes, the cipher takes {expected}")
            }
        }
    }
}

impl fmt::Display for OpenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge { len, max } => {
                write!(f, "value is {len} bytes, over the limit of {max} bytes")
            }
            Self::Malformed(m) => write!(f, "malformed value: {m}"),
            Self::UnsupportedVersion(v) => write!(f, "unsupported format version {v}"),
            Self::WrongCodec {
                sealed_with,
                expected,
            } => write!(
                f,
                "value was sealed with codec {sealed_with}, this sealer's codec is {expected}"
            ),
            Self::UnknownKey(id) => write!(f, "no key in the ring has key id {id}"),
            Self::Unauthenticated => f.write_str("value did not authenticate"),
            Self::Expired { expired_at } => write!(f, "session expired at unix time {expired_at}"),
            Self::NotYetValid { created_at } => {
                write!(
                    f,
                    "session claims to begin at unix time {created_at}, in the future"
                )
            }
            Self::Revoked { created_at } => write!(
                f,
                "session began at unix time {created_at}, before the invalidation cut-off"
            ),
            Self::Decode(e) => write!(f, "could not decode the session: {e}"),
        }
    }
}

impl OpenError {
    /// Whether the value got as far as the cipher: a failure after it (the tag, the
    /// deadlines, the codec) cost a decryption; one before it (length, base64, version, key
    /// id) cost next to nothing. The cookie reader bounds the former per request.
    pub(crate) fn reached_cipher(&self) -> bool {
        match self {
            Self::TooLarge { .. }
            | Self::Malformed(_)
            | Self::UnsupportedVersion(_)
            | Self::WrongCodec { .. }
            | Self::UnknownKey(_) => false,
            Self::Unauthenticated
            | Self::Expired { .. }
            | Self::NotYetValid { .. }
            | Self::Revoked { .. }
            | Self::Decode(_) => true,
        }
    }
}

impl std::error::Error for OpenError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Decode(e) => Some(e),
            _ => None,
        }
    }
}

/// A [`Sealer`](crate::Sealer) setting that cannot work.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// A cookie name must be 1 to 256 characters of the HTTP token set (RFC 6265 / RFC 9110)
    /// other than `%`: letters, digits and ``!#$&'*+-.^_`|~``.
    InvalidCookieName {
        /// The name given.
        name: String,
    },
    /// A session cookie without chunking whose sealer may write more than browsers keep
    /// (4096 bytes, name plus value): browsers would drop it without a word.
    CookieTooLarge {
        /// The sealer's limit, name plus value, in bytes.
        size: usize,
        /// What browsers keep.
        max: usize,
    },
    /// A chunk count of 0 or over [`MAX_CHUNKS`](crate::MAX_CHUNKS).
    ChunkCount {
        /// The count asked for.
        max_chunks: usize,
        /// The largest allowed.
        max: usize,
    },
    /// The clock-skew leeway is over [`MAX_LEEWAY`](crate::MAX_LEEWAY).
    LeewayTooLarge {
        /// The leeway asked for, in seconds.
        seconds: u64,
        /// The largest accepted, in seconds.
        max: u64,
    },
    /// An origin for the CSRF policy that is not `scheme://host[:port]` (with at most one
    /// trailing `/`): a path, a wildcard, `null` or user info.
    InvalidOrigin {
        /// The origin given.
        origin: String,
    },
    /// A host for `CsrfPolicy::allowed_host` that is not a host with an optional port.
    InvalidHost {
        /// The host given.
        host: String,
    },
    /// A tower-sessions `Expiry` that sealed cookies cannot carry (feature `tower-sessions`).
    UnsupportedExpiry {
        /// Which expiry, and what to use instead.
        reason: &'static str,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidCookieName { name } => write!(
                f,
                "invalid cookie name {name:?}: use 1 to 256 characters from letters, digits and !#$&'*+-.^_`|~"
            ),
            Self::CookieTooLarge { size, max } => write!(
                f,
                "the sealer writes cookies of up to {size} bytes, over the {max} bytes browsers \
                 keep: lower max_cookie_size or use SessionCookie::chunked"
            ),
            Self::ChunkCount { max_chunks, max } => {
                write!(f, "max_chunks must be 1 to {max}, got {max_chunks}")
            }
            Self::LeewayTooLarge { seconds, max } => write!(
                f,
                "clock-skew leeway of {seconds} s is over the limit of {max} s"
            ),
            Self::InvalidOrigin { origin } => write!(
                f,
                "invalid origin {origin:?}: write it as browsers do, scheme://host or \
                 scheme://host:port, with no path"
            ),
            Self::InvalidHost { host } => write!(
                f,
                "invalid host {host:?}: write it as a Host header does, host or host:port"
            ),
            Self::UnsupportedExpiry { reason } => {
                write!(f, "unsupported session expiry: {reason}")
            }
        }
    }
}

impl std::error::Error for ConfigError {}

/// Why no CSRF token could be made for a session.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CsrfError {
    /// The session could not take the new secret (most often: it would no longer fit its
    /// cookie).
    Session(SessionError),
    /// The operating system's random generator failed.
    Random,
}

impl fmt::Display for CsrfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Session(e) => write!(f, "could not store the CSRF secret in the session: {e}"),
            Self::Random => f.write_str("the operating system's random generator failed"),
        }
    }
}

impl std::error::Error for CsrfError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Session(e) => Some(e),
            Self::Random => None,
        }
    }
}

/// Why no `Set-Cookie` value could be written.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WriteError {
    /// The sealer refused, for example [`SealError::TooLarge`]: the session, sealed, is over
    /// its cookie's limit.
    Seal(SealError),
    /// The cookie name holds a byte not allowed in a header (only possible with a
    /// [`SessionSealer`](crate::SessionSealer) that does not check its name).
    InvalidHeader,
    /// With chunking on ([`SessionCookie::chunked`](crate::SessionCookie::chunked)), the session needs more cookies than
    /// the configured cap.
    TooManyChunks {
        /// Bytes of name plus encoded value, before splitting.
        size: usize,
        /// The cap on the number of cookies.
        max_chunks: usize,
        /// Bytes of value each cookie can hold.
        room: usize,
    },
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Seal(e) => write!(f, "could not seal the session: {e}"),
            Self::InvalidHeader => {
                f.write_str("the session cookie is not a valid Set-Cookie header value")
            }
            Self::TooManyChunks {
                size,
                max_chunks,
                room,
            } => write!(
                f,
                "session cookie is {size} bytes (name plus value), over the {max_chunks} cookies \
                 of {room} bytes each it may be split over"
            ),
        }
    }
}

impl std::error::Error for WriteError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Seal(e) => Some(e),
            Self::InvalidHeader | Self::TooManyChunks { .. } => None,
        }
    }
}

impl From<SealError> for WriteError {
    fn from(e: SealError) -> Self {
        Self::Seal(e)
    }
}
