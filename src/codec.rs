//! Codecs: how a session value becomes the payload bytes that get sealed, and back.
//!
//! A codec is chosen per [`Sealer`](crate::Sealer), and its [`Codec::ID`] is written into the
//! authenticated header of every sealed value: a value sealed with one codec is refused by a
//! sealer of another before anything is decoded ([`OpenError::WrongCodec`]). Changing codecs is
//! therefore a change of cookie name, or a migration that opens with the old sealer and seals
//! with the new one.
//!
//! [`OpenError::WrongCodec`]: crate::OpenError::WrongCodec

use std::fmt;
use std::marker::PhantomData;

use serde::de::{DeserializeOwned, MapAccess, SeqAccess, Visitor};
use serde::ser::SerializeMap as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::entries::Entries;
use crate::error::CodecError;

/// The largest payload a codec will decode or allocate for; generous next to any cookie.
pub(crate) const MAX_DECODE_LEN: usize = 1 << 20;

/// Turns serde values into payload bytes and back.
///
/// Implement it to plug in another format; the built-in ones are [`Postcard`] (the default,
/// always built), [`Json`] (feature `json`) and [`Bincode`] (feature `bincode`).
pub trait Codec: Clone + Send + Sync + 'static {
    /// A short name for error messages.
    const NAME: &'static str;

    /// The byte that names this codec in the header of every value it sealed. The built-in
    /// codecs use 1 to 3 ([`Bincode`] 1, [`Postcard`] 2, [`Json`] 3); 0 and 4 to 127 are
    /// reserved for the crate; a codec of your own takes one of 128 to 255, a different one for
    /// each format your services read.
    const ID: u8;

    /// Append the encoding of `value` to `out`.
    fn encode<T: Serialize + ?Sized>(&self, value: &T, out: &mut Vec<u8>)
        -> Result<(), CodecError>;

    /// Decode a whole value from `bytes`. Must not allocate beyond 1 MiB for any
    /// input and must not panic; its error must not quote the input (see [`CodecError`]).
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

    /// The length of what [`encode_entries`](Self::encode_entries) would write for `entries`
    /// with the entry `key` set to `value` (added, or replacing the one there), without
    /// changing `entries`: how [`Session::insert`](crate::Session::insert) knows a session
    /// still fits its cookie. The default encodes a copy and measures it; the binary codecs
    /// count.
    fn entries_len_with(
        &self,
        entries: &Entries,
        key: &str,
        value: &[u8],
    ) -> Result<usize, CodecError> {
        let mut copy = entries.clone();
        copy.insert(key.to_owned(), value.to_vec());
        let mut out = zeroize::Zeroizing::new(Vec::new());
        self.encode_entries(&copy, &mut out)?;
        Ok(out.len())
    }

    /// Decode what [`encode_entries`](Self::encode_entries) wrote. Must not panic, and must
    /// check each value is well-formed where the format allows (so that a later
    /// [`decode`](Self::decode) of one entry fails only for a type mismatch).
    fn decode_entries(&self, bytes: &[u8]) -> Result<Entries, CodecError> {
        self.decode::<EntriesFrom<ByteString>>(bytes)
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

/// A serde map read straight into [`Entries`], each value kept as `V` makes it an entry's bytes:
/// what [`EntriesAsBytes`] wrote (`V` = [`ByteString`]), or a JSON object (`V` = its members'
/// raw JSON text). A key given twice keeps its last value.
struct EntriesFrom<V>(Entries, PhantomData<V>);

/// An entry's value as a serde map of entries holds it.
trait EntryValue<'de>: Deserialize<'de> {
    /// What a map of these is, for serde's "expected" message.
    const MAP: &'static str;

    /// The entry's bytes.
    fn into_entry(self) -> Vec<u8>;
}

impl<'de, V: EntryValue<'de>> Deserialize<'de> for EntriesFrom<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor<V>(PhantomData<V>);
        impl<'de, V: EntryValue<'de>> Visitor<'de> for EntriesVisitor<V> {
            type Value = EntriesFrom<V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(V::MAP)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                // The length comes from authenticated bytes; capped all the same.
                let mut entries = Entries::with_capacity(map.size_hint().unwrap_or(0).min(64));
                while let Some((key, value)) = map.next_entry::<String, V>()? {
                    entries.insert(key, value.into_entry());
                }
                Ok(EntriesFrom(entries, PhantomData))
            }
        }
        deserializer.deserialize_map(EntriesVisitor(PhantomData))
    }
}

