//! Codecs: how a session value becomes the payload bytes that get sealed, and back.
//!
//! A codec is chosen per [`Sealer`](crate::Sealer) and never written into the wire format, so
//! changing codecs is a change of cookie name (or a migration that opens with the old sealer and
//! seals with the new one).

use std::fmt;

use serde::de::{DeserializeOwned, MapAccess, SeqAccess, Visitor};
use serde::ser::SerializeMap as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::entries::Entries;
use crate::error::CodecError;

/// The largest payload a codec will decode or allocate for; generous next to any cookie.
pub const MAX_DECODE_LEN: usize = 1 << 20;

/// Turns serde values into payload bytes and back.
///
/// Implement it to plug in another format; the built-in ones are [`Bincode`] (default),
/// [`Postcard`] and [`Json`], each behind the Cargo feature of the same name.
pub trait Codec: Clone + Send + Sync + 'static {
    /// A short name for error messages.
    const NAME: &'static str;

    /// Append the encoding of `value` to `out`.
    fn encode<T: Serialize + ?Sized>(&self, value: &T, out: &mut Vec<u8>)
        -> Result<(), CodecError>;

    /// Decode a whole value from `bytes`. Must not allocate beyond [`MAX_DECODE_LEN`] for any
    /// input and must not panic.
    fn decode<T: DeserializeOwned>(&self, bytes: &[u8]) -> Result<T, CodecError>;

    /// Append the encoding of a session's entry map (each value already encoded by this codec)
    /// to `out`.
    ///
    /// The default writes a map from string keys to byte strings with [`encode`](Self::encode),
    /// which suits binary formats. A codec whose values can nest without being wrapped
    /// overrides it together with [`decode_entries`](Self::decode_entries): [`Json`] writes
    /// one plain JSON object whose members are the entries' own JSON, so that a JSON session
    /// reads as the object other languages expect.
    fn encode_entries(&self, entries: &Entries, out: &mut Vec<u8>) -> Result<(), CodecError> {
        self.encode(&EntriesAsBytes(entries), out)
    }

    /// Decode what [`encode_entries`](Self::encode_entries) wrote. Must not panic, and must
    /// check each value is well-formed where the format allows (so that a later
    /// [`decode`](Self::decode) of one entry fails only for a type mismatch).
    fn decode_entries(&self, bytes: &[u8]) -> Result<Entries, CodecError> {
        self.decode::<EntriesFromBytes>(bytes)
            .map(|entries| entries.0)
    }
}

/// Serializes an entry map as a map of byte strings.
struct EntriesAsBytes<'a>(&'a Entries);

impl Serialize for EntriesAsBytes<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Bytes<'a>(&'a [u8]);
        impl Serialize for Bytes<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_bytes(self.0)
            }
        }
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in self.0 {
            map.serialize_entry(key, &Bytes(value))?;
        }
        map.end()
    }
}

/// Deserializes what [`EntriesAsBytes`] wrote.
struct EntriesFromBytes(Entries);

/// A byte string, accepted as bytes or as a sequence of `u8`.
struct ByteString(Vec<u8>);

impl<'de> Deserialize<'de> for ByteString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ByteStringVisitor;
        impl<'de> Visitor<'de> for ByteStringVisitor {
            type Value = ByteString;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a byte string")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<ByteString, E> {
                Ok(ByteString(v.to_vec()))
            }
            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<ByteString, E> {
                Ok(ByteString(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ByteString, A::Error> {
                // Bounded by the payload, itself bounded by the cookie size.
                let mut bytes = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
                while let Some(b) = seq.next_element::<u8>()? {
                    bytes.push(b);
                }
                Ok(ByteString(bytes))
            }
        }
        deserializer.deserialize_bytes(ByteStringVisitor)
    }
}

impl<'de> Deserialize<'de> for EntriesFromBytes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor;
        impl<'de> Visitor<'de> for EntriesVisitor {
            type Value = EntriesFromBytes;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of session entries")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                // The length comes from authenticated bytes; capped all the same.
                let mut entries = Entries::with_capacity(map.size_hint().unwrap_or(0).min(64));
                while let Some((key, value)) = map.next_entry::<String, ByteString>()? {
                    entries.insert(key, value.0);
                }
                Ok(EntriesFromBytes(entries))
            }
        }
        deserializer.deserialize_map(EntriesVisitor)
    }
}

