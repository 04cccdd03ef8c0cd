//! The session cipher: XChaCha20-Poly1305 exactly as draft-irtf-cfrg-xchacha (section 2.3)
//! defines it, put together from two vetted parts:
//!
//! ```text
//! subkey = HChaCha20(key, nonce[0..16])                     RustCrypto `chacha20`
//! sealed = ChaCha20-Poly1305(subkey, 0^32 || nonce[16..24])  RFC 8439 AEAD from `ring`
//! ```
//!
//! No field arithmetic or stream-cipher code lives here: only the composition the draft
//! specifies, checked below against its published vector (appendix A.3), the HChaCha20 vector
//! (section 2.2.1) and RFC 8439's AEAD vector (section 2.8.2), and against the
//! `chacha20poly1305` crate (the implementation this replaced) on random inputs.
//!
//! Why not the `chacha20poly1305` crate, which computes the same function: on x86-64 its
//! Poly1305 (`poly1305` 0.9) picks an AVX2 backend at run time whose per-message set-up (the
//! key split and r² in `State::new`, the final carry propagation in `finalize`) sits outside its
//! `#[target_feature(enable = "avx2")]` functions. There every AVX2 intrinsic is an out-of-line
//! call that passes 256-bit values through the stack, about 170 per message, which costs
//! well over a microsecond: more than a whole 256-byte seal on the portable path. `ring`
//! dispatches once per call into assembly, so short messages stay cheap with no build flags.
//! BENCHMARKS.md has the measurements.

use chacha20::{hchacha, R20};
use ring::aead::{Aad, LessSafeKey, Nonce, Tag, UnboundKey, CHACHA20_POLY1305};
use zeroize::Zeroizing;

/// XChaCha20-Poly1305 key length.
pub(crate) const KEY_LEN: usize = 32;
/// XChaCha20-Poly1305 nonce length.
pub(crate) const NONCE_LEN: usize = 24;
/// Poly1305 tag length.
pub(crate) const TAG_LEN: usize = 16;

/// The cipher refused: a tag that does not verify, or a message longer than the AEAD allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CipherError;

/// The RFC 8439 key and nonce that XChaCha20-Poly1305 reduces to for this key and nonce.
/// Inlined so that ring's key, sized for its largest algorithm, is built in place, not copied.
#[inline(always)]
fn derive(
    key: &[u8; KEY_LEN],
    nonce: &[u8; NONCE_LEN],
) -> Result<(LessSafeKey, Nonce), CipherError> {
    let (prefix, suffix) = nonce.split_at(16);
    let prefix: &[u8; 16] = prefix.try_into().map_err(|_| CipherError)?;
    let subkey = Zeroizing::new(<[u8; KEY_LEN]>::from(hchacha::<R20>(
        key.into(),
        prefix.into(),
    )));
    let mut ietf_nonce = [0u8; 12];
    ietf_nonce[4..].copy_from_slice(suffix);
    let key = UnboundKey::new(&CHACHA20_POLY1305, subkey.as_slice()).map_err(|_| CipherError)?;
    Ok((
        LessSafeKey::new(key),
        Nonce::assume_unique_for_key(ietf_nonce),
    ))
}

/// Encrypt `in_out` in place under `key` and `nonce`, authenticating `aad` too, and return the
/// tag. A nonce must never repeat under one key.
pub(crate) fn seal_in_place(
    key: &[u8; KEY_LEN],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    in_out: &mut [u8],
) -> Result<[u8; TAG_LEN], CipherError> {
    let (key, nonce) = derive(key, nonce)?;
    let tag = key
        .seal_in_place_separate_tag(nonce, Aad::from(aad), in_out)
        .map_err(|_| CipherError)?;
    tag.as_ref().try_into().map_err(|_| CipherError)
}

