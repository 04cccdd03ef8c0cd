//! The plain counter app (`counter_plain.rs`) plus only the cipher work of a session request:
//! each request opens one XChaCha20-Poly1305 message and seals a new one under a fresh random
//! nonce, built as the crate builds them (HChaCha20 from `chacha20`, then `ring`'s
//! ChaCha20-Poly1305) and as long as the counter demo's (28 bytes of ciphertext, 12 of AAD).
//! There is no cookie, encoding or session. Only `scripts/bench-http.sh` runs it: it measures
//! the share of a request no implementation of the wire format can avoid.
//!
//! ```text
//! cargo run --release -p sealed-session-bench --example counter_cipher
//! ```
//!
//! `PORT` changes the port (0 picks a free one).

use std::hint::black_box;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use chacha20::{hchacha, R20};
use rand::RngCore as _;
use ring::aead::{Aad, LessSafeKey, Nonce, Tag, UnboundKey, CHACHA20_POLY1305};
use serde_json::{json, Value};

// Start-up shared by the server examples; each uses part of it.
#[path = "../../examples/support/mod.rs"]
#[allow(dead_code)]
mod support;

/// The counter cookie's sizes: ciphertext (times and payload) and AAD (header and name).
const PLAINTEXT_LEN: usize = 28;
const AAD: &[u8; 12] = b"\x01\0\0\0\0session";

/// One sealed message, opened on every request.
struct Message {
    key: [u8; 32],
    nonce: [u8; 24],
    ciphertext: [u8; PLAINTEXT_LEN],
    tag: [u8; 16],
}

/// XChaCha20-Poly1305's reduction to RFC 8439: an HChaCha20 subkey and a 12-byte nonce.
fn ietf(key: &[u8; 32], nonce: &[u8; 24]) -> Option<(LessSafeKey, Nonce)> {
    let (prefix, suffix) = nonce.split_at(16);
    let prefix: &[u8; 16] = prefix.try_into().ok()?;
    let subkey: [u8; 32] = hchacha::<R20>(key.into(), prefix.into()).into();
    let mut short = [0u8; 12];
    short[4..].copy_from_slice(suffix);
    let key = UnboundKey::new(&CHACHA20_POLY1305, &subkey).ok()?;
    Some((LessSafeKey::new(key), Nonce::assume_unique_for_key(short)))
}

/// Seal `plaintext` in place under a fresh random nonce; the nonce and tag.
fn seal(key: &[u8; 32], plaintext: &mut [u8]) -> Option<([u8; 24], [u8; 16])> {
    let mut nonce = [0u8; 24];
    rand::rng().fill_bytes(&mut nonce);
    let (aead, short) = ietf(key, &nonce)?;
    let tag = aead
        .seal_in_place_separate_tag(short, Aad::from(AAD), plaintext)
        .ok()?;
    Some((nonce, tag.as_ref().try_into().ok()?))
}

/// A message sealed under a fresh random key, for the requests to open.
fn message() -> Option<Message> {
    let mut key = [0u8; 32];
    rand::rng().fill_bytes(&mut key);
    let mut ciphertext = [1u8; PLAINTEXT_LEN];
    let (nonce, tag) = seal(&key, &mut ciphertext)?;
    Some(Message {
        key,
        nonce,
        ciphertext,
        tag,
    })
}

/// The app: the counter's route, with the cipher work of a session request.
pub fn app() -> Option<Router> {
    let message = message()?;
    Some(
        Router::new()
            .route("/", get(count))
            .with_state(Arc::new(message)),
    )
}

async fn count(State(message): State<Arc<Message>>) -> Result<Json<Value>, StatusCode> {
    let failed = StatusCode::INTERNAL_SERVER_ERROR;
    let (aead, nonce) = ietf(&message.key, &message.nonce).ok_or(failed)?;
    let mut opened = message.ciphertext;
    aead.open_in_place_separate_tag(
        nonce,
        Aad::from(AAD),
        Tag::from(message.tag),
        &mut opened,
        0..,
    )
    .map_err(|_| failed)?;
    let sealed = seal(&message.key, black_box(&mut opened)).ok_or(failed)?;
    black_box(sealed);
    let n: u64 = 1;
    Ok(Json(
        json!({ "hello": format!("route requested {n} times in this session") }),
    ))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let app = app().ok_or("the cipher refused its own message")?;
    let listener = support::listen("counter_cipher", 3000).await?;
    axum::serve(listener, app).await?;
    Ok(())
}
