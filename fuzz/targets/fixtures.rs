//! What the targets share: fixed keys, a handful of sealer configurations that differ in every
//! setting an attacker's input meets, a session type shaped like real ones, and the split of an
//! input into a selector, a time and the rest.

use std::collections::BTreeMap;
use std::sync::LazyLock;
use std::time::Duration;

#[cfg(feature = "bincode")]
use sealed_session::Bincode;
#[cfg(feature = "json")]
use sealed_session::Json;
use sealed_session::{Codec, Key, KeyRing, Postcard, Sealer, DEFAULT_COOKIE_NAME};

/// A typical session: ids, strings, a list, a map and an option.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Session {
    pub user_id: u64,
    pub name: String,
    pub roles: Vec<String>,
    pub counters: BTreeMap<String, i64>,
    pub csrf: Option<[u8; 16]>,
    pub kind: Kind,
}

/// An enum, so that variant tags are decoded too.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Kind {
    Anonymous,
    User { verified: bool },
    Admin(u32),
}

/// The primary key of every ring here.
pub fn primary() -> Key {
    Key::from_bytes([0x11; 32])
}

/// A previous (open-only) key of every ring here.
pub fn previous() -> Key {
    Key::from_bytes([0x22; 32])
}

/// A key outside every ring.
pub fn stranger() -> Key {
    Key::from_bytes([0x33; 32])
}

pub fn ring() -> KeyRing {
    match KeyRing::from_keys([primary(), previous()]) {
        Ok(ring) => ring,
        Err(e) => panic!("fixed keys make a ring: {e}"),
    }
}

/// A sealer, the cookie name it seals for (the independent check needs the name: it is the
/// AAD's tail), and how it is built from a ring (the seeds build it with other keys).
pub struct Configured<C: Codec> {
    pub sealer: Sealer<C>,
    pub cookie_name: &'static str,
    pub build: fn(KeyRing) -> Sealer<C>,
}

impl<C: Codec> Configured<C> {
    fn new(build: fn(KeyRing) -> Sealer<C>, cookie_name: &'static str) -> Self {
        Self {
            sealer: build(ring()),
            cookie_name,
            build,
        }
    }
}

/// One sealer of each codec, with settings that differ in everything the input meets.
pub struct Sealers {
    #[cfg(feature = "bincode")]
    pub bincode: Configured<Bincode>,
    pub postcard: Configured<Postcard>,
    #[cfg(feature = "json")]
    pub json: Configured<Json>,
    /// A sealer with a tiny size limit: nearly everything is refused before decoding.
    pub tiny: Configured<Postcard>,
}

/// The sealers, built once per process.
pub static SEALERS: LazyLock<Sealers> = LazyLock::new(|| Sealers {
    #[cfg(feature = "bincode")]
    bincode: Configured::new(
        |ring| Sealer::with_codec(ring, Bincode),
        DEFAULT_COOKIE_NAME,
    ),
    postcard: Configured::new(
        |ring| {
            Sealer::with_codec(ring, Postcard)
                .cookie_name("__Host-id")
                .idle_timeout(Duration::from_secs(600))
                .max_lifetime(Duration::from_secs(7 * 86400))
        },
        "__Host-id",
    ),
    #[cfg(feature = "json")]
    json: Configured::new(
        |ring| {
            Sealer::with_codec(ring, Json)
                .cookie_name("s")
                .invalidate_before_unix(1_000_000)
                .leeway(Duration::ZERO)
                .max_cookie_size(16 * 1024)
        },
        "s",
    ),
    tiny: Configured::new(
        |ring| Sealer::with_codec(ring, Postcard).max_cookie_size(64),
        DEFAULT_COOKIE_NAME,
    ),
});

/// Splits fuzz input into a selector byte, a time and the rest.
pub fn split(data: &[u8]) -> Option<(u8, u64, &[u8])> {
    let (&selector, rest) = data.split_first()?;
    let (time, rest) = rest.split_at_checked(8)?;
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(time);
    Some((selector, u64::from_le_bytes(bytes), rest))
}

/// The input `split` takes apart: what the seeds are written as.
pub fn join(selector: u8, now: u64, rest: &[u8]) -> Vec<u8> {
    let mut data = vec![selector];
    data.extend_from_slice(&now.to_le_bytes());
    data.extend_from_slice(rest);
    data
}