/// A byte string, accepted as bytes or as a sequence of `u8`.
struct ByteString(Vec<u8>);

impl EntryValue<'_> for ByteString {
    const MAP: &'static str = "a map of session entries";

    fn into_entry(self) -> Vec<u8> {
        self.0
    }
}

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

/// How a binary codec writes a length in its entry map (a count, then each key and value as a
/// length and its bytes, as the provided [`Codec::encode_entries`] has serde write it): the
/// one thing in which the binary codecs' entry maps differ.
trait Varint {
    /// Bytes the varint takes for `n`.
    fn len_of(n: usize) -> usize;

    /// Read one length from the front of the payload.
    fn read_len(reader: &mut PayloadReader<'_>) -> Result<usize, &'static str>;
}

/// The entry-map methods of a binary codec (one that implements [`Varint`]), written once for
/// [`Bincode`] and [`Postcard`] in their `impl Codec`.
macro_rules! varint_entry_methods {
    () => {
        /// The entry map read straight from the codec's encoding of it, without serde's
        /// machinery: the same entries, and an error for the same inputs, as the provided
        /// method (property tests hold the two together), with less work on every request
        /// (for bincode, about 340 fewer instructions for a one-entry session).
        fn decode_entries(&self, bytes: &[u8]) -> Result<Entries, CodecError> {
            decode_varint_entries::<Self>(bytes).map_err(|e| CodecError::new(Self::NAME, e))
        }

        /// Counted, not encoded: a length, then each key and value as a length and its bytes.
        fn entries_len_with(
            &self,
            entries: &Entries,
            key: &str,
            value: &[u8],
        ) -> Result<usize, CodecError> {
            Ok(varint_entries_len_with::<Self>(entries, key, value))
        }
    };
}

/// The length of a binary codec's entry map for `entries` with `key` set to `value`.
fn varint_entries_len_with<V: Varint>(entries: &Entries, key: &str, value: &[u8]) -> usize {
    let len_of = V::len_of;
    let field = |bytes: usize| len_of(bytes) + bytes;
    let mut count = entries.len();
    let mut total = 0;
    let mut replaced = false;
    for (k, v) in entries {
        if k == key {
            replaced = true;
            total += field(k.len()) + field(value.len());
        } else {
            total += field(k.len()) + field(v.len());
        }
    }
    if !replaced {
        count += 1;
        total += field(key.len()) + field(value.len());
    }
    len_of(count) + total
}

/// Reads a binary codec's entry map as [`EntriesAsBytes`] writes it (a count, then each key
/// and value as a length and that many bytes, each length a `V` varint): the same entries,
/// and an error for the same inputs, as the codec's serde deserializer (property tests hold
/// the two together), without serde's machinery on every request. The key must be UTF-8;
/// nothing may follow the last entry. Generic, not a function pointer, so that each codec's
/// varint reader is inlined into its own copy.
fn decode_varint_entries<V: Varint>(bytes: &[u8]) -> Result<Entries, &'static str> {
    if bytes.len() > MAX_DECODE_LEN {
        return Err("payload over the decode limit");
    }
    let mut reader = PayloadReader(bytes);
    let count = V::read_len(&mut reader)?;
    // The count comes from authenticated bytes; capped all the same.
    let mut entries = Entries::with_capacity(count.min(64));
    for _ in 0..count {
        let key_len = V::read_len(&mut reader)?;
        let key = std::str::from_utf8(reader.take(key_len)?).map_err(|_| "key is not UTF-8")?;
        let value_len = V::read_len(&mut reader)?;
        let value = reader.take(value_len)?;
        entries.insert(key.to_owned(), value.to_vec());
    }
    if !reader.0.is_empty() {
        return Err("trailing bytes after the entries");
    }
    Ok(entries)
}

/// The unread part of a payload.
struct PayloadReader<'a>(&'a [u8]);

impl<'a> PayloadReader<'a> {
    const END: &'static str = "unexpected end of the payload";

