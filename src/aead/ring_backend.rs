//! The `ring` backend (feature `ring`, on by default): HChaCha20 from RustCrypto's `chacha20`,
//! then RFC 8439 ChaCha20-Poly1305 from `ring`, whose assembly is chosen once per call rather
//! than once per intrinsic, so short messages stay cheap with no build flags.

use chacha20::{hchacha, R20};
use ring::aead::{Aad, LessSafeKey, Nonce, Tag, UnboundKey, CHACHA20_POLY1305};
use zeroize::Zeroizing;

use super::{Backend, CipherError, KEY_LEN, NONCE_LEN, TAG_LEN};

/// The RFC 8439 key and nonce that XChaCha20-Poly1305 reduces to for one key and nonce.
pub(super) struct Cipher {
    key: LessSafeKey,
    nonce: Nonce,
}

impl Backend for Cipher {
    // `new`, `seal` and `open` are inlined so that ring's key, sized for its largest
    // algorithm, is built where it is used, not copied into a call.
    #[inline(always)]
    fn new(key: &[u8; KEY_LEN], nonce: &[u8; NONCE_LEN]) -> Result<Self, CipherError> {
        let (prefix, suffix) = nonce.split_at(16);
        let prefix: &[u8; 16] = prefix.try_into().map_err(|_| CipherError)?;
        let subkey = Zeroizing::new(<[u8; KEY_LEN]>::from(hchacha::<R20>(
            key.into(),
            prefix.into(),
        )));
        let mut ietf_nonce = [0u8; 12];
        ietf_nonce[4..].copy_from_slice(suffix);
        let key =
            UnboundKey::new(&CHACHA20_POLY1305, subkey.as_slice()).map_err(|_| CipherError)?;
        Ok(Self {
            key: LessSafeKey::new(key),
            nonce: Nonce::assume_unique_for_key(ietf_nonce),
        })
    }

    #[inline(always)]
    fn seal(self, aad: &[u8], in_out: &mut [u8]) -> Result<[u8; TAG_LEN], CipherError> {
        let tag = self
            .key
            .seal_in_place_separate_tag(self.nonce, Aad::from(aad), in_out)
            .map_err(|_| CipherError)?;
        tag.as_ref().try_into().map_err(|_| CipherError)
    }

    /// `ring` decrypts while it authenticates and zeroes the buffer itself when the tag is
    /// wrong (`ring::aead::Algorithm::open_within`).
    #[inline(always)]
    fn open(self, aad: &[u8], in_out: &mut [u8], tag: &[u8; TAG_LEN]) -> Result<(), CipherError> {
        self.key
            .open_in_place_separate_tag(self.nonce, Aad::from(aad), Tag::from(*tag), in_out, 0..)
            .map(drop)
            .map_err(|_| CipherError)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{array, assert_seals_sunscreen, hex};
    use super::*;

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

    /// RFC 8439, section 2.8.2: the ChaCha20-Poly1305 layer, called as `Cipher::new` builds it.
    #[test]
    fn chacha20poly1305_layer_matches_rfc8439() {
        let nonce: [u8; 12] = array("070000004041424344454647");
        assert_seals_sunscreen(
            "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6
             3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36
             92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc
             3ff4def08e4b7a9de576d26586cec64b6116",
            "1ae10b594f09e26a7e902ecbd0600691",
            |key, aad, buf| {
                let sealing = LessSafeKey::new(UnboundKey::new(&CHACHA20_POLY1305, key).unwrap());
                let tag = sealing
                    .seal_in_place_separate_tag(
                        Nonce::assume_unique_for_key(nonce),
                        Aad::from(aad),
                        buf,
                    )
                    .unwrap();
                tag.as_ref().try_into().unwrap()
            },
        );
    }
}
