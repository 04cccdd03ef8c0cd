//! Wire format v2 over bytes: header, nonce, AAD, AEAD, base64url. Knows nothing of serde,
//! lifetimes or HTTP; the codec and the cookie's lifetime are only bytes here. `docs/format.md`
//! is the full description.
//!
//! ```text
//! value     = BASE64URL_NOPAD( header || nonce || ciphertext || tag )
//! header    = 0x02 || key_id || codec_id    (1 + 4 + 1 bytes)
//! aad       = header || cookie_name
//! plaintext = created_at u64 LE || expires_at u64 LE || cookie (5 bytes) || payload
//! ```
//!
//! Version 1, the same without `cookie`, is still read (as the layer's default lifetime), so
//! that cookies sealed before the field existed keep opening; only version 2 is written.

use std::cell::RefCell;

use base64_simd::URL_SAFE_NO_PAD;
use rand::rngs::OsRng;
use rand::TryRngCore as _;

use crate::aead::{self, NONCE_LEN, TAG_LEN};
use crate::error::{Malformed, OpenError};
use crate::key::Key;
use crate::key::KeyId;
use crate::keyring::KeyRing;
use crate::scratch::{with_buffer, Contents};

/// The format version this release writes.
pub(crate) const VERSION: u8 = 0x02;
/// The version before the cookie-lifetime field, still read.
const VERSION_1: u8 = 0x01;
/// Version, key id, codec id.
const HEADER_LEN: usize = 6;
const TIMES_LEN: usize = 16;
/// The cookie-lifetime field of version 2 (see `CookieExpiry`'s wire form).
pub(crate) const COOKIE_LEN: usize = 5;
/// Bytes the format adds around the payload, before base64.
pub const OVERHEAD: usize = HEADER_LEN + NONCE_LEN + TIMES_LEN + COOKIE_LEN + TAG_LEN;
/// Version 1's overhead: no cookie-lifetime field.
const OVERHEAD_V1: usize = OVERHEAD - COOKIE_LEN;
/// Offset of the plaintext (times, then payload) in the decoded value.
const PLAINTEXT_START: usize = HEADER_LEN + NONCE_LEN;
/// Longest cookie name the format binds; longer names are refused when a sealer is built.
pub const MAX_NAME_LEN: usize = 256;
/// Names up to this long get their AAD built in a 32-byte buffer instead of a 261-byte one.
const SHORT_NAME_LEN: usize = 27;

/// What the ciphertext carries besides the payload: the session's times, in unix seconds, and
/// the lifetime it chose for its cookie, as opaque bytes (all zero: the layer's default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Times {
    pub(crate) created_at: u64,
    pub(crate) expires_at: u64,
    pub(crate) cookie: [u8; COOKIE_LEN],
}

/// What an authenticated value holds, borrowed from the scratch buffer it was opened in.
pub(crate) struct Envelope<'a> {
    pub(crate) key_id: KeyId,
    /// The [`Codec::ID`](crate::Codec::ID) of the codec that encoded the payload.
    pub(crate) codec_id: u8,
    pub(crate) times: Times,
    pub(crate) payload: &'a [u8],
}

