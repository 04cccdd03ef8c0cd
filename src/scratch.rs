//! Per-thread working buffers, so that sealing, opening and writing a cookie do not allocate
//! a buffer on every call: one helper, [`with_buffer`], and one rule for what a buffer keeps
//! between calls, named where each buffer is declared ([`Contents`]).

use std::cell::RefCell;
use std::thread::LocalKey;

use zeroize::Zeroize;

/// What a buffer holds, which decides how it is left between calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Contents {
    /// Plaintext: session data, or bytes a key decrypted. Room for what the call writes is
    /// reserved before it runs, because a vector that grows frees its old block, holding what
    /// was written so far, without wiping it. What was written is wiped when the call returns;
    /// a buffer that had to grow past [`KEPT_CAPACITY`] is wiped whole and freed, so that no
    /// thread keeps a large block.
    Secret,
    /// Ciphertext and cookie attributes: cleared after each call, never wiped.
    Public,
}

/// The capacity a secret buffer keeps between calls: the decoded size of a 4096-byte cookie
/// value and more, so that a request of an unchunked session never reallocates.
pub(crate) const KEPT_CAPACITY: usize = 4096;

/// The buffer types the helper works with.
pub(crate) trait Buffer: Default + Zeroize {
    fn clear(&mut self);
    fn capacity(&self) -> usize;
    fn reserve(&mut self, additional: usize);
    /// Zero what was written (not the spare capacity, which was zeroed when last freed or
    /// never held anything).
    fn wipe_written(&mut self);
}

/// The [`Buffer`] impl of a type whose inherent `clear`, `capacity` and `reserve` are the ones
/// the helper needs, as `Vec<u8>`'s and `String`'s are; `wipe` says how its written bytes are
/// wiped, the one thing that differs between them.
macro_rules! impl_buffer {
    ($type:ty, $wipe:expr) => {
        impl Buffer for $type {
            fn clear(&mut self) {
                <$type>::clear(self);
            }
            fn capacity(&self) -> usize {
                <$type>::capacity(self)
            }
            fn reserve(&mut self, additional: usize) {
                <$type>::reserve(self, additional);
            }
            fn wipe_written(&mut self) {
                ($wipe)(self);
            }
        }
    };
}

impl_buffer!(Vec<u8>, |buf: &mut Vec<u8>| buf.as_mut_slice().zeroize());
// A `String`'s bytes cannot be zeroed in place without `unsafe`; zeroize empties it.
impl_buffer!(String, |buf: &mut String| buf.zeroize());

/// Run `f` with the empty buffer `key` holds for this thread, at least `capacity` bytes for a
/// [`Contents::Secret`] one, and leave it as `contents` says. A call made while the thread's
/// buffer is in use (a `Serialize` impl or codec that seals or inserts while it runs) gets a
/// fresh buffer under the same rule.
pub(crate) fn with_buffer<B: Buffer, R>(
    key: &'static LocalKey<RefCell<B>>,
    contents: Contents,
    capacity: usize,
    f: impl FnOnce(&mut B) -> R,
) -> R {
    fn run<B: Buffer, R>(
        buf: &mut B,
        contents: Contents,
        capacity: usize,
        f: impl FnOnce(&mut B) -> R,
    ) -> R {
        buf.clear();
        if contents == Contents::Secret {
            buf.reserve(capacity.max(KEPT_CAPACITY));
        }
        let out = f(buf);
        match contents {
            Contents::Secret if buf.capacity() > KEPT_CAPACITY => {
                buf.zeroize(); // the whole capacity, before it is freed
                *buf = B::default();
            }
            Contents::Secret => {
                buf.wipe_written();
                buf.clear();
            }
            Contents::Public => buf.clear(),
        }
        out
    }
    key.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buf) => run(&mut *buf, contents, capacity, f),
        Err(_) => run(&mut B::default(), contents, capacity, f),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        static BUF: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    }

    #[test]
    fn a_secret_buffer_has_its_room_before_the_call_and_is_empty_after() {
        let (capacity, reentered) = with_buffer(&BUF, Contents::Secret, 10_000, |buf| {
            buf.extend_from_slice(b"secret");
            // Re-entered: a fresh buffer, the outer one untouched.
            let inner = with_buffer(&BUF, Contents::Secret, 0, |inner| inner.is_empty());
            (buf.capacity(), inner && buf == b"secret")
        });
        assert!(capacity >= 10_000);
        assert!(reentered);
        // Grown past what is kept: freed.
        BUF.with(|cell| assert_eq!(cell.borrow().capacity(), 0));
        with_buffer(&BUF, Contents::Secret, 0, |buf| buf.push(1));
        BUF.with(|cell| {
            let buf = cell.borrow();
            assert!(buf.is_empty() && (KEPT_CAPACITY..2 * KEPT_CAPACITY).contains(&buf.capacity()));
        });
    }
}
