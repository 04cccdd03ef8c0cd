//! The key ring: one primary key that seals, previous keys that only open, lookup by key id.

use std::collections::HashMap;
use std::fmt;

use zeroize::Zeroizing;

use crate::error::KeyError;
use crate::key::{Key, KeyId};

/// The keys a [`Sealer`](crate::Sealer) uses: the primary seals, every key opens.
///
/// Rotation is: put a new key first, keep the old ones after it until every cookie they sealed
/// has expired or been re-sealed, then drop them. Values sealed with a previous key open and
/// report [`needs_reseal`](crate::Opened::needs_reseal); values sealed with a key no longer in
/// the ring fail with [`OpenError::UnknownKey`](crate::OpenError::UnknownKey).
///
/// ```
/// use sealed_session::{Key, KeyRing};
/// let (new, old) = (Key::generate(), Key::generate());
/// let list = format!("{},{}", new.to_base64(), old.to_base64());
/// let ring = KeyRing::from_base64_list(&list)?;
/// assert_eq!(ring.primary().id(), new.id());
/// assert_eq!(ring.len(), 2);
/// assert_eq!(ring.to_base64_list(), list);
/// # Ok::<(), sealed_session::KeyError>(())
/// ```
#[derive(Clone)]
pub struct KeyRing {
    /// Primary first, then previous keys newest to oldest.
    entries: Vec<Key>,
    by_id: HashMap<KeyId, usize>,
}

impl KeyRing {
    /// A ring of one key.
    pub fn new(primary: Key) -> Self {
        let id = primary.id();
        Self {
            entries: vec![primary],
            by_id: HashMap::from([(id, 0)]),
        }
    }

    /// A ring from keys listed newest first: the first seals, all open.
    ///
    /// Fails on an empty list, or when two keys share a key id (the same key listed twice).
    ///
    /// No heap block that held key bytes is freed unwiped here. Keys moved out of the caller's
    /// own `Vec` (`from_keys(vec)`) leave copies in that vector's buffer, which is not the
    /// ring's to wipe: pass an array, or an iterator that makes or clones the keys.
    pub fn from_keys(keys: impl IntoIterator<Item = Key>) -> Result<Self, KeyError> {
        let keys = keys.into_iter();
        let mut ring = Builder::with_capacity(keys.size_hint().0);
        for key in keys {
            ring.push(key)?;
        }
        ring.finish()
    }

    /// Add a previous key (open only) after the existing ones.
    pub fn with_previous(self, key: Key) -> Result<Self, KeyError> {
        let mut ring = Builder {
            entries: self.entries,
            by_id: self.by_id,
        };
        ring.push(key)?;
        ring.finish()
    }

    /// Parse the comma-separated list an environment variable holds, newest key first:
    /// `"NEW,OLDER,OLDEST"`. Each entry is base64 as [`Key::from_base64`] reads it; white space
    /// around entries and empty entries (a trailing comma) are ignored.
    ///
    /// A bad entry is reported by its position in `list`, counted from 1 with empty entries
    /// included, and never by its text.
    pub fn from_base64_list(list: &str) -> Result<Self, KeyError> {
        let entries = || list.split(',').map(str::trim);
        // Counted first so that the ring is allocated once and never moves its keys.
        let mut ring = Builder::with_capacity(entries().filter(|e| !e.is_empty()).count());
        for (index, entry) in entries().enumerate() {
            if entry.is_empty() {
                continue;
            }
            let key = Key::from_base64(entry).map_err(|reason| KeyError::ListEntry {
                position: index + 1,
                reason: Box::new(if looks_like_hex_key(entry) {
                    KeyError::HexNotBase64
                } else {
                    reason
                }),
            })?;
            ring.push(key)?;
        }
        ring.finish()
    }

    /// The ring from the environment variable `var`, holding a list as
    /// [`from_base64_list`](Self::from_base64_list) reads it: `SESSION_KEYS=NEW,OLDER`.
    ///
    /// Errors name the variable, never its value: [`KeyError::EnvNotSet`] when it is unset or
    /// blank (so that a program can choose to refuse to start, or to fall back to something
    /// else), [`KeyError::Env`] when it does not parse. The copy of the value read here is
    /// wiped once parsed.
    ///
    /// # Example
    /// ```
    /// use sealed_session::{Key, KeyError, KeyRing};
    /// # std::env::set_var("DOC_SESSION_KEYS", Key::generate().to_base64());
    /// # std::env::set_var("DOC_BAD_KEYS", "c2VjcmV0");
    /// let ring = KeyRing::from_env("DOC_SESSION_KEYS")?;
    /// assert_eq!(ring.len(), 1);
    ///
    /// let unset = KeyRing::from_env("DOC_UNSET_KEYS").unwrap_err();
    /// assert_eq!(unset, KeyError::EnvNotSet { var: "DOC_UNSET_KEYS".into() });
    /// // A bad list is named by its variable; the value itself is not repeated.
    /// let bad = KeyRing::from_env("DOC_BAD_KEYS").unwrap_err();
    /// assert!(matches!(&bad, KeyError::Env { var, .. } if var == "DOC_BAD_KEYS"));
    /// assert!(!bad.to_string().contains("c2VjcmV0"));
    /// # Ok::<(), KeyError>(())
    /// ```
    pub fn from_env(var: &str) -> Result<Self, KeyError> {
        let not_set = || KeyError::EnvNotSet {
            var: var.to_owned(),
        };
        let invalid = |reason| KeyError::Env {
            var: var.to_owned(),
            reason: Box::new(reason),
        };
        let value = std::env::var_os(var).ok_or_else(not_set)?;
        // Not UTF-8, so not base64 either.
        let value = Zeroizing::new(value.into_string().map_err(|_| invalid(KeyError::Base64))?);
        if value.trim().is_empty() {
            return Err(not_set());
        }
        Self::from_base64_list(&value).map_err(invalid)
    }

