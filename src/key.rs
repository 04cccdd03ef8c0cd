//! A single 32-byte sealing key: generation, encoding, Argon2id derivation and its key id.

use core::fmt;

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;
use blake2::digest::{KeyInit as _, Mac as _};
use rand::TryRngCore as _;
use subtle::ConstantTimeEq as _;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::error::KeyError;

/// Length of a key in bytes.
pub const KEY_LEN: usize = 32;

/// Length of the salt [`Key::derive`] takes, in bytes.
pub const SALT_LEN: usize = 16;

/// Shortest secret [`Key::derive`] accepts, in bytes.
pub const MIN_SECRET_LEN: usize = 32;

/// The most bytes [`Key::from_base64`] decodes (into a buffer on the stack): any text longer is
/// not a key, and is refused by its length alone.
const MAX_DECODED_KEY_TEXT: usize = 1024;

/// The message the key id MACs; changing it would change every key id.
const KEY_ID_MESSAGE: &[u8] = b"sealed-session key-id v1";

/// The public, stable identifier of a [`Key`]: the first 4 bytes of
/// BLAKE2b-256 keyed with the key over `sealed-session key-id v1`.
///
/// Every instance holding a key computes the same id, so no configuration names keys. Ids are
/// not secret; they appear in every sealed value. Displayed as 8 lower-case hex digits.
///
/// ```
/// use sealed_session::Key;
/// let key = Key::from_bytes([7; 32]);
/// assert_eq!(key.id().to_string().len(), 8);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId([u8; 4]);

impl KeyId {
    /// The id's four bytes, as they appear in the wire format.
    pub const fn to_bytes(self) -> [u8; 4] {
        self.0
    }

    /// An id from its four wire bytes.
    pub const fn from_bytes(bytes: [u8; 4]) -> Self {
        Self(bytes)
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

/// Argon2id cost parameters for [`Key::derive_with`].
///
/// The presets are libsodium's `crypto_pwhash` limits, so a key derived here equals one derived
/// by libsodium (and so by `@fastify/secure-session`) from the same secret and salt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeriveParams {
    t_cost: u32,
    m_cost_kib: u32,
    p_cost: u32,
}

impl DeriveParams {
    /// libsodium's INTERACTIVE: 2 passes over 64 MiB.
    pub const INTERACTIVE: Self = Self {
        t_cost: 2,
        m_cost_kib: 64 * 1024,
        p_cost: 1,
    };
    /// libsodium's MODERATE, the default: 3 passes over 256 MiB.
    pub const MODERATE: Self = Self {
        t_cost: 3,
        m_cost_kib: 256 * 1024,
        p_cost: 1,
    };
    /// libsodium's SENSITIVE: 4 passes over 1 GiB.
    pub const SENSITIVE: Self = Self {
        t_cost: 4,
        m_cost_kib: 1024 * 1024,
        p_cost: 1,
    };

    /// Custom parameters: passes, memory in KiB, lanes. Checked when used.
    pub const fn new(t_cost: u32, m_cost_kib: u32, p_cost: u32) -> Self {
        Self {
            t_cost,
            m_cost_kib,
            p_cost,
        }
    }

    /// Number of passes over memory.
    pub const fn t_cost(&self) -> u32 {
        self.t_cost
    }

    /// Memory in KiB.
    pub const fn m_cost_kib(&self) -> u32 {
        self.m_cost_kib
    }

    /// Degree of parallelism (lanes).
    pub const fn p_cost(&self) -> u32 {
        self.p_cost
    }
}

impl Default for DeriveParams {
    fn default() -> Self {
        Self::MODERATE
    }
}

/// A 32-byte sealing key.
///
/// The bytes are zeroized when the key is dropped, `Debug` prints only the [`KeyId`], and `==`
/// compares in constant time.
///
/// ```
/// use sealed_session::Key;
/// let key = Key::generate();
/// let text = key.to_base64();
/// let again = Key::from_base64(&text)?;
/// assert_eq!(key, again);
/// assert!(!format!("{key:?}").contains(&text));
/// # Ok::<(), sealed_session::KeyError>(())
/// ```
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Key {
    bytes: [u8; KEY_LEN],
    #[zeroize(skip)]
    id: KeyId,
}

impl Key {
    /// A new key from the operating system's random number generator.
    ///
    /// # Panics
    /// If the operating system cannot supply randomness, which leaves no safe way to go on.
    #[allow(clippy::expect_used)] // no key can be made without OS randomness
    pub fn generate() -> Self {
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        rand::rngs::OsRng
            .try_fill_bytes(bytes.as_mut())
            .expect("the operating system's random number generator failed");
        Self::from_bytes(*bytes)
    }

    /// A key from exactly 32 bytes of key material.
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        let id = key_id(&bytes);
        Self { bytes, id }
    }