    fn take(&mut self, n: usize) -> Result<&'a [u8], &'static str> {
        if n > self.0.len() {
            return Err(Self::END);
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    #[cfg(feature = "bincode")]
    fn array<const N: usize>(&mut self) -> Result<[u8; N], &'static str> {
        self.take(N)?.try_into().map_err(|_| Self::END)
    }
}

/// `value`, or the error for the `extra` bytes left over after it: a payload is one whole
/// value.
#[inline]
fn whole<T>(codec: &'static str, value: T, extra: usize) -> Result<T, CodecError> {
    if extra > 0 {
        return Err(CodecError::new(
            codec,
            format!("{extra} trailing bytes after the value"),
        ));
    }
    Ok(value)
}

/// bincode 2 through its serde support, standard configuration (varint integers, little endian),
/// with a decode limit of 1 MiB. Opt-in, with the `bincode` feature.
///
/// bincode is unmaintained upstream ([RUSTSEC-2025-0141]), so a build with this feature gets an
/// advisory warning from `cargo audit` and `cargo deny`. It stays for sessions already sealed
/// with it; for new ones use [`Postcard`], the default, which has a similar size. The two
/// formats are not interchangeable, and the codec id in each sealed value keeps them apart.
///
/// [RUSTSEC-2025-0141]: https://rustsec.org/advisories/RUSTSEC-2025-0141.html
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
    const ID: u8 = 1;

    fn encode<T: Serialize + ?Sized>(
        &self,
        value: &T,
        out: &mut Vec<u8>,
    ) -> Result<(), CodecError> {
        bincode::serde::encode_into_std_write(value, out, Self::config())
            .map(drop)
            .map_err(|e| {
                let reason = match e {
                    bincode::error::EncodeError::UnexpectedEnd => "unexpected end of the output",
                    _ => "the value cannot be encoded",
                };
                CodecError::new(Self::NAME, reason)
            })
    }

    fn decode<T: DeserializeOwned>(&self, bytes: &[u8]) -> Result<T, CodecError> {
        let (value, read) = bincode::serde::decode_from_slice(bytes, Self::config())
            .map_err(|e| CodecError::new(Self::NAME, bincode_decode_reason(&e)))?;
        whole(Self::NAME, value, bytes.len() - read)
    }

    varint_entry_methods!();
}

/// bincode's varint: the length itself below 251, else 251, 252 or 253 and a little-endian
/// `u16`, `u32` or `u64`.
#[cfg(feature = "bincode")]
impl Varint for Bincode {
    fn len_of(n: usize) -> usize {
        match n {
            0..=250 => 1,
            251..=0xffff => 3,
            0x1_0000..=0xffff_ffff => 5,
            _ => 9,
        }
    }

    fn read_len(reader: &mut PayloadReader<'_>) -> Result<usize, &'static str> {
        let [first] = reader.array::<1>()?;
        let value = match first {
            0..=250 => u64::from(first),
            251 => u64::from(u16::from_le_bytes(reader.array()?)),
            252 => u64::from(u32::from_le_bytes(reader.array()?)),
            253 => u64::from_le_bytes(reader.array()?),
            _ => return Err("invalid length marker"),
        };
        usize::try_from(value).map_err(|_| "length out of range")
    }
}

/// What went wrong, in words that quote nothing of the payload: bincode's own messages carry
/// serde's, which quote the data, and some variants carry payload bytes.
#[cfg(feature = "bincode")]
fn bincode_decode_reason(e: &bincode::error::DecodeError) -> &'static str {
    use bincode::error::DecodeError as E;
    match e {
        E::UnexpectedEnd { .. } => "unexpected end of the payload",
        E::LimitExceeded => "the payload is over the decode limit",
        E::Utf8 { .. } => "a string is not UTF-8",
        E::InvalidIntegerType { .. } | E::InvalidBooleanValue(_) | E::InvalidCharEncoding(_) => {
            "an invalid value for its type"
        }
        E::UnexpectedVariant { .. } => "an unknown enum variant",
        _ => "the payload does not match the type",
    }
}

/// postcard 1: compact, maintained, with a documented and stable wire format. The default
/// codec, always built.
#[derive(Debug, Clone, Copy, Default)]
pub struct Postcard;

impl Codec for Postcard {
    const NAME: &'static str = "postcard";
    const ID: u8 = 2;

    fn encode<T: Serialize + ?Sized>(
        &self,
        value: &T,
        out: &mut Vec<u8>,
    ) -> Result<(), CodecError> {
        let taken = std::mem::take(out);
        // postcard's errors are fixed texts; its serde-custom variants drop serde's message.
        *out = postcard::to_extend(value, taken)
            .map_err(|e| CodecError::new(Self::NAME, e.to_string()))?;
        Ok(())
    }