/// Check `tag` over `aad` and the ciphertext in `in_out`, and decrypt it in place. On failure
/// `in_out` is zeroed: no unauthenticated plaintext is left in it.
pub(crate) fn open_in_place(
    key: &[u8; KEY_LEN],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    in_out: &mut [u8],
    tag: &[u8; TAG_LEN],
) -> Result<(), CipherError> {
    let (key, nonce) = derive(key, nonce)?;
    key.open_in_place_separate_tag(nonce, Aad::from(aad), Tag::from(*tag), in_out, 0..)
        .map(drop)
        .map_err(|_| CipherError)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(text: &str) -> Vec<u8> {
        let text: String = text.split_whitespace().collect();
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect()
    }

    fn array<const N: usize>(text: &str) -> [u8; N] {
        hex(text).try_into().unwrap()
    }

    const SUNSCREEN: &[u8] =
        b"Ladies and Gentlemen of the class of '99: If I could offer you only \
        one tip for the future, sunscreen would be it.";

    /// draft-irtf-cfrg-xchacha-03, section 2.2.1.
    #[test]
    fn hchacha20_matches_the_draft_vector() {
        let key: [u8; 32] =
            array("000102030405060708090a0b0c0d0e0f 101112131415161718191a1b1c1d1e1f");
        let input: [u8; 16] = array("000000090000004a0000000031415927");
        let subkey = hchacha::<R20>(&key.into(), &input.into());
        assert_eq!(
            subkey.as_slice(),
            hex("82413b4227b27bfed30e42508a877d73 a0f9e4d58a74a853c12ec41326d3ecdc")
        );
    }

    /// draft-irtf-cfrg-xchacha-03, appendix A.3.1.
    #[test]
    fn xchacha20poly1305_matches_the_draft_vector() {
        let key: [u8; 32] =
            array("808182838485868788898a8b8c8d8e8f 909192939495969798999a9b9c9d9e9f");
        let nonce: [u8; 24] = array("404142434445464748494a4b4c4d4e4f5051525354555657");
        let aad = hex("50515253c0c1c2c3c4c5c6c7");
        let ciphertext = hex(
            "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb
             731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452
             2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9
             21f9664c97637da9768812f615c68b13b52e",
        );
        let tag: [u8; 16] = array("c0875924c1c7987947deafd8780acf49");

        let mut buf = SUNSCREEN.to_vec();
        assert_eq!(seal_in_place(&key, &nonce, &aad, &mut buf), Ok(tag));
        assert_eq!(buf, ciphertext);

        assert_eq!(open_in_place(&key, &nonce, &aad, &mut buf, &tag), Ok(()));
        assert_eq!(buf, SUNSCREEN);
    }

    /// RFC 8439, section 2.8.2: the ChaCha20-Poly1305 layer, called as `derive` calls it.
    #[test]
    fn chacha20poly1305_layer_matches_rfc8439() {
        let key: [u8; 32] =
            array("808182838485868788898a8b8c8d8e8f 909192939495969798999a9b9c9d9e9f");
        let nonce: [u8; 12] = array("070000004041424344454647");
        let aad = hex("50515253c0c1c2c3c4c5c6c7");
        let ciphertext = hex(
            "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6
             3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36
             92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc
             3ff4def08e4b7a9de576d26586cec64b6116",
        );
        let tag = hex("1ae10b594f09e26a7e902ecbd0600691");

        let sealing = LessSafeKey::new(UnboundKey::new(&CHACHA20_POLY1305, &key).unwrap());
        let mut buf = SUNSCREEN.to_vec();
        let got = sealing
            .seal_in_place_separate_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(&aad),
                &mut buf,
            )
            .unwrap();
        assert_eq!(buf, ciphertext);
        assert_eq!(got.as_ref(), tag.as_slice());
    }

    #[test]
    fn a_changed_byte_anywhere_does_not_open() {
        let key = [9u8; 32];
        let nonce = [3u8; 24];
        let mut sealed = b"session payload".to_vec();
        let tag = seal_in_place(&key, &nonce, b"aad", &mut sealed).unwrap();

        for i in 0..sealed.len() {
            let mut forged = sealed.clone();
            forged[i] ^= 1;
            assert_eq!(
                open_in_place(&key, &nonce, b"aad", &mut forged, &tag),
                Err(CipherError)
            );
        }
        let mut bad_tag = tag;
        bad_tag[15] ^= 0x80;
        let mut copy = sealed.clone();
        assert_eq!(
            open_in_place(&key, &nonce, b"aad", &mut copy, &bad_tag),
            Err(CipherError)
        );
        assert!(
            copy.iter().all(|&b| b == 0),
            "no plaintext left after a failure"
        );
        let mut other_nonce = nonce;
        other_nonce[0] ^= 1; // the HChaCha20 half
        let mut copy = sealed.clone();
        assert!(open_in_place(&key, &other_nonce, b"aad", &mut copy, &tag).is_err());
        let mut other_nonce = nonce;
        other_nonce[23] ^= 1; // the ChaCha20 half
        let mut copy = sealed.clone();
        assert!(open_in_place(&key, &other_nonce, b"aad", &mut copy, &tag).is_err());
        assert!(open_in_place(&key, &nonce, b"aae", &mut sealed, &tag).is_err());
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_the_chacha20poly1305_crate(
            key in proptest::prelude::any::<[u8; 32]>(),
            nonce in proptest::prelude::any::<[u8; 24]>(),
            aad in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300),
            message in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..1100),
        ) {
            use chacha20poly1305::{AeadInOut as _, KeyInit as _, XChaCha20Poly1305, XNonce};

            let reference = XChaCha20Poly1305::new(&key.into());
            let mut expected = message.clone();
            let expected_tag = reference
                .encrypt_inout_detached(&XNonce::from(nonce), &aad, expected.as_mut_slice().into())
                .unwrap();

            let mut sealed = message.clone();
            let tag = seal_in_place(&key, &nonce, &aad, &mut sealed).unwrap();
            proptest::prop_assert_eq!(&sealed, &expected);
            proptest::prop_assert_eq!(&tag[..], expected_tag.as_slice());

            proptest::prop_assert_eq!(open_in_place(&key, &nonce, &aad, &mut sealed, &tag), Ok(()));
            proptest::prop_assert_eq!(sealed, message);
        }
    }
}