    /// A key from a slice, which must be exactly 32 bytes long.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, KeyError> {
        let array: [u8; KEY_LEN] = bytes
            .try_into()
            .map_err(|_| KeyError::Length { len: bytes.len() })?;
        Ok(Self::from_bytes(array))
    }

    /// A key from base64 text: standard or url-safe alphabet, padded or not, surrounding
    /// white space ignored.
    ///
    /// ```
    /// use sealed_session::{Key, KeyError};
    /// assert_eq!(Key::from_base64("AAAA").unwrap_err(), KeyError::Length { len: 3 });
    /// ```
    pub fn from_base64(text: &str) -> Result<Self, KeyError> {
        let text = text.trim();
        let engine = match (text.contains(['-', '_']), text.ends_with('=')) {
            (true, true) => &URL_SAFE,
            (true, false) => &URL_SAFE_NO_PAD,
            (false, true) => &STANDARD,
            (false, false) => &STANDARD_NO_PAD,
        };
        // Decoded into a buffer of our own, wiped when it goes: `decode` would allocate a
        // vector and, when a typo stops it partway, free it holding the key bytes read so far.
        // Text too long for the buffer is no key, and is not decoded at all.
        let mut decoded = Zeroizing::new([0u8; MAX_DECODED_KEY_TEXT]);
        match engine.decode_slice(text, &mut decoded[..]) {
            Ok(len) => Self::from_slice(&decoded[..len]),
            Err(base64::DecodeSliceError::OutputSliceTooSmall) => Err(KeyError::Length {
                len: text.trim_end_matches('=').len() * 3 / 4,
            }),
            Err(base64::DecodeSliceError::DecodeError(_)) => Err(KeyError::Base64),
        }
    }

    /// The key as standard, padded base64 (44 characters): the form key lists use.
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.bytes)
    }

    /// Derive a key from a secret and a 16-byte salt with Argon2id v1.3 at libsodium's MODERATE
    /// cost (3 passes over 256 MiB): the same key `@fastify/secure-session` derives.
    ///
    /// This takes on the order of a second and 256 MiB: call it once at start-up.
    pub fn derive(secret: &[u8], salt: &[u8]) -> Result<Self, KeyError> {
        Self::derive_with(secret, salt, DeriveParams::MODERATE)
    }

    /// [`Key::derive`] with other Argon2id cost parameters.
    ///
    /// ```
    /// use sealed_session::{DeriveParams, Key, KeyError};
    /// let light = DeriveParams::new(1, 64, 1); // for tests only
    /// let a = Key::derive_with(b"a secret of at least thirty-two bytes!!", b"sixteen byte slt", light)?;
    /// let b = Key::derive_with(b"a secret of at least thirty-two bytes!!", b"sixteen byte slt", light)?;
    /// assert_eq!(a, b);
    /// assert_eq!(
    ///     Key::derive_with(b"short", b"sixteen byte slt", light).unwrap_err(),
    ///     KeyError::SecretTooShort { len: 5 }
    /// );
    /// # Ok::<(), KeyError>(())
    /// ```
    pub fn derive_with(secret: &[u8], salt: &[u8], params: DeriveParams) -> Result<Self, KeyError> {
        if secret.len() < MIN_SECRET_LEN {
            return Err(KeyError::SecretTooShort { len: secret.len() });
        }
        if salt.len() != SALT_LEN {
            return Err(KeyError::SaltLength { len: salt.len() });
        }
        let argon_params = argon2::Params::new(
            params.m_cost_kib,
            params.t_cost,
            params.p_cost,
            Some(KEY_LEN),
        )
        .map_err(|e| KeyError::Params(e.to_string()))?;
        let argon = argon2::Argon2::new(
            argon2::Algorithm::Argon2id,
            argon2::Version::V0x13,
            argon_params,
        );
        let mut out = Zeroizing::new([0u8; KEY_LEN]);
        argon
            .hash_password_into(secret, salt, out.as_mut())
            .map_err(|e| KeyError::Params(e.to_string()))?;
        Ok(Self::from_bytes(*out))
    }

    /// The key's public id.
    pub fn id(&self) -> KeyId {
        self.id
    }

    /// The raw key bytes. Handle with care: this is the secret.
    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.bytes
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.bytes.ct_eq(&other.bytes).into()
    }
}

impl Eq for Key {}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Key")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

fn key_id(bytes: &[u8; KEY_LEN]) -> KeyId {
    let mut mac = <blake2::Blake2bMac<blake2::digest::consts::U32>>::new_from_slice(bytes)
        .unwrap_or_else(|_| unreachable!("BLAKE2b takes keys of up to 64 bytes"));
    mac.update(KEY_ID_MESSAGE);
    let out = mac.finalize().into_bytes();
    KeyId([out[0], out[1], out[2], out[3]])
}
