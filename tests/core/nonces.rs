//! Nonces: fresh from the operating system on every seal, in forked workers too.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use sealed_session::Sealer;

use common::fixed_key;

/// Bytes 6..30 of a sealed value: its nonce (after version, key id and codec id).
fn nonce_of(value: &str) -> [u8; 24] {
    let raw = URL_SAFE_NO_PAD.decode(value).unwrap();
    raw[6..30].try_into().unwrap()
}

#[test]
fn every_seal_has_its_own_nonce() {
    let sealer = Sealer::new(fixed_key(1));
    let mut seen = std::collections::HashSet::new();
    for _ in 0..1_000 {
        assert!(seen.insert(nonce_of(&sealer.seal(&1u8).unwrap())));
    }
}

/// Pre-forked workers (a server that forks after start-up) share the parent's key, and each
/// inherits a copy of any generator state held in the process. Each child's seal must still
/// use a nonce no other process used: a repeat under one key reveals the XOR of the two
/// plaintexts and lets anyone forge values.
#[test]
fn forked_workers_seal_with_different_nonces() {
    let sealer = Sealer::new(fixed_key(1));
    // The parent seals first, so that any in-process generator is seeded before the fork.
    let parent = nonce_of(&sealer.seal(&1u8).unwrap());
    let seal = || sealer.seal(&2u8).map(|value| nonce_of(&value)).ok();
    let children: Vec<[u8; 24]> = (0..2).map(|_| in_a_child(seal)).collect();
    let after = nonce_of(&sealer.seal(&1u8).unwrap());
    assert_ne!(
        children[0], children[1],
        "two forked workers sealed with one nonce"
    );
    for child in &children {
        assert_ne!(child, &parent);
        assert_ne!(child, &after, "a child repeated its parent's next nonce");
    }
}

/// The same for the `@fastify/secure-session` format, whose nonce follows the `;`.
#[cfg(feature = "fastify")]
#[test]
fn forked_workers_seal_fastify_cookies_with_different_nonces() {
    use base64::engine::general_purpose::STANDARD;
    let sealer = sealed_session::FastifySealer::new(fixed_key(1));
    let nonce = |value: String| -> Option<[u8; 24]> {
        let value = value.replace("%3B", ";");
        let (_, nonce) = value.split_once(';')?;
        let nonce = percent_encoding::percent_decode_str(nonce)
            .decode_utf8()
            .ok()?;
        STANDARD.decode(nonce.as_bytes()).ok()?.try_into().ok()
    };
    let parent = nonce(sealer.seal(&serde_json::json!({})).unwrap()).unwrap();
    let seal = || sealer.seal(&serde_json::json!({})).ok().and_then(nonce);
    let children: Vec<[u8; 24]> = (0..2).map(|_| in_a_child(seal)).collect();
    assert_ne!(
        children[0], children[1],
        "two forked workers sealed with one nonce"
    );
    assert!(children.iter().all(|child| child != &parent));
}

/// Fork; the child runs `seal` and sends the nonce it gives back through a pipe, then exits
/// without running the test harness's exit code.
// The test calls fork(2), pipe(2), read(2), write(2), waitpid(2) and _exit(2) directly: the
// library forbids unsafe code, this test must reach the OS to check what happens across fork.
#[allow(unsafe_code)]
fn in_a_child(seal: impl Fn() -> Option<[u8; 24]>) -> [u8; 24] {
    let mut fds = [0i32; 2];
    // SAFETY: `fds` is a valid array of two ints for pipe(2) to fill.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    let (read_end, write_end) = (fds[0], fds[1]);
    // SAFETY: the child only seals (allocating, which glibc's fork handlers keep working),
    // writes to the pipe and calls _exit; it never returns into the test harness.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let nonce = seal().unwrap_or([0; 24]);
        // SAFETY: writes 24 bytes from a live array to the pipe's write end, then exits the
        // child process at once.
        unsafe {
            libc::write(write_end, nonce.as_ptr().cast(), nonce.len());
            libc::_exit(0);
        }
    }
    let mut nonce = [0u8; 24];
    let mut filled = 0;
    while filled < nonce.len() {
        // SAFETY: reads into the unfilled tail of a live array.
        let n = unsafe {
            libc::read(
                read_end,
                nonce[filled..].as_mut_ptr().cast(),
                nonce.len() - filled,
            )
        };
        assert!(n > 0, "the child sent no nonce");
        filled += usize::try_from(n).unwrap();
    }
    let mut status = 0;
    // SAFETY: waits for the child this function forked; closes the two pipe ends it opened.
    unsafe {
        libc::waitpid(pid, &mut status, 0);
        libc::close(read_end);
        libc::close(write_end);
    }
    assert_ne!(nonce, [0; 24], "the child could not seal");
    nonce
}
