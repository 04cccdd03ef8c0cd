//! Shared set-up for the fuzz targets: fixed keys, a handful of sealer configurations that
//! differ in every setting an attacker's input meets, and a session type shaped like real ones.

use std::collections::BTreeMap;
use std::sync::LazyLock;
use std::time::Duration;

use sealed_session::{Bincode, Json, Key, KeyRing, Postcard, Sealer};

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

fn ring() -> KeyRing {
    match KeyRing::from_keys([primary(), previous()]) {
        Ok(ring) => ring,
        Err(e) => panic!("fixed keys make a ring: {e}"),
    }
}

/// One sealer of each codec, with settings that differ in everything the input meets.
pub struct Sealers {
    pub bincode: Sealer<Bincode>,
    pub postcard: Sealer<Postcard>,
    pub json: Sealer<Json>,
    /// A sealer with a tiny size limit: nearly everything is refused before decoding.
    pub tiny: Sealer<Bincode>,
}

/// The sealers, built once per process.
pub static SEALERS: LazyLock<Sealers> = LazyLock::new(|| Sealers {
    bincode: Sealer::with_codec(ring(), Bincode),
    postcard: Sealer::with_codec(ring(), Postcard)
        .cookie_name("__Host-id")
        .idle_timeout(Duration::from_secs(600))
        .max_lifetime(Duration::from_secs(7 * 86400)),
    json: Sealer::with_codec(ring(), Json)
        .cookie_name("s")
        .invalidate_before_unix(1_000_000)
        .leeway(Duration::ZERO)
        .max_cookie_size(16 * 1024),
    tiny: Sealer::with_codec(ring(), Bincode).max_cookie_size(64),
});

/// Splits fuzz input into a selector byte, a time and the rest.
pub fn split(data: &[u8]) -> Option<(u8, u64, &[u8])> {
    let (&selector, rest) = data.split_first()?;
    let (time, rest) = rest.split_at_checked(8)?;
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(time);
    Some((selector, u64::from_le_bytes(bytes), rest))
}