/// bincode 2 through its serde support, standard configuration (varint integers, little endian),
/// with a decode limit of [`MAX_DECODE_LEN`].
///
/// Compact and fast. bincode is no longer maintained upstream; [`Postcard`] is the maintained
/// alternative with a similar size. The two formats are not interchangeable.
#[cfg(feature = "bincode")]
#[derive(Debug, Clone, Copy, Default)]
pub struct Bincode;

#[cfg(feature = "bincode")]
impl Bincode {
    const fn config() -> impl bincode::config::Config {
        bincode::config::standard().with_limit::<MAX_DECODE_LEN>()
    }
}

#[cfg(feature = "bincode")]
impl Codec for Bincode {
    const NAME: &'static str = "bincode";

    fn encode<T: Serialize + ?Sized>(
        &self,
        value: &T,
        out: &mut Vec<u8>,
    ) -> Result<(), CodecError> {
        bincode::serde::encode_into_std_write(value, out, Self::config())
            .map(drop)
            .map_err(|e| CodecError::new(Self::NAME, e))
    }

    fn decode<T: DeserializeOwned>(&self, bytes: &[u8]) -> Result<T, CodecError> {
        let (value, read) = bincode::serde::decode_from_slice(bytes, Self::config())
            .map_err(|e| CodecError::new(Self::NAME, e))?;
        if read != bytes.len() {
            return Err(CodecError::new(
                Self::NAME,
                format_args!("{} trailing bytes after the value", bytes.len() - read),
            ));
        }
        Ok(value)
    }

    /// The entry map read straight from bincode's encoding of it, without serde's machinery:
    /// the same entries, and an error for the same inputs, as the provided method (property
    /// tests hold the two together), in about 340 fewer instructions for a one-entry session.
    fn decode_entries(&self, bytes: &[u8]) -> Result<Entries, CodecError> {
        decode_bincode_entries(bytes).map_err(|e| CodecError::new(Self::NAME, e))
    }
}

/// Reads bincode's standard configuration (varint lengths) as [`EntriesAsBytes`] writes it: a
/// count, then each key and value as a length and that many bytes. The key must be UTF-8;
/// nothing may follow the last entry.
#[cfg(feature = "bincode")]
fn decode_bincode_entries(bytes: &[u8]) -> Result<Entries, &'static str> {
    if bytes.len() > MAX_DECODE_LEN {
        return Err("payload over the decode limit");
    }
    let mut reader = BincodeReader(bytes);
    let count = reader.len()?;
    // The count comes from authenticated bytes; capped all the same.
    let mut entries = Entries::with_capacity(count.min(64));
    for _ in 0..count {
        let key = std::str::from_utf8(reader.bytes()?).map_err(|_| "key is not UTF-8")?;
        let value = reader.bytes()?;
        entries.insert(key.to_owned(), value.to_vec());
    }
    if !reader.0.is_empty() {
        return Err("trailing bytes after the entries");
    }
    Ok(entries)
}

/// The unread part of a bincode payload.
#[cfg(feature = "bincode")]
struct BincodeReader<'a>(&'a [u8]);

#[cfg(feature = "bincode")]
impl<'a> BincodeReader<'a> {
    const END: &'static str = "unexpected end of the payload";

    fn take(&mut self, n: usize) -> Result<&'a [u8], &'static str> {
        if n > self.0.len() {
            return Err(Self::END);
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], &'static str> {
        self.take(N)?.try_into().map_err(|_| Self::END)
    }

    /// A length as bincode's varint: the byte itself below 251, else 251, 252 or 253 and a
    /// little-endian `u16`, `u32` or `u64`.
    fn len(&mut self) -> Result<usize, &'static str> {
        let [first] = self.array::<1>()?;
        let value = match first {
            0..=250 => u64::from(first),
            251 => u64::from(u16::from_le_bytes(self.array()?)),
            252 => u64::from(u32::from_le_bytes(self.array()?)),
            253 => u64::from_le_bytes(self.array()?),
            _ => return Err("invalid length marker"),
        };
        usize::try_from(value).map_err(|_| "length out of range")
    }

    /// A length, then that many bytes.
    fn bytes(&mut self) -> Result<&'a [u8], &'static str> {
        let len = self.len()?;
        self.take(len)
    }
}

/// postcard 1: compact, maintained, `no_std`-friendly.
#[cfg(feature = "postcard")]
#[derive(Debug, Clone, Copy, Default)]
pub struct Postcard;

