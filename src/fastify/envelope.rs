//! The `@fastify/secure-session` format over bytes: secretbox, base64, `;`, percent-encoding.
//! Knows nothing of JSON, `__ts` or time.
//!
//! ```text
//! value = BASE64(tag || ciphertext) ";" BASE64(nonce)   (XSalsa20-Poly1305, standard base64)
//! wire  = value, percent-encoded as @fastify/cookie does (encodeURIComponent)
//! ```

use std::borrow::Cow;

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use crypto_secretbox::aead::generic_array::GenericArray;
use crypto_secretbox::aead::{AeadInPlace as _, KeyInit as _};
use crypto_secretbox::XSalsa20Poly1305;
use rand::rngs::OsRng;
use rand::TryRngCore as _;
use zeroize::Zeroizing;

use crate::envelope::check_raw_value;
use crate::error::{Malformed, OpenError, SealError};
use crate::key::Key;
use crate::keyring::KeyRing;

/// Poly1305 tag length: the shortest box.
const TAG_LEN: usize = 16;
/// XSalsa20 nonce length.
const NONCE_LEN: usize = 24;

/// Standard alphabet, padding optional: what the plugin writes, read a little leniently.
const STANDARD_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);
/// The url-safe alphabet, padding optional: Node's decoder accepts it too.
const URL_SAFE_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Box the plaintext `write` appends, under `key` with a fresh random nonce; the value before
/// percent-encoding. `max_value_len`, the longest value the caller accepts, sizes the buffer
/// up front: one that grew while `write` ran would free a block of plaintext unwiped.
pub(super) fn seal(
    key: &Key,
    max_value_len: usize,
    write: impl FnOnce(&mut Vec<u8>) -> Result<(), SealError>,
) -> Result<String, SealError> {
    // Room for the tag in front, as crypto_secretbox_easy lays it out.
    let mut boxed = Zeroizing::new(Vec::with_capacity(TAG_LEN + max_value_len / 4 * 3 + 3));
    boxed.resize(TAG_LEN, 0);
    write(&mut boxed)?;
    // From the operating system on every seal, never an in-process generator that a fork
    // copies: see the native envelope.
    let mut nonce = [0u8; NONCE_LEN];
    OsRng
        .try_fill_bytes(&mut nonce)
        .map_err(|_| SealError::Random)?;
    let tag = cipher(key)
        .encrypt_in_place_detached(GenericArray::from_slice(&nonce), b"", &mut boxed[TAG_LEN..])
        .map_err(|_| SealError::Encrypt)?;
    boxed[..TAG_LEN].copy_from_slice(&tag);

    let mut value = String::with_capacity((boxed.len().div_ceil(3) + NONCE_LEN / 3) * 4 + 1);
    STANDARD.encode_string(&boxed[..], &mut value);
    value.push(';');
    STANDARD.encode_string(nonce, &mut value);
    Ok(value)
}

/// Open a value, percent-encoded or not: every check up to and including authentication,
/// cheapest first. `f` sees the plaintext (wiped when it returns) and the position in the ring
/// of the key that opened it.
pub(super) fn open<R>(
    ring: &KeyRing,
    value: &str,
    max_len: usize,
    f: impl FnOnce(&[u8], usize) -> Result<R, OpenError>,
) -> Result<R, OpenError> {
    check_raw_value(value, max_len)?;
    let value = percent_decode(value);
    let (boxed, nonce) = value
        .split_once(';')
        .ok_or(OpenError::Malformed(Malformed::Separator))?;
    // The plugin ignores anything after a second `;`; it never writes one, so neither is read.
    if nonce.contains(';') {
        return Err(OpenError::Malformed(Malformed::Separator));
    }
    let mut boxed = Zeroizing::new(decode_base64(boxed)?);
    let nonce = decode_base64(nonce)?;
    // The plugin's order: the box length, then the nonce length.
    if boxed.len() < TAG_LEN {
        return Err(OpenError::Malformed(Malformed::TooShort {
            len: boxed.len(),
            min: TAG_LEN,
        }));
    }
    if nonce.len() != NONCE_LEN {
        return Err(OpenError::Malformed(Malformed::NonceLength {
            len: nonce.len(),
            expected: NONCE_LEN,
        }));
    }

    let nonce = GenericArray::from_slice(&nonce);
    let (tag, body) = boxed.split_at_mut(TAG_LEN);
    let tag = GenericArray::from_slice(tag);
    // The format names no key: try each in order. A failed attempt leaves `body` untouched
    // (the tag is checked before anything is decrypted).
    let key_index = ring
        .keys()
        .position(|key| {
            cipher(key)
                .decrypt_in_place_detached(nonce, b"", body, tag)
                .is_ok()
        })
        .ok_or(OpenError::Unauthenticated)?;
    f(body, key_index)
}

