//! The session cipher: XChaCha20-Poly1305 exactly as draft-irtf-cfrg-xchacha (section 2.3)
//! defines it, from one of two backends chosen at compile time by Cargo feature:
//!
//! ```text
//! ring (default)  subkey = HChaCha20(key, nonce[0..16])                     RustCrypto `chacha20`
//!                 sealed = ChaCha20-Poly1305(subkey, 0^32 || nonce[16..24])  RFC 8439 AEAD, `ring`
//! pure-rust       sealed = XChaCha20Poly1305(key, nonce)                     RustCrypto `chacha20poly1305`
//! ```
//!
//! Both compute the same function, so the wire format does not depend on the backend: a value
//! sealed by one opens with the other. No field arithmetic or stream-cipher code lives here:
//! only the composition the draft specifies (`ring_backend.rs`), checked against its published
//! vector (appendix A.3.1), the HChaCha20 vector (section 2.2.1) and RFC 8439's AEAD vector
//! (section 2.8.2), and a differential property test between the two backends on random and
//! tampered inputs.
//!
//! Which backend runs: `ring` whenever the `ring` feature is on, `pure-rust` only when it is
//! off (`default-features = false, features = ["pure-rust"]`). The rule is fixed, not an error,
//! because Cargo unifies features across a dependency graph (and CI builds `--all-features`):
//! once one crate in the graph has turned `ring` on, ring and its C build are in the binary
//! anyway, and it is the faster of the two. With neither feature there is no cipher, and the
//! crate does not compile.
//!
//! Why `ring` is the default, though `chacha20poly1305` needs no C compiler: on x86-64 its
//! Poly1305 (`poly1305` 0.9) picks an AVX2 backend at run time whose per-message set-up (the
//! key split and r² in `State::new`, the final carry propagation in `finalize`) sits outside its
//! `#[target_feature(enable = "avx2")]` functions. There every AVX2 intrinsic is an out-of-line
//! call that passes 256-bit values through the stack, about 170 per message: a seal or open
//! measured 1.4-1.6 us slower than with `ring` (which dispatches once per call into assembly)
//! up to 256 bytes, more than a whole seal with `ring`. Building with `-C target-feature=+avx2`
//! or `--cfg poly1305_backend="soft"` removes most of that. BENCHMARKS.md has the measurements.

#[cfg(any(all(feature = "pure-rust", not(feature = "ring")), test))]
mod pure_rust;
#[cfg(feature = "ring")]
mod ring_backend;

// The backend that runs: ring whenever its feature is on (see above).
#[cfg(feature = "ring")]
type Chosen = ring_backend::Cipher;
#[cfg(all(feature = "pure-rust", not(feature = "ring")))]
type Chosen = pure_rust::Cipher;

#[cfg(not(any(feature = "ring", feature = "pure-rust")))]
compile_error!(
    "sealed-session needs a cipher backend: the `ring` feature (on by default) or `pure-rust`"
);

/// XChaCha20-Poly1305 key length.
pub(crate) const KEY_LEN: usize = 32;
/// XChaCha20-Poly1305 nonce length.
pub(crate) const NONCE_LEN: usize = 24;
/// Poly1305 tag length.
pub(crate) const TAG_LEN: usize = 16;

/// The cipher refused: a tag that does not verify, or a message longer than the AEAD allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CipherError;

/// What a backend provides: XChaCha20-Poly1305 under one key and nonce, for one message. The
/// backends differ only in how they build and run the cipher, so the crate's interface below,
/// [`seal_in_place`] and [`open_in_place`], is written once over this trait, for the backend
/// chosen at compile time (`Chosen`: no dynamic dispatch).
trait Backend: Sized {
    /// The cipher for `key` and `nonce`. A nonce must never repeat under one key.
    fn new(key: &[u8; KEY_LEN], nonce: &[u8; NONCE_LEN]) -> Result<Self, CipherError>;

    /// Encrypt `in_out` in place, authenticating `aad` too, and return the tag.
    fn seal(self, aad: &[u8], in_out: &mut [u8]) -> Result<[u8; TAG_LEN], CipherError>;