#[cfg(feature = "postcard")]
impl Codec for Postcard {
    const NAME: &'static str = "postcard";

    fn encode<T: Serialize + ?Sized>(
        &self,
        value: &T,
        out: &mut Vec<u8>,
    ) -> Result<(), CodecError> {
        let taken = std::mem::take(out);
        *out = postcard::to_extend(value, taken).map_err(|e| CodecError::new(Self::NAME, e))?;
        Ok(())
    }

    fn decode<T: DeserializeOwned>(&self, bytes: &[u8]) -> Result<T, CodecError> {
        let (value, rest) =
            postcard::take_from_bytes(bytes).map_err(|e| CodecError::new(Self::NAME, e))?;
        if !rest.is_empty() {
            return Err(CodecError::new(
                Self::NAME,
                format_args!("{} trailing bytes after the value", rest.len()),
            ));
        }
        Ok(value)
    }
}

/// JSON through serde_json: larger and slower, but readable by other languages, and the format
/// `@fastify/secure-session` uses.
#[cfg(feature = "json")]
#[derive(Debug, Clone, Copy, Default)]
pub struct Json;

#[cfg(feature = "json")]
impl Codec for Json {
    const NAME: &'static str = "json";

    fn encode<T: Serialize + ?Sized>(
        &self,
        value: &T,
        out: &mut Vec<u8>,
    ) -> Result<(), CodecError> {
        serde_json::to_writer(out, value).map_err(|e| CodecError::new(Self::NAME, e))
    }

    fn decode<T: DeserializeOwned>(&self, bytes: &[u8]) -> Result<T, CodecError> {
        serde_json::from_slice(bytes).map_err(|e| CodecError::new(Self::NAME, e))
    }

    /// One plain JSON object whose members are the entries' own JSON:
    /// `{"count":3,"user":{"id":7}}`.
    fn encode_entries(&self, entries: &Entries, out: &mut Vec<u8>) -> Result<(), CodecError> {
        write_json_object(
            entries
                .iter()
                .map(|(key, value)| (key.as_str(), value.as_slice())),
            out,
        )
    }

    /// Reads a JSON object; each member's JSON text becomes one entry. Anything but an object
    /// is refused; a key given twice keeps its last value.
    fn decode_entries(&self, bytes: &[u8]) -> Result<Entries, CodecError> {
        serde_json::from_slice::<JsonEntries>(bytes)
            .map(|object| object.0)
            .map_err(|e| CodecError::new(Self::NAME, e))
    }
}

/// A JSON object read straight into [`Entries`]: each member's JSON text, borrowed from the
/// input while it is checked, becomes one entry's value.
#[cfg(feature = "json")]
struct JsonEntries(Entries);

#[cfg(feature = "json")]
impl<'de> Deserialize<'de> for JsonEntries {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor;
        impl<'de> Visitor<'de> for ObjectVisitor {
            type Value = JsonEntries;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object of session entries")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<JsonEntries, A::Error> {
                let mut entries = Entries::new();
                while let Some((key, value)) =
                    map.next_entry::<String, &'de serde_json::value::RawValue>()?
                {
                    // A key given twice keeps its last value.
                    entries.insert(key, value.get().as_bytes().to_vec());
                }
                Ok(JsonEntries(entries))
            }
        }
        deserializer.deserialize_map(ObjectVisitor)
    }
}

/// Append one JSON object of `members`, each a key and its value's JSON text (from
/// [`Json::encode`], or checked by [`Json::decode_entries`]), in the order given.
#[cfg(feature = "json")]
pub(crate) fn write_json_object<'a>(
    members: impl Iterator<Item = (&'a str, &'a [u8])>,
    out: &mut Vec<u8>,
) -> Result<(), CodecError> {
    out.push(b'{');
    for (i, (key, value)) in members.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        serde_json::to_writer(&mut *out, key).map_err(|e| CodecError::new(Json::NAME, e))?;
        out.push(b':');
        out.extend_from_slice(value);
    }
    out.push(b'}');
    Ok(())
}