thread_local! {
    /// Where a value is decrypted or its plaintext laid out before sealing.
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Run `f` with this thread's empty working buffer, with room for `capacity` bytes: it holds
/// plaintext, so it is wiped after (see [`Contents::Secret`]), and `capacity` must cover
/// everything `f` writes.
fn with_scratch<R>(capacity: usize, f: impl FnOnce(&mut Vec<u8>) -> R) -> R {
    with_buffer(&SCRATCH, Contents::Secret, capacity, f)
}

/// Bytes a base64url text of `len` characters decodes to, at most.
const fn decoded_len(len: usize) -> usize {
    len / 4 * 3 + 3
}

/// Build the AAD (header || cookie name) on the stack. A name over [`MAX_NAME_LEN`] is an
/// error: cutting it would let two names that differ only past the cut share their values.
fn with_aad<R>(
    header: &[u8; HEADER_LEN],
    cookie_name: &[u8],
    f: impl FnOnce(&[u8]) -> R,
) -> Result<R, NameTooLong> {
    fn run<const N: usize, R>(
        header: &[u8; HEADER_LEN],
        name: &[u8],
        f: impl FnOnce(&[u8]) -> R,
    ) -> R {
        let mut aad = [0u8; N];
        aad[..HEADER_LEN].copy_from_slice(header);
        aad[HEADER_LEN..HEADER_LEN + name.len()].copy_from_slice(name);
        f(&aad[..HEADER_LEN + name.len()])
    }
    let name = cookie_name;
    // Cookie names are short: a small buffer to fill for them, the full one for the rest.
    if name.len() <= SHORT_NAME_LEN {
        Ok(run::<{ HEADER_LEN + SHORT_NAME_LEN }, R>(header, name, f))
    } else if name.len() <= MAX_NAME_LEN {
        Ok(run::<{ HEADER_LEN + MAX_NAME_LEN }, R>(header, name, f))
    } else {
        Err(NameTooLong)
    }
}

/// A cookie name longer than the format binds.
struct NameTooLong;

/// Why sealing failed: the payload writer's own error, the cipher's, the operating system's
/// random generator's, or a cookie name longer than [`MAX_NAME_LEN`].
pub(crate) enum SealFailure<E> {
    Payload(E),
    Cipher,
    Random,
    NameTooLong,
}

/// Seal a value under the ring's primary key with a fresh random nonce, and append it, in
/// base64url, to `out`. `write_payload` appends the payload bytes (of the codec `codec_id`) to
/// the buffer it is given. On failure `out` is left as it was.
///
/// The nonce comes from the operating system's generator on every call, never from a
/// generator in the process: a user-space generator is copied, state and all, into every
/// child of a `fork`, so pre-forked workers sharing a key would seal with the same nonces,
/// which reveals the XOR of their plaintexts and lets anyone forge values. The system call
/// costs a few hundred nanoseconds (BENCHMARKS.md).
pub(crate) fn seal_append<E>(
    ring: &KeyRing,
    cookie_name: &[u8],
    codec_id: u8,
    max_value_len: usize,
    times: Times,
    write_payload: impl FnOnce(&mut Vec<u8>) -> Result<(), E>,
    out: &mut String,
) -> Result<(), SealFailure<E>> {
    let mut nonce = [0u8; NONCE_LEN];
    OsRng
        .try_fill_bytes(&mut nonce)
        .map_err(|_| SealFailure::Random)?;
    seal_with_nonce(
        ring.primary(),
        cookie_name,
        codec_id,
        max_value_len,
        times,
        &nonce,
        write_payload,
        out,
    )
}

/// [`seal_append`] with a given nonce and key: for frozen test vectors only. A nonce must never
/// repeat under one key. `max_value_len`, the longest value the caller will accept, sizes the
/// working buffer so that a payload that fits never makes it grow.
#[allow(clippy::too_many_arguments)] // the envelope's inputs, each a distinct part of the format
pub(crate) fn seal_with_nonce<E>(
    key: &Key,
    cookie_name: &[u8],
    codec_id: u8,
    max_value_len: usize,
    times: Times,
    nonce: &[u8; NONCE_LEN],
    write_payload: impl FnOnce(&mut Vec<u8>) -> Result<(), E>,
    out: &mut String,
) -> Result<(), SealFailure<E>> {
    with_scratch(decoded_len(max_value_len), |buf| {
        let mut header = [0u8; HEADER_LEN];
        header[0] = VERSION;
        header[1..5].copy_from_slice(&key.id().to_bytes());
        header[5] = codec_id;
        buf.extend_from_slice(&header);
        buf.extend_from_slice(nonce);
        buf.extend_from_slice(&times.created_at.to_le_bytes());
        buf.extend_from_slice(&times.expires_at.to_le_bytes());
        buf.extend_from_slice(&times.cookie);
        write_payload(buf).map_err(SealFailure::Payload)?;

        let tag = with_aad(&header, cookie_name, |aad| {
            aead::seal_in_place(key.as_bytes(), nonce, aad, &mut buf[PLAINTEXT_START..])
        })
        .map_err(|NameTooLong| SealFailure::NameTooLong)?
        .map_err(|_| SealFailure::Cipher)?;
        buf.extend_from_slice(&tag);

        // SIMD base64: at 3 KiB the scalar encoder cost as much as the cipher. Appending
        // reserves exactly the encoded length, so a new `String` gets one allocation.
        URL_SAFE_NO_PAD.encode_append(&buf[..], out);
        Ok(())
    })
}

/// Open a value: length limit, base64url, version, codec id (when `codec_id` is given), key
/// lookup, AEAD with the AAD. `f` sees the authenticated contents; the plaintext is wiped when
/// it returns. A value of another codec is refused before the cipher runs, and the codec byte
/// is authenticated with the rest of the header, so it cannot be changed to pass the check.
pub(crate) fn open<R>(
    ring: &KeyRing,
    cookie_name: &[u8],
    codec_id: Option<u8>,
    value: &str,
    max_len: usize,
    f: impl FnOnce(Envelope<'_>) -> Result<R, OpenError>,
) -> Result<R, OpenError> {
    // Cheapest checks first: nothing is decoded for a value that cannot be ours.
    check_raw_value(value, max_len)?;
    with_scratch(decoded_len(value.len()), |buf| {
        // Canonical base64url only: no padding, no white space, zero trailing bits.
        URL_SAFE_NO_PAD
            .decode_append(value, buf)
            .map_err(|_| OpenError::Malformed(Malformed::Base64))?;
        // The version first: it decides the least length.
        let min = match buf.first() {
            Some(&VERSION) => OVERHEAD,
            Some(&VERSION_1) => OVERHEAD_V1,
            Some(&other) => return Err(OpenError::UnsupportedVersion(other)),
            None => 0,
        };
        if buf.len() < min.max(OVERHEAD_V1) {
            return Err(OpenError::Malformed(Malformed::TooShort {
                len: buf.len(),
                min: min.max(OVERHEAD_V1),
            }));
        }
        let (head, rest) = buf.split_at_mut(PLAINTEXT_START);
        let (header, nonce) = head.split_at(HEADER_LEN);
        let header: [u8; HEADER_LEN] = header.try_into().map_err(|_| OpenError::Unauthenticated)?;
        let nonce: &[u8; NONCE_LEN] = nonce.try_into().map_err(|_| OpenError::Unauthenticated)?;
        let sealed_with = header[5];
        if let Some(expected) = codec_id.filter(|&expected| expected != sealed_with) {
            return Err(OpenError::WrongCodec {
                sealed_with,
                expected,
            });
        }
        let key_id = KeyId::from_bytes([header[1], header[2], header[3], header[4]]);
        let key = ring.get(key_id).ok_or(OpenError::UnknownKey(key_id))?;

        let (ciphertext, tag) = rest.split_at_mut(rest.len() - TAG_LEN);
        let tag: &[u8; TAG_LEN] = (&*tag).try_into().map_err(|_| OpenError::Unauthenticated)?;
        // A name too long to bind was never sealed for: nothing opens under it.
        with_aad(&header, cookie_name, |aad| {
            aead::open_in_place(key.as_bytes(), nonce, aad, ciphertext, tag)
        })
        .map_err(|NameTooLong| OpenError::Unauthenticated)?
        .map_err(|_| OpenError::Unauthenticated)?;

        let (times, payload) = ciphertext.split_at(TIMES_LEN);
        let (created, expires) = times.split_at(8);
        // Version 1 has no cookie field: the layer's default, as all zero means.
        let (cookie, payload) = if header[0] == VERSION {
            let (cookie, payload) = payload.split_at(COOKIE_LEN);
            let cookie: [u8; COOKIE_LEN] =
                cookie.try_into().map_err(|_| OpenError::Unauthenticated)?;
            (cookie, payload)
        } else {
            ([0; COOKIE_LEN], payload)
        };
        let times = Times {
            created_at: u64::from_le_bytes(
                created.try_into().map_err(|_| OpenError::Unauthenticated)?,
            ),
            expires_at: u64::from_le_bytes(
                expires.try_into().map_err(|_| OpenError::Unauthenticated)?,
            ),
            cookie,
        };
        f(Envelope {
            key_id,
            codec_id: sealed_with,
            times,
            payload,
        })
    })
}

/// The checks every cookie value gets before anything decodes it, in both formats (the
/// `@fastify/secure-session` envelope makes them too): no longer than `max_len`, the longest
/// value the sealer accepts, and not empty.
#[inline]
pub(crate) fn check_raw_value(value: &str, max_len: usize) -> Result<(), OpenError> {
    if value.len() > max_len {
        return Err(OpenError::TooLarge {
            len: value.len(),
            max: max_len,
        });
    }
    if value.is_empty() {
        return Err(OpenError::Malformed(Malformed::Empty));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Key;

    /// The codec byte the tests seal with (postcard's).
    const CODEC: u8 = 2;

    fn ring() -> KeyRing {
        KeyRing::new(Key::from_bytes([0x42; 32]))
    }

    fn seal_fixed(payload: &[u8]) -> String {
        seal_fixed_with(payload, [0; COOKIE_LEN])
    }

    fn seal_fixed_with(payload: &[u8], cookie: [u8; COOKIE_LEN]) -> String {
        let times = Times {
            created_at: 1_700_000_000,
            expires_at: 1_700_086_400,
            cookie,
        };
        let mut value = String::new();
        let sealed = seal_with_nonce(
            ring().primary(),
            b"session",
            CODEC,
            4096,
            times,
            &[0x24; 24],
            |b| {
                b.extend_from_slice(payload);
                Ok::<(), ()>(())
            },
            &mut value,
        );
        match sealed {
            Ok(()) => value,
            Err(_) => panic!("sealing failed"),
        }
    }

    #[test]
    fn frozen_vector_has_exact_layout() {
        let value = seal_fixed_with(b"hello", [2, 0, 0, 0, 0]);
        let raw = URL_SAFE_NO_PAD.decode_to_vec(&value).unwrap();
        assert_eq!(raw.len(), OVERHEAD + 5);
        assert_eq!(raw[0], VERSION);
        assert_eq!(&raw[1..5], &ring().primary().id().to_bytes());
        assert_eq!(raw[5], CODEC);
        assert_eq!(&raw[6..30], &[0x24; 24]);
        // The exact value is pinned so that the format cannot drift.
        assert_eq!(value, FROZEN_HELLO);
    }

    /// Key `[0x42; 32]`, codec byte 2, nonce `[0x24; 24]`, created 1700000000, expires
    /// 1700086400, cookie field `02 00 00 00 00` (until the session expires), name `session`,
    /// payload `hello`. Cross-checked against libsodium's
    /// `crypto_aead_xchacha20poly1305_ietf_encrypt` with the same inputs (through PyNaCl:
    /// AAD = header || "session").
    const FROZEN_HELLO: &str =
        "AhCMB0QCJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkpa-EAG4kTKYibWpfDogNyjDxjrp8dxHxTQ5Zo5cidwCakoGUKQdRZrwh";

    /// The same inputs in format version 1, which had no cookie field (and was written by the
    /// releases before it): still read, as the layer's default lifetime.
    const FROZEN_HELLO_V1: &str =
        "ARCMB0QCJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkpa-EAG4kTKYibWpfDogNylqU4tYTfXTyyFcG9USe7atuAZLr9w";

    #[test]
    fn both_versions_open_with_their_cookie_field() {
        for (value, cookie) in [
            (FROZEN_HELLO, [2, 0, 0, 0, 0]),
            (FROZEN_HELLO_V1, [0; COOKIE_LEN]),
        ] {
            let (times, payload) = open(&ring(), b"session", Some(CODEC), value, 4096, |e| {
                Ok((e.times, e.payload.to_vec()))
            })
            .unwrap();
            assert_eq!(payload, b"hello");
            assert_eq!(
                times,
                Times {
                    created_at: 1_700_000_000,
                    expires_at: 1_700_086_400,
                    cookie,
                }
            );
        }
        // A version-1 value one byte short of its own minimum is too short; a version-2 one
        // must hold the cookie field too.
        let short_v2 = {
            let mut raw = URL_SAFE_NO_PAD.decode_to_vec(FROZEN_HELLO).unwrap();
            raw.truncate(OVERHEAD - 1);
            URL_SAFE_NO_PAD.encode_to_string(&raw)
        };
        assert_eq!(
            open(
                &ring(),
                b"session",
                Some(CODEC),
                &short_v2,
                4096,
                |_| Ok(())
            )
            .unwrap_err(),
            OpenError::Malformed(Malformed::TooShort {
                len: OVERHEAD - 1,
                min: OVERHEAD
            })
        );
    }

    #[test]
    fn aad_binds_the_cookie_name() {
        let value = seal_fixed(b"x");
        let err = open(&ring(), b"other", Some(CODEC), &value, 4096, |_| Ok(())).unwrap_err();
        assert_eq!(err, OpenError::Unauthenticated);
        let opened = open(&ring(), b"session", Some(CODEC), &value, 4096, |e| {
            Ok(e.payload.to_vec())
        })
        .unwrap();
        assert_eq!(opened, b"x");
    }

    #[test]
    fn the_aad_is_the_header_and_the_whole_name_at_every_length() {
        let key = ring().primary().clone();
        let times = Times {
            created_at: 1,
            expires_at: 2,
            cookie: [0; COOKIE_LEN],
        };
        for len in [
            0,
            1,
            SHORT_NAME_LEN - 1,
            SHORT_NAME_LEN,
            SHORT_NAME_LEN + 1,
            100,
            MAX_NAME_LEN,
        ] {
            let name: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
            let mut value = String::new();
            let sealed = seal_with_nonce(
                &key,
                &name,
                CODEC,
                4096,
                times,
                &[7; 24],
                |b| {
                    b.extend_from_slice(b"payload");
                    Ok::<(), ()>(())
                },
                &mut value,
            );
            assert!(sealed.is_ok());
            // The same bytes as the cipher gives with the AAD built by hand.
            let raw = URL_SAFE_NO_PAD.decode_to_vec(&value).unwrap();
            let mut aad = raw[..HEADER_LEN].to_vec();
            aad.extend_from_slice(&name);
            let mut plaintext = raw[PLAINTEXT_START..raw.len() - TAG_LEN].to_vec();
            let tag: [u8; TAG_LEN] = raw[raw.len() - TAG_LEN..].try_into().unwrap();
            aead::open_in_place(key.as_bytes(), &[7; 24], &aad, &mut plaintext, &tag).unwrap();
            assert_eq!(&plaintext[TIMES_LEN + COOKIE_LEN..], b"payload");
            // Opens under its name only: a one-byte change anywhere in it fails.
            assert!(
                open(&ring(), &name, Some(CODEC), &value, 4096, |_| Ok(())).is_ok(),
                "{len}"
            );
            for i in 0..len {
                let mut other = name.clone();
                other[i] ^= 1;
                let err = open(&ring(), &other, Some(CODEC), &value, 4096, |_| Ok(())).unwrap_err();
                assert_eq!(err, OpenError::Unauthenticated, "{len} {i}");
            }
        }
    }

    /// `payload` sealed under `name` with the test key and nonce `[1; 24]`.
    fn seal_named(name: &[u8], payload: &[u8]) -> (Result<(), SealFailure<()>>, String) {
        let mut value = String::new();
        let times = Times {
            created_at: 1,
            expires_at: 2,
            cookie: [0; COOKIE_LEN],
        };
        let sealed = seal_with_nonce(
            ring().primary(),
            name,
            CODEC,
            4096,
            times,
            &[1; 24],
            |b| {
                b.extend_from_slice(payload);
                Ok(())
            },
            &mut value,
        );
        (sealed, value)
    }

    #[test]
    fn a_name_longer_than_the_format_binds_is_an_error_not_cut() {
        let long: Vec<u8> = vec![b'n'; MAX_NAME_LEN + 1];
        let (sealed, value) = seal_named(&long, &[1]);
        assert!(matches!(sealed, Err(SealFailure::NameTooLong)));
        assert!(value.is_empty());
        // A value sealed under the name cut to the limit does not open under the long name.
        let (sealed, cut) = seal_named(&long[..MAX_NAME_LEN], &[1]);
        assert!(sealed.is_ok());
        let err = open(&ring(), &long, Some(CODEC), &cut, 4096, |_| Ok(())).unwrap_err();
        assert_eq!(err, OpenError::Unauthenticated);
    }

    #[test]
    fn a_value_of_another_codec_is_refused_before_the_cipher() {
        let value = seal_fixed(b"hello");
        let err = open(&ring(), b"session", Some(CODEC + 1), &value, 4096, |_| {
            Ok(())
        });
        assert_eq!(
            err.unwrap_err(),
            OpenError::WrongCodec {
                sealed_with: CODEC,
                expected: CODEC + 1
            }
        );
        // Flipping the codec byte to pass the check breaks the tag: the byte is authenticated.
        let mut raw = URL_SAFE_NO_PAD.decode_to_vec(&value).unwrap();
        raw[5] = CODEC + 1;
        let flipped = URL_SAFE_NO_PAD.encode_to_string(&raw);
        let err = open(&ring(), b"session", Some(CODEC + 1), &flipped, 4096, |_| {
            Ok(())
        });
        assert_eq!(err.unwrap_err(), OpenError::Unauthenticated);
        // Without a codec to check (opening as bytes), the envelope says which codec it was.
        let codec = open(&ring(), b"session", None, &value, 4096, |e| Ok(e.codec_id));
        assert_eq!(codec.unwrap(), CODEC);
    }

    proptest::proptest! {
        /// The SIMD decoder accepts exactly what the `base64` crate's strict URL-safe, unpadded
        /// engine accepts (the decoder this format was first read with), with the same bytes.
        #[test]
        fn base64_decoding_matches_the_strict_base64_crate(
            alphabet in "[A-Za-z0-9_-]{0,80}",
            mixed in "[A-Za-z0-9_=+/ -]{0,80}",
        ) {
            use base64::Engine as _;
            for text in [alphabet, mixed] {
                let strict = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(&text).ok();
                let mut fast = Vec::new();
                let fast = URL_SAFE_NO_PAD.decode_append(&text, &mut fast).ok().map(|()| fast);
                proptest::prop_assert_eq!(fast, strict);
            }
        }

        #[test]
        fn base64_encoding_matches_the_base64_crate(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200),
        ) {
            use base64::Engine as _;
            proptest::prop_assert_eq!(
                URL_SAFE_NO_PAD.encode_to_string(&bytes),
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes)
            );
        }
    }
}
