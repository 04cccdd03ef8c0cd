//! Codecs: how a session value becomes the payload bytes that get sealed, and back.
//!
//! A codec is chosen per [`Sealer`](crate::Sealer) and never written into the wire format, so
//! changing codecs is a change of cookie name (or a migration that opens with the old sealer and
//! seals with the new one).

use serde::de::DeserializeOwned;
use serde::Serialize;

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