/// The secretbox for a key. Cheap: it holds a copy of the key (wiped on drop) and does its key
/// set-up per nonce, so there is nothing to keep between calls.
fn cipher(key: &Key) -> XSalsa20Poly1305 {
    XSalsa20Poly1305::new(GenericArray::from_slice(key.as_bytes()))
}

fn decode_base64(text: &str) -> Result<Vec<u8>, OpenError> {
    let engine = if text.contains(['-', '_']) {
        &URL_SAFE_LENIENT
    } else {
        &STANDARD_LENIENT
    };
    engine
        .decode(text)
        .map_err(|_| OpenError::Malformed(Malformed::Base64))
}

/// Percent-encode a value as @fastify/cookie does (`encodeURIComponent`). Of the characters a
/// value holds, only `+`, `/`, `=` and `;` change.
pub(super) fn percent_encode(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() + raw.len() / 8 + 8);
    for c in raw.chars() {
        match c {
            '+' => out.push_str("%2B"),
            '/' => out.push_str("%2F"),
            '=' => out.push_str("%3D"),
            ';' => out.push_str("%3B"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-decode as the plugin's cookie parser does: only when the value holds a `%`, and if
/// it does not decode (a bad escape, or bytes that are not UTF-8), the value as it is.
fn percent_decode(value: &str) -> Cow<'_, str> {
    if !value.contains('%') {
        return Cow::Borrowed(value);
    }
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = |at: usize| bytes.get(at).and_then(|&h| (h as char).to_digit(16));
            match (hex(i + 1), hex(i + 2)) {
                (Some(hi), Some(lo)) => {
                    // Two hex digits make at most 0xff.
                    out.push(u8::try_from(hi * 16 + lo).unwrap_or(u8::MAX));
                    i += 3;
                }
                _ => return Cow::Borrowed(value),
            }
        } else {
            out.push(b);
            i += 1;
        }
    }
    match String::from_utf8(out) {
        Ok(decoded) => Cow::Owned(decoded),
        Err(_) => Cow::Borrowed(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoding_matches_encode_uri_component() {
        assert_eq!(percent_encode("aZ09+/=;"), "aZ09%2B%2F%3D%3B");
        assert_eq!(percent_decode("aZ09%2B%2f%3D%3B"), "aZ09+/=;");
    }

    #[test]
    fn bad_escapes_leave_the_value_as_it_is() {
        assert_eq!(percent_decode("ab%3"), "ab%3");
        assert_eq!(percent_decode("ab%zz;cd"), "ab%zz;cd");
        assert_eq!(percent_decode("ab%ff"), "ab%ff");
    }

    #[test]
    fn a_sealed_value_opens_under_its_key_only() {
        let (a, b) = (Key::from_bytes([1; 32]), Key::from_bytes([2; 32]));
        let value = seal(&a, 4096, |buf| {
            buf.extend_from_slice(b"{}");
            Ok(())
        })
        .unwrap();
        let ring = KeyRing::from_keys([b.clone(), a.clone()]).unwrap();
        let (plain, index) = open(&ring, &value, 4096, |p, i| Ok((p.to_vec(), i))).unwrap();
        assert_eq!((plain.as_slice(), index), (&b"{}"[..], 1));
        assert_eq!(
            open(&KeyRing::new(b), &value, 4096, |_, _| Ok(())).unwrap_err(),
            OpenError::Unauthenticated
        );
    }
}