    /// Check `tag` over `aad` and the ciphertext in `in_out` and decrypt it in place. On
    /// failure `in_out` must be zeroed: no unauthenticated plaintext is left in it.
    fn open(self, aad: &[u8], in_out: &mut [u8], tag: &[u8; TAG_LEN]) -> Result<(), CipherError>;
}

/// Encrypt `in_out` in place under `key` and `nonce`, authenticating `aad` too, and return the
/// tag. A nonce must never repeat under one key.
pub(crate) fn seal_in_place(
    key: &[u8; KEY_LEN],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    in_out: &mut [u8],
) -> Result<[u8; TAG_LEN], CipherError> {
    Chosen::new(key, nonce)?.seal(aad, in_out)
}

/// Check `tag` over `aad` and the ciphertext in `in_out` and decrypt it in place. On failure
/// `in_out` is zeroed: no unauthenticated plaintext is left in it.
pub(crate) fn open_in_place(
    key: &[u8; KEY_LEN],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    in_out: &mut [u8],
    tag: &[u8; TAG_LEN],
) -> Result<(), CipherError> {
    Chosen::new(key, nonce)?.open(aad, in_out, tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(in crate::aead) fn hex(text: &str) -> Vec<u8> {
        let text: String = text.split_whitespace().collect();
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect()
    }

    pub(in crate::aead) fn array<const N: usize>(text: &str) -> [u8; N] {
        hex(text).try_into().unwrap()
    }

    pub(in crate::aead) const SUNSCREEN: &[u8] =
        b"Ladies and Gentlemen of the class of '99: If I could offer you only \
        one tip for the future, sunscreen would be it.";

    /// Seal [`SUNSCREEN`] with `seal` and check the ciphertext and tag against a published
    /// vector's hex. Both vectors checked here use the key and AAD of RFC 8439's AEAD vector
    /// (section 2.8.2; the XChaCha draft's reuses them), which `seal` is given with a buffer
    /// to seal in place; it returns the tag. Returns the sealed buffer and the tag.
    pub(in crate::aead) fn assert_seals_sunscreen(
        ciphertext: &str,
        tag: &str,
        seal: impl FnOnce(&[u8; 32], &[u8], &mut [u8]) -> [u8; 16],
    ) -> (Vec<u8>, [u8; 16]) {
        let key = vector_key();
        let mut buf = SUNSCREEN.to_vec();
        let sealed_tag = seal(&key, &vector_aad(), &mut buf);
        assert_eq!(buf, hex(ciphertext));
        assert_eq!(sealed_tag, array::<16>(tag));
        (buf, sealed_tag)
    }

    pub(in crate::aead) fn vector_key() -> [u8; 32] {
        array("808182838485868788898a8b8c8d8e8f 909192939495969798999a9b9c9d9e9f")
    }

    pub(in crate::aead) fn vector_aad() -> Vec<u8> {
        hex("50515253c0c1c2c3c4c5c6c7")
    }

    /// draft-irtf-cfrg-xchacha-03, appendix A.3.1.
    #[test]
    fn xchacha20poly1305_matches_the_draft_vector() {
        let nonce: [u8; 24] = array("404142434445464748494a4b4c4d4e4f5051525354555657");
        let (mut buf, tag) = assert_seals_sunscreen(
            "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb
             731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452
             2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9
             21f9664c97637da9768812f615c68b13b52e",
            "c0875924c1c7987947deafd8780acf49",
            |key, aad, buf| seal_in_place(key, &nonce, aad, buf).unwrap(),
        );
        let key = vector_key();
        assert_eq!(
            open_in_place(&key, &nonce, &vector_aad(), &mut buf, &tag),
            Ok(())
        );
        assert_eq!(buf, SUNSCREEN);
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

    /// Which part of a sealed message a tampering test changes.
    #[cfg(feature = "ring")]
    #[derive(Debug, Clone, Copy)]
    enum Part {
        Key,
        Nonce,
        Aad,
        Ciphertext,
        Tag,
    }

    /// `message` sealed by backend `B`, and the tag.
    #[cfg(feature = "ring")]
    fn sealed_by<B: Backend>(
        key: &[u8; 32],
        nonce: &[u8; 24],
        aad: &[u8],
        message: &[u8],
    ) -> (Vec<u8>, [u8; 16]) {
        let mut sealed = message.to_vec();
        let tag = B::new(key, nonce).unwrap().seal(aad, &mut sealed).unwrap();
        (sealed, tag)
    }

    /// A random key and nonce, an AAD shorter than `aad_len` and a message shorter than
    /// `message_len`.
    #[cfg(feature = "ring")]
    fn inputs(
        aad_len: usize,
        message_len: usize,
    ) -> impl proptest::strategy::Strategy<Value = ([u8; 32], [u8; 24], Vec<u8>, Vec<u8>)> {
        use proptest::prelude::any;
        (
            any::<[u8; 32]>(),
            any::<[u8; 24]>(),
            proptest::collection::vec(any::<u8>(), 0..aad_len),
            proptest::collection::vec(any::<u8>(), 0..message_len),
        )
    }

    // The backends are compared directly, whichever one the crate runs: the ring backend exists
    // only with the `ring` feature, and the pure-Rust one is always built for tests
    // (`chacha20poly1305` is a dev-dependency too).
    #[cfg(feature = "ring")]
    proptest::proptest! {
        #[test]
        fn both_backends_seal_the_same_bytes_and_open_each_other(
            (key, nonce, aad, message) in inputs(300, 1100),
        ) {
            let (by_ring, ring_tag) = sealed_by::<ring_backend::Cipher>(&key, &nonce, &aad, &message);
            let (by_rust, rust_tag) = sealed_by::<pure_rust::Cipher>(&key, &nonce, &aad, &message);
            proptest::prop_assert_eq!(&by_ring, &by_rust);
            proptest::prop_assert_eq!(ring_tag, rust_tag);

            // Each opens what the other sealed.
            let mut opened = by_ring.clone();
            proptest::prop_assert_eq!(pure_rust::Cipher::new(&key, &nonce).unwrap().open(&aad, &mut opened, &ring_tag), Ok(()));
            proptest::prop_assert_eq!(&opened, &message);
            let mut opened = by_rust;
            proptest::prop_assert_eq!(ring_backend::Cipher::new(&key, &nonce).unwrap().open(&aad, &mut opened, &rust_tag), Ok(()));
            proptest::prop_assert_eq!(&opened, &message);
        }

        #[test]
        fn both_backends_refuse_the_same_tampered_values(
            (key, nonce, aad, message) in inputs(100, 300),
            part in proptest::prop_oneof![
                proptest::strategy::Just(Part::Key),
                proptest::strategy::Just(Part::Nonce),
                proptest::strategy::Just(Part::Aad),
                proptest::strategy::Just(Part::Ciphertext),
                proptest::strategy::Just(Part::Tag),
            ],
            at in proptest::prelude::any::<proptest::sample::Index>(),
            flip in 1u8..=255,
        ) {
            let (mut sealed, mut tag) = sealed_by::<ring_backend::Cipher>(&key, &nonce, &aad, &message);
            let (mut key, mut nonce, mut aad) = (key, nonce, aad);
            // An empty AAD or message has no byte to change: then the tag is changed instead.
            let target: &mut [u8] = match part {
                Part::Key => &mut key,
                Part::Nonce => &mut nonce,
                Part::Aad if !aad.is_empty() => &mut aad,
                Part::Ciphertext if !sealed.is_empty() => &mut sealed,
                Part::Aad | Part::Ciphertext | Part::Tag => &mut tag,
            };
            let i = at.index(target.len());
            target[i] ^= flip;

            let mut by_ring = sealed.clone();
            let mut by_rust = sealed;
            proptest::prop_assert_eq!(ring_backend::Cipher::new(&key, &nonce).unwrap().open(&aad, &mut by_ring, &tag), Err(CipherError));
            proptest::prop_assert_eq!(pure_rust::Cipher::new(&key, &nonce).unwrap().open(&aad, &mut by_rust, &tag), Err(CipherError));
            // Neither leaves plaintext (or anything else) behind.
            proptest::prop_assert!(by_ring.iter().all(|&b| b == 0));
            proptest::prop_assert_eq!(by_ring, by_rust);
        }
    }
}
