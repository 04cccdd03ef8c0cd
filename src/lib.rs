#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod aead;
#[cfg(feature = "axum")]
mod axum;
mod chunk;
mod clock;
mod codec;
mod cookie;
mod cookie_header;
mod entries;
mod envelope;
mod error;
#[cfg(feature = "fastify")]
mod fastify;
mod key;
mod ring;
mod sealer;
mod session;

#[cfg(feature = "axum")]
pub use self::axum::{
    DefaultName, NamedSession, OnSaveError, SessionLayer, SessionName, SessionRejection,
    SessionService,
};
pub use self::chunk::MAX_CHUNKS;
pub use self::cookie::{SameSite, SessionCookie, WriteError};
pub use self::cookie_header::{cookie_values, MAX_CANDIDATES, MAX_COOKIE_HEADER_BYTES};
pub use clock::{unix_seconds, Clock, ManualClock, SystemClock};
#[cfg(feature = "bincode")]
pub use codec::Bincode;
#[cfg(feature = "json")]
pub use codec::Json;
pub use codec::{Codec, DefaultCodec, Postcard, MAX_DECODE_LEN};
pub use entries::{Entries, Iter as EntriesIter};
pub use envelope::{MAX_NAME_LEN, OVERHEAD};
pub use error::{CodecError, ConfigError, KeyError, Malformed, OpenError, SealError};
#[cfg(feature = "fastify")]
pub use fastify::{
    FastifyMigration, FastifyOpened, FastifySealer, FASTIFY_DEFAULT_EXPIRY, FASTIFY_DEFAULT_SALT,
    FASTIFY_TS_FIELD,
};
pub use key::{DeriveParams, Key, KeyId, KEY_LEN, MIN_SECRET_LEN, SALT_LEN};
pub use ring::KeyRing;
pub use sealer::{
    is_valid_cookie_name, Opened, Sealer, DEFAULT_COOKIE_NAME, DEFAULT_LEEWAY,
    DEFAULT_MAX_LIFETIME, MAX_COOKIE_SIZE, MAX_LEEWAY,
};
pub use session::{
    CookieExpiry, OpenedSession, SealedSession, Session, SessionSealer, TypedSession,
};