    fn decode<T: DeserializeOwned>(&self, bytes: &[u8]) -> Result<T, CodecError> {
        let (value, rest) = postcard::take_from_bytes(bytes)
            .map_err(|e| CodecError::new(Self::NAME, e.to_string()))?;
        whole(Self::NAME, value, rest.len())
    }

    varint_entry_methods!();
}

/// postcard's varint of a `usize` (LEB128, read as postcard reads it on a 64-bit target):
/// little-endian groups of 7 bits, the high bit set on every byte but the last, at most 10
/// bytes, the tenth at most 1.
impl Varint for Postcard {
    fn len_of(n: usize) -> usize {
        let bits = usize::BITS - n.leading_zeros();
        (bits.max(1) as usize).div_ceil(7)
    }

    fn read_len(reader: &mut PayloadReader<'_>) -> Result<usize, &'static str> {
        const BAD: &str = "invalid varint";
        let mut value: u64 = 0;
        for i in 0..10 {
            let [byte] = reader.take(1)? else {
                return Err(PayloadReader::END);
            };
            let byte = *byte;
            value |= u64::from(byte & 0x7f) << (7 * i);
            if byte & 0x80 == 0 {
                if i == 9 && byte > 1 {
                    return Err(BAD);
                }
                return usize::try_from(value).map_err(|_| "length out of range");
            }
        }
        Err(BAD)
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
    const ID: u8 = 3;

    fn encode<T: Serialize + ?Sized>(
        &self,
        value: &T,
        out: &mut Vec<u8>,
    ) -> Result<(), CodecError> {
        serde_json::to_writer(out, value).map_err(|e| json_error("the value", &e))
    }

    fn decode<T: DeserializeOwned>(&self, bytes: &[u8]) -> Result<T, CodecError> {
        serde_json::from_slice(bytes).map_err(|e| json_error("the value", &e))
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
        serde_json::from_slice::<EntriesFrom<&serde_json::value::RawValue>>(bytes)
            .map(|object| object.0)
            .map_err(|e| json_error("the session", &e))
    }
}

/// A member of a JSON object of entries: its JSON text, borrowed from the input while it is
/// checked, becomes the entry's value.
#[cfg(feature = "json")]
impl<'de> EntryValue<'de> for &'de serde_json::value::RawValue {
    const MAP: &'static str = "a JSON object of session entries";

    fn into_entry(self) -> Vec<u8> {
        self.get().as_bytes().to_vec()
    }
}

/// A codec error from a serde_json error, naming only its category and position: serde_json's
/// own messages quote the input (`invalid type: string "alice@example.com"`), and the input is
/// session plaintext, which errors and logs never carry. `what` is the part that failed.
#[cfg(feature = "json")]
pub(crate) fn json_error(what: &'static str, e: &serde_json::Error) -> CodecError {
    use serde_json::error::Category;
    let kind = match e.classify() {
        Category::Io => "an i/o error",
        Category::Syntax => "invalid JSON",
        Category::Data => "invalid data",
        Category::Eof => "unexpected end of JSON",
    };
    // A value decoded from or encoded to a `serde_json::Value` has no position (line 0).
    let reason = match (e.line(), e.column()) {
        (0, _) => format!("{what}: {kind}"),
        (line, column) => format!("{what}: {kind} at line {line} column {column}"),
    };
    CodecError::new(Json::NAME, reason)
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
        serde_json::to_writer(&mut *out, key).map_err(|e| json_error("an entry's key", &e))?;
        out.push(b':');
        out.extend_from_slice(value);
    }
    out.push(b'}');
    Ok(())
}

