//! The sealed-session core: keys, key ring, wire format v1, seal / open, lifetimes.
//!
//! One test binary; each submodule pins one area.

#[path = "core/common.rs"]
mod common;

#[path = "core/frozen.rs"]
mod frozen;
#[path = "core/keys.rs"]
mod keys;
#[path = "core/lifetimes.rs"]
mod lifetimes;
#[path = "core/nonces.rs"]
mod nonces;
#[path = "core/properties.rs"]
mod properties;
#[path = "core/redaction.rs"]
mod redaction;
#[path = "core/rotation.rs"]
mod rotation;
#[path = "core/round_trip.rs"]
mod round_trip;
#[path = "core/tampering.rs"]
mod tampering;
