//! The pure-Rust backend (feature `pure-rust`): RustCrypto's `chacha20poly1305`, which needs no
//! C compiler or assembler. On x86-64 its Poly1305 makes a short seal or open 1.4-1.6 us slower
//! than with the `ring` backend unless built with AVX2 enabled or its portable backend forced
//! (BENCHMARKS.md, "Cipher backends").

use chacha20poly1305::{AeadInOut as _, KeyInit as _, XChaCha20Poly1305};
use zeroize::Zeroize as _;

use super::{Backend, CipherError, KEY_LEN, NONCE_LEN, TAG_LEN};

/// The cipher for one message: the key's cipher state and the nonce.
pub(super) struct Cipher {
    cipher: XChaCha20Poly1305,
    nonce: [u8; NONCE_LEN],
}

impl Backend for Cipher {
    #[inline]
    fn new(key: &[u8; KEY_LEN], nonce: &[u8; NONCE_LEN]) -> Result<Self, CipherError> {
        // Made from a borrowed key: no copy of it is left behind, and the cipher's own copy is
        // zeroized on drop (the dependency's `zeroize` feature).
        Ok(Self {
            cipher: XChaCha20Poly1305::new(key.into()),
            nonce: *nonce,
        })
    }

    #[inline]
    fn seal(self, aad: &[u8], in_out: &mut [u8]) -> Result<[u8; TAG_LEN], CipherError> {
        let tag = self
            .cipher
            .encrypt_inout_detached((&self.nonce).into(), aad, in_out.into())
            .map_err(|_| CipherError)?;
        Ok(tag.into())
    }

    /// `chacha20poly1305` checks the tag before it decrypts, so a failure leaves the ciphertext
    /// in `in_out`; it is zeroed here anyway, so that both backends leave the same bytes
    /// behind.
    #[inline]
    fn open(self, aad: &[u8], in_out: &mut [u8], tag: &[u8; TAG_LEN]) -> Result<(), CipherError> {
        self.cipher
            .decrypt_inout_detached((&self.nonce).into(), aad, (&mut *in_out).into(), tag.into())
            .map_err(|_| {
                in_out.zeroize();
                CipherError
            })
    }
}
