//! Fixed keys, times and sealers.

use sealed_session::{Key, ManualClock, Sealer};

/// A fixed start time for manual clocks.
pub const T0: u64 = 1_700_000_000;

/// Two fixed keys for rotation tests.
pub fn key_a() -> Key {
    Key::from_bytes([0xA1; 32])
}
pub fn key_b() -> Key {
    Key::from_bytes([0xB2; 32])
}

/// A sealer on a manual clock starting at [`T0`], for the cookie `session` (the tests read
/// and write its cookies by that plain name; the default name has its own tests).
pub fn sealer_at(key: Key) -> (Sealer, ManualClock) {
    let clock = ManualClock::new(T0);
    let sealer = Sealer::new(key).cookie_name("session");
    (sealer.clock(clock.clone()), clock)
}

/// A sealer for the cookie `session`.
pub fn named(key: Key) -> Sealer {
    Sealer::new(key).cookie_name("session")
}

/// A fixed key whose bytes are easy to search for in output.
pub fn fixed_key(seed: u8) -> Key {
    let mut bytes = [0u8; 32];
    for (i, b) in bytes.iter_mut().enumerate() {
        *b = seed
            .wrapping_mul(31)
            .wrapping_add((i as u8).wrapping_mul(17))
            ^ 0xa5;
    }
    Key::from_bytes(bytes)
}
