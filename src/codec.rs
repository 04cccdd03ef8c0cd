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