/// The codec [`Sealer::new`](crate::Sealer::new) uses: [`Postcard`], whatever features are on,
/// so that enabling a feature anywhere in a dependency tree never changes how sessions are
/// sealed.
pub type DefaultCodec = Postcard;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What the provided `decode_entries` (through serde) makes of `bytes`.
    fn through_serde<C: Codec>(codec: &C, bytes: &[u8]) -> Result<Entries, CodecError> {
        codec.decode::<EntriesFrom<ByteString>>(bytes).map(|e| e.0)
    }

    fn encoded<C: Codec>(codec: &C, entries: &Entries) -> Vec<u8> {
        let mut out = Vec::new();
        codec.encode_entries(entries, &mut out).unwrap();
        out
    }

    fn entries() -> impl Strategy<Value = Entries> {
        proptest::collection::vec(
            (
                prop_oneof![Just(String::new()), "[a-z]{1,3}", "\\PC{0,300}"],
                prop_oneof![
                    proptest::collection::vec(any::<u8>(), 0..4),
                    proptest::collection::vec(any::<u8>(), 120..600),
                ],
            ),
            0..5,
        )
        .prop_map(|pairs| pairs.into_iter().collect())
    }

    /// The direct entry reader and the serde path agree on `bytes`: the same entries, or both
    /// an error.
    fn agree<C: Codec>(codec: &C, bytes: &[u8]) -> Result<(), TestCaseError> {
        let direct = codec.decode_entries(bytes);
        let serde = through_serde(codec, bytes);
        prop_assert_eq!(direct.as_ref().ok(), serde.as_ref().ok(), "{:?}", bytes);
        prop_assert_eq!(direct.is_ok(), serde.is_ok());
        Ok(())
    }

    fn damage(
        mut bytes: Vec<u8>,
        cut: prop::sample::Index,
        flips: Vec<(prop::sample::Index, u8)>,
        tail: Vec<u8>,
    ) -> Vec<u8> {
        for (at, byte) in flips {
            if !bytes.is_empty() {
                let i = at.index(bytes.len());
                bytes[i] = byte;
            }
        }
        bytes.truncate(cut.index(bytes.len() + 1));
        bytes.extend(tail);
        bytes
    }

    /// A one-entry map whose value is `len` bytes reads back whole from `codec`'s encoding.
    fn assert_reads_a_value_of_each_len<C: Codec>(codec: &C, lens: &[usize]) {
        for &len in lens {
            let entries: Entries = [("k".to_owned(), vec![7; len])].into();
            let bytes = encoded(codec, &entries);
            assert_eq!(codec.decode_entries(&bytes).unwrap(), entries, "{len}");
        }
    }

    /// The direct reader and the serde path both read `bytes` as the entry `k` = `[9]`.
    fn assert_both_read_k_9<C: Codec>(codec: &C, bytes: &[u8]) {
        let expected: Entries = [("k".to_owned(), vec![9])].into();
        assert_eq!(codec.decode_entries(bytes).unwrap(), expected);
        assert_eq!(through_serde(codec, bytes).unwrap(), expected);
    }

    /// The direct reader and the serde path both refuse `bytes`.
    fn assert_both_refuse<C: Codec>(codec: &C, bytes: &[u8]) {
        assert!(codec.decode_entries(bytes).is_err(), "{bytes:?}");
        assert!(through_serde(codec, bytes).is_err(), "{bytes:?}");
    }

    #[cfg(feature = "bincode")]
    #[test]
    fn every_bincode_length_marker_is_read() {
        // Lengths in one byte, after 251 (u16) and after 252 (u32), as bincode writes them.
        assert_reads_a_value_of_each_len(&Bincode, &[0, 250, 251, 65_535, 65_536]);
        // After 253 (u64), which bincode never writes for a length a cookie can hold but reads.
        assert_both_read_k_9(&Bincode, &[1, 1, b'k', 253, 1, 0, 0, 0, 0, 0, 0, 0, 9]);
        assert_both_refuse(&Bincode, &[1, 1, b'k', 253, 0, 0, 0, 0, 0, 1, 0, 0, 9]);
        for marker in [254, 255] {
            assert_both_refuse(&Bincode, &[marker]);
        }
    }

    #[test]
    fn every_postcard_varint_length_is_read_as_postcard_reads_it() {
        // One, two and three varint bytes, as postcard writes them.
        assert_reads_a_value_of_each_len(&Postcard, &[0, 127, 128, 16_383, 16_384, 70_000]);
        // A length written in more bytes than it needs: postcard reads it, and so does this.
        assert_both_read_k_9(&Postcard, &[1, 1, b'k', 0x81, 0x80, 0x00, 9]);
        // Ten bytes, the last at most 1; an eleventh, or a larger tenth, is refused.
        let ten = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01];
        let eleven = [
            0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01,
        ];
        let big_tenth = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02];
        for bytes in [&ten[..], &eleven, &big_tenth] {
            assert_both_refuse(&Postcard, bytes);
        }
    }

    /// `entries_len_with` against a real encoding of the changed map, for a codec.
    fn counts_as_it_encodes<C: Codec>(
        codec: &C,
        entries: &Entries,
        key: &str,
        value: &[u8],
    ) -> Result<(), TestCaseError> {
        let mut changed = entries.clone();
        changed.insert(key.to_owned(), value.to_vec());
        let counted = codec.entries_len_with(entries, key, value).unwrap();
        prop_assert_eq!(counted, encoded(codec, &changed).len(), "{}", C::NAME);
        Ok(())
    }

    #[test]
    fn codec_errors_name_the_kind_of_failure_and_not_the_data() {
        let secret = "alice@example.com";
        let mut bytes = Vec::new();
        Postcard.encode(&secret, &mut bytes).unwrap();
        let mut errors = Vec::new();
        errors.push(Postcard.decode::<u64>(&bytes).unwrap_err());
        #[cfg(feature = "bincode")]
        {
            let mut bytes = Vec::new();
            Bincode.encode(&secret, &mut bytes).unwrap();
            errors.push(Bincode.decode::<u64>(&bytes).unwrap_err());
            errors.push(Bincode.decode::<(u8, u8, bool)>(&[1, 2, 7]).unwrap_err());
        }
        #[cfg(feature = "json")]
        {
            let json = format!("{{\"user\":\"{secret}\"}}");
            #[derive(Debug, serde::Deserialize)]
            #[allow(dead_code)] // only decoded, to fail
            struct User {
                user: u64,
            }
            let error = Json.decode::<User>(json.as_bytes()).unwrap_err();
            assert!(error.to_string().contains("line 1 column"), "{error}");
            errors.push(error);
            errors.push(Json.decode::<u64>(b"{\"alice@example.com").unwrap_err());
        }
        for error in errors {
            let shown = format!("{error} {error:?}");
            assert!(!shown.contains("alice"), "{shown}");
            assert!(!shown.contains("example.com"), "{shown}");
        }
    }

    proptest! {
        #[test]
        fn the_direct_readers_read_what_serde_writes(entries in entries()) {
            prop_assert_eq!(Postcard.decode_entries(&encoded(&Postcard, &entries)).unwrap(), entries.clone());
            #[cfg(feature = "bincode")]
            prop_assert_eq!(Bincode.decode_entries(&encoded(&Bincode, &entries)).unwrap(), entries);
        }

        #[test]
        fn damaged_payloads_fail_or_succeed_as_through_serde(
            entries in entries(),
            cut in any::<prop::sample::Index>(),
            flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..3),
            tail in proptest::collection::vec(any::<u8>(), 0..3),
        ) {
            let bytes = damage(encoded(&Postcard, &entries), cut, flips.clone(), tail.clone());
            agree(&Postcard, &bytes)?;
            #[cfg(feature = "bincode")]
            agree(&Bincode, &damage(encoded(&Bincode, &entries), cut, flips, tail))?;
        }

        #[test]
        fn the_counted_length_of_a_changed_map_is_its_encoded_length(
            entries in entries(),
            pick in any::<prop::sample::Index>(),
            fresh in "[a-z]{0,3}",
            value in prop_oneof![
                proptest::collection::vec(any::<u8>(), 0..4),
                proptest::collection::vec(any::<u8>(), 100..20_000),
            ],
        ) {
            // A key already there (replaced) or a fresh one (added).
            let keys: Vec<String> = entries.keys().cloned().collect();
            let key = if keys.is_empty() { fresh.clone() } else { keys[pick.index(keys.len())].clone() };
            for key in [key, fresh] {
                counts_as_it_encodes(&Postcard, &entries, &key, &value)?;
                #[cfg(feature = "bincode")]
                counts_as_it_encodes(&Bincode, &entries, &key, &value)?;
                #[cfg(feature = "json")]
                counts_as_it_encodes(&Json, &entries, &key, b"[1,2]")?;
            }
        }

        #[test]
        fn arbitrary_bytes_fail_or_succeed_as_through_serde(
            bytes in proptest::collection::vec(any::<u8>(), 0..40)
        ) {
            agree(&Postcard, &bytes)?;
            #[cfg(feature = "bincode")]
            agree(&Bincode, &bytes)?;
        }
    }
}
