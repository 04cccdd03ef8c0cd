//! A session's entries: a small map from keys to encoded values, kept sorted by key.

use std::fmt;
use std::iter::FusedIterator;
use std::slice;
use std::vec;

/// The entries of a [`Session`](crate::Session): each key's value, already encoded with the
/// session's [`Codec`](crate::Codec).
///
/// A map kept sorted by key, so that equal sessions encode to equal bytes, with the part of
/// `BTreeMap`'s interface a session needs. It is one vector of key and value pairs: a session
/// holds a handful of entries, and for those a sorted vector is smaller and faster than a tree
/// (one allocation of a few dozen bytes where a tree node takes more than 500, lookups by
/// binary search over contiguous keys).
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Entries {
    /// Sorted by key, keys unique.
    items: Vec<(String, Vec<u8>)>,
}

impl Entries {
    /// An empty map; allocates nothing until the first insert.
    pub const fn new() -> Self {
        Self { items: Vec::new() }
    }

    /// An empty map with room for `capacity` entries.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            items: Vec::with_capacity(capacity),
        }
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Where `key` is (`Ok`), or where it would go (`Err`).
    fn position(&self, key: &str) -> Result<usize, usize> {
        self.items.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }

    /// The value under `key`.
    pub fn get(&self, key: &str) -> Option<&Vec<u8>> {
        self.position(key).ok().map(|i| &self.items[i].1)
    }

    /// The value under `key`, to change in place.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Vec<u8>> {
        self.position(key).ok().map(|i| &mut self.items[i].1)
    }

    /// Whether there is a value under `key`.
    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_ok()
    }

    /// Store `value` under `key`, returning the value it replaces.
    pub fn insert(&mut self, key: String, value: Vec<u8>) -> Option<Vec<u8>> {
        // Keys arrive in order when a session is decoded: append without searching.
        if self.items.last().is_none_or(|(last, _)| *last < key) {
            self.items.push((key, value));
            return None;
        }
        match self.position(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.items[i].1, value)),
            Err(i) => {
                self.items.insert(i, (key, value));
                None
            }
        }
    }

    /// Remove the value under `key` and return it.
    pub fn remove(&mut self, key: &str) -> Option<Vec<u8>> {
        self.position(key).ok().map(|i| self.items.remove(i).1)
    }

    /// Remove every entry.
    pub fn clear(&mut self) {
        self.items.clear();
    }

    /// Keep only the entries for which `keep` returns `true`.
    pub fn retain(&mut self, mut keep: impl FnMut(&String, &mut Vec<u8>) -> bool) {
        self.items.retain_mut(|(key, value)| keep(key, value));
    }

    /// The entries in key order.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            items: self.items.iter(),
        }
    }

    /// The keys in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &String> + ExactSizeIterator {
        self.items.iter().map(|(key, _)| key)
    }

    /// The values in key order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Vec<u8>> + ExactSizeIterator {
        self.items.iter().map(|(_, value)| value)
    }

    /// The entries whose keys sort before `key`.
    pub fn before(&self, key: &str) -> Iter<'_> {
        let end = self.position(key).unwrap_or_else(|i| i);
        Iter {
            items: self.items[..end].iter(),
        }
    }

    /// The entries whose keys sort after `key`.
    pub fn after(&self, key: &str) -> Iter<'_> {
        let start = match self.position(key) {
            Ok(i) => i + 1,
            Err(i) => i,
        };
        Iter {
            items: self.items[start..].iter(),
        }
    }
}

/// Keys and the length of each value: values are session data, and may be secret.
impl fmt::Debug for Entries {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.iter().map(|(key, value)| (key, Redacted(value.len()))))
            .finish()
    }
}

/// Stands for a value in `Debug` output: its length only.
pub(crate) struct Redacted(pub(crate) usize);

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} bytes redacted>", self.0)
    }
}

/// Collects pairs in any order; a key given twice keeps its last value, as with `BTreeMap`.
impl FromIterator<(String, Vec<u8>)> for Entries {
    fn from_iter<I: IntoIterator<Item = (String, Vec<u8>)>>(pairs: I) -> Self {
        let mut entries = Self::new();
        entries.extend(pairs);
        entries
    }
}