    /// The ring as the comma-separated list [`from_base64_list`](Self::from_base64_list) reads.
    pub fn to_base64_list(&self) -> String {
        // Sized up front (44 characters a key and the commas), so the result never reallocates
        // and frees a block holding key text; each key's own text is wiped once copied.
        let mut list = String::with_capacity(self.entries.len() * 45);
        for (i, key) in self.keys().enumerate() {
            if i > 0 {
                list.push(',');
            }
            list.push_str(&Zeroizing::new(key.to_base64()));
        }
        list
    }

    /// The key that seals.
    pub fn primary(&self) -> &Key {
        // new and from_keys guarantee at least one key.
        &self.entries[0]
    }

    /// Every key, primary first.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &Key> + '_ {
        self.entries.iter()
    }

    /// The key with this id, if the ring holds it. Constant time in the ring's size.
    pub fn get(&self, id: KeyId) -> Option<&Key> {
        // Most values were sealed by the primary key: a four-byte comparison before hashing.
        match self.entries.first() {
            Some(primary) if primary.id() == id => Some(primary),
            _ => self.by_id.get(&id).and_then(|&i| self.entries.get(i)),
        }
    }

    /// Number of keys, primary included.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Always false: a ring holds at least its primary key.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// At most this many keys are allocated for up front from an iterator's size hint: the hint is
/// the caller's, and a ring is short.
const MAX_PREALLOCATED: usize = 64;

/// A ring under construction, whose key vector never frees a block holding key bytes unwiped.
struct Builder {
    entries: Vec<Key>,
    by_id: HashMap<KeyId, usize>,
}

impl Builder {
    fn with_capacity(keys: usize) -> Self {
        let keys = keys.min(MAX_PREALLOCATED);
        Self {
            entries: Vec::with_capacity(keys),
            by_id: HashMap::with_capacity(keys),
        }
    }

    /// Add `key` after the others; refused when a key with its id is already there.
    fn push(&mut self, key: Key) -> Result<(), KeyError> {
        let id = key.id();
        if self.by_id.contains_key(&id) {
            return Err(KeyError::DuplicateKeyId(id));
        }
        if self.entries.len() == self.entries.capacity() {
            // `Vec::push` would reallocate and free the old block with the keys still in it.
            // Instead: copy them into a larger vector and drop the old one, which zeroizes
            // every key in place before its block is freed.
            let mut larger = Vec::with_capacity((self.entries.len() * 2).max(4));
            larger.extend(self.entries.iter().cloned());
            self.entries = larger;
        }
        self.by_id.insert(id, self.entries.len());
        self.entries.push(key);
        Ok(())
    }

    fn finish(self) -> Result<KeyRing, KeyError> {
        if self.entries.is_empty() {
            return Err(KeyError::EmptyRing);
        }
        Ok(KeyRing {
            entries: self.entries,
            by_id: self.by_id,
        })
    }
}

/// 64 hex digits: a 32-byte key written in hex, which is also valid base64 of 48 bytes.
fn looks_like_hex_key(entry: &str) -> bool {
    entry.len() == 64 && entry.bytes().all(|b| b.is_ascii_hexdigit())
}

impl From<Key> for KeyRing {
    fn from(key: Key) -> Self {
        Self::new(key)
    }
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRing")
            .field("primary", &self.primary().id())
            .field(
                "previous",
                &self.keys().skip(1).map(Key::id).collect::<Vec<_>>(),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(seed: u8) -> String {
        Key::from_bytes([seed; 32]).to_base64()
    }

    #[test]
    fn a_bad_entry_is_named_by_its_position_from_1_counting_empty_entries() {
        let list = format!("{},,not base64!", text(1));
        let err = KeyRing::from_base64_list(&list).unwrap_err();
        assert_eq!(
            err,
            KeyError::ListEntry {
                position: 3,
                reason: Box::new(KeyError::Base64)
            }
        );
        assert_eq!(
            err.to_string(),
            "key 3 of the list: key is not valid base64 (standard or url-safe, padded or not)"
        );
        let first = KeyRing::from_base64_list(" AAAA , ").unwrap_err();
        assert_eq!(
            first.to_string(),
            "key 1 of the list: a key is 32 bytes, got 3"
        );
    }

    #[test]
    fn a_hex_key_in_a_list_is_refused_with_a_hint_and_not_repeated() {
        let hex: String = (0..32u8).map(|b| format!("{:02x}", b ^ 0xa7)).collect();
        let err = KeyRing::from_base64_list(&format!("{},{hex}", text(1))).unwrap_err();
        assert_eq!(
            err,
            KeyError::ListEntry {
                position: 2,
                reason: Box::new(KeyError::HexNotBase64)
            }
        );
        let message = err.to_string();
        assert!(message.starts_with("key 2 of the list: key is 64 hex digits, but keys are base64"));
        assert!(!message.contains(&hex) && !message.contains(&hex[..8]));
        // Only a key's length in hex gets the hint: 60 hex digits are base64 of 45 bytes.
        let short = KeyRing::from_base64_list(&hex[..60]).unwrap_err();
        assert_eq!(
            short,
            KeyError::ListEntry {
                position: 1,
                reason: Box::new(KeyError::Length { len: 45 })
            }
        );
    }
}