/// The codec [`Sealer::new`](crate::Sealer::new) uses: [`Bincode`] when its feature is on, else
/// [`Postcard`], else [`Json`].
#[cfg(feature = "bincode")]
pub type DefaultCodec = Bincode;
/// The codec [`Sealer::new`](crate::Sealer::new) uses: [`Bincode`] when its feature is on, else
/// [`Postcard`], else [`Json`].
#[cfg(all(not(feature = "bincode"), feature = "postcard"))]
pub type DefaultCodec = Postcard;
/// The codec [`Sealer::new`](crate::Sealer::new) uses: [`Bincode`] when its feature is on, else
/// [`Postcard`], else [`Json`].
#[cfg(all(not(feature = "bincode"), not(feature = "postcard"), feature = "json"))]
pub type DefaultCodec = Json;

#[cfg(not(any(feature = "bincode", feature = "postcard", feature = "json")))]
compile_error!("sealed-session needs a codec: enable one of the features bincode, postcard, json");

#[cfg(all(test, feature = "bincode"))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What the provided `decode_entries` (through serde) makes of `bytes`.
    fn through_serde(bytes: &[u8]) -> Result<Entries, CodecError> {
        Bincode.decode::<EntriesFromBytes>(bytes).map(|e| e.0)
    }

    fn encoded(entries: &Entries) -> Vec<u8> {
        let mut out = Vec::new();
        Bincode.encode_entries(entries, &mut out).unwrap();
        out
    }

    fn entries() -> impl Strategy<Value = Entries> {
        proptest::collection::vec(
            (
                prop_oneof![Just(String::new()), "[a-z]{1,3}", "\\PC{0,300}"],
                prop_oneof![
                    proptest::collection::vec(any::<u8>(), 0..4),
                    proptest::collection::vec(any::<u8>(), 240..600),
                ],
            ),
            0..5,
        )
        .prop_map(|pairs| pairs.into_iter().collect())
    }

    #[test]
    fn every_length_marker_is_read() {
        // Lengths in one byte, after 251 (u16) and after 252 (u32), as bincode writes them.
        for len in [0, 250, 251, 65_535, 65_536] {
            let entries: Entries = [("k".to_owned(), vec![7; len])].into();
            assert_eq!(Bincode.decode_entries(&encoded(&entries)).unwrap(), entries);
        }
        // After 253 (u64), which bincode never writes for a length a cookie can hold but reads.
        let u64_length = [1, 1, b'k', 253, 1, 0, 0, 0, 0, 0, 0, 0, 9];
        let expected: Entries = [("k".to_owned(), vec![9])].into();
        assert_eq!(Bincode.decode_entries(&u64_length).unwrap(), expected);
        assert_eq!(through_serde(&u64_length).unwrap(), expected);
        let huge = [1, 1, b'k', 253, 0, 0, 0, 0, 0, 1, 0, 0, 9];
        assert!(Bincode.decode_entries(&huge).is_err());
        assert!(through_serde(&huge).is_err());
        for marker in [254, 255] {
            assert!(Bincode.decode_entries(&[marker]).is_err());
            assert!(through_serde(&[marker]).is_err());
        }
    }

    proptest! {
        #[test]
        fn reads_what_serde_writes(entries in entries()) {
            prop_assert_eq!(Bincode.decode_entries(&encoded(&entries)).unwrap(), entries);
        }

        #[test]
        fn damaged_payloads_fail_or_succeed_as_through_serde(
            entries in entries(),
            cut in any::<prop::sample::Index>(),
            flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..3),
            tail in proptest::collection::vec(any::<u8>(), 0..3),
        ) {
            let mut bytes = encoded(&entries);
            for (at, byte) in flips {
                if !bytes.is_empty() {
                    let i = at.index(bytes.len());
                    bytes[i] = byte;
                }
            }
            bytes.truncate(cut.index(bytes.len() + 1));
            bytes.extend(tail);
            let direct = Bincode.decode_entries(&bytes);
            let serde = through_serde(&bytes);
            prop_assert_eq!(direct.as_ref().ok(), serde.as_ref().ok(), "{:?}", bytes);
            prop_assert_eq!(direct.is_ok(), serde.is_ok());
        }

        #[test]
        fn arbitrary_bytes_fail_or_succeed_as_through_serde(
            bytes in proptest::collection::vec(any::<u8>(), 0..40)
        ) {
            let direct = Bincode.decode_entries(&bytes);
            let serde = through_serde(&bytes);
            prop_assert_eq!(direct.as_ref().ok(), serde.as_ref().ok());
            prop_assert_eq!(direct.is_ok(), serde.is_ok());
        }
    }
}