impl Extend<(String, Vec<u8>)> for Entries {
    fn extend<I: IntoIterator<Item = (String, Vec<u8>)>>(&mut self, pairs: I) {
        let pairs = pairs.into_iter();
        self.items.reserve(pairs.size_hint().0);
        for (key, value) in pairs {
            self.insert(key, value);
        }
    }
}

impl<const N: usize> From<[(String, Vec<u8>); N]> for Entries {
    fn from(pairs: [(String, Vec<u8>); N]) -> Self {
        pairs.into_iter().collect()
    }
}

impl IntoIterator for Entries {
    type Item = (String, Vec<u8>);
    type IntoIter = vec::IntoIter<(String, Vec<u8>)>;

    /// The entries in key order.
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a> IntoIterator for &'a Entries {
    type Item = (&'a String, &'a Vec<u8>);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

/// The entries of an [`Entries`] in key order, each as a key and value pair.
#[derive(Clone)]
pub struct Iter<'a> {
    items: slice::Iter<'a, (String, Vec<u8>)>,
}

impl fmt::Debug for Iter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Iter")
            .field("remaining", &self.items.len())
            .finish()
    }
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a String, &'a Vec<u8>);

    fn next(&mut self) -> Option<Self::Item> {
        self.items.next().map(|(key, value)| (key, value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.items.size_hint()
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.items.next_back().map(|(key, value)| (key, value))
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl FusedIterator for Iter<'_> {}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;

    #[derive(Debug, Clone)]
    enum Op {
        Insert(String, Vec<u8>),
        Remove(String),
        Retain(u8),
        Clear,
    }

    fn op() -> impl Strategy<Value = Op> {
        let key = "[a-e]{0,2}";
        prop_oneof![
            6 => (key, proptest::collection::vec(any::<u8>(), 0..3))
                .prop_map(|(k, v)| Op::Insert(k, v)),
            2 => key.prop_map(Op::Remove),
            1 => any::<u8>().prop_map(Op::Retain),
            1 => Just(Op::Clear),
        ]
    }

    proptest! {
        /// Every operation gives what a `BTreeMap` gives: same returns, same contents in the
        /// same order, same lookups, same ranges around each key.
        #[test]
        fn behaves_as_a_btree_map(ops in proptest::collection::vec(op(), 0..40)) {
            let mut entries = Entries::new();
            let mut model = BTreeMap::new();
            for op in ops {
                match op {
                    Op::Insert(k, v) => {
                        prop_assert_eq!(entries.insert(k.clone(), v.clone()), model.insert(k, v));
                    }
                    Op::Remove(k) => prop_assert_eq!(entries.remove(&k), model.remove(&k)),
                    Op::Retain(bit) => {
                        let keep = |v: &Vec<u8>| v.first().is_none_or(|b| b & bit == 0);
                        entries.retain(|_, v| keep(v));
                        model.retain(|_, v| keep(v));
                    }
                    Op::Clear => {
                        entries.clear();
                        model.clear();
                    }
                }
                prop_assert_eq!(entries.len(), model.len());
                prop_assert!(entries.iter().eq(model.iter()));
                for key in ["", "a", "b", "bb", "c", "e", "z"] {
                    prop_assert_eq!(entries.get(key), model.get(key));
                    prop_assert_eq!(entries.contains_key(key), model.contains_key(key));
                    use std::ops::Bound::{Excluded, Unbounded};
                    prop_assert!(entries
                        .before(key)
                        .eq(model.range::<str, _>((Unbounded, Excluded(key)))));
                    prop_assert!(entries
                        .after(key)
                        .eq(model.range::<str, _>((Excluded(key), Unbounded))));
                }
            }
            let collected: Entries = model.clone().into_iter().rev().collect();
            prop_assert_eq!(&collected, &entries);
            prop_assert!(entries.into_iter().eq(model));
        }
    }

    #[test]
    fn a_key_given_twice_keeps_its_last_value() {
        let entries: Entries = [("a".into(), vec![1]), ("a".into(), vec![2])].into();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries.get("a"), Some(&vec![2]));
    }
}
