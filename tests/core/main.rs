//! The sealed-session core: keys, key ring, wire format v1, seal / open, lifetimes.
//!
//! One test binary; each submodule pins one area.

mod frozen;
mod keys;
mod lifetimes;
mod nonces;
mod properties;
mod redaction;
mod rotation;
mod round_trip;
mod tampering;
