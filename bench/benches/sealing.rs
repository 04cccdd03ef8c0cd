//! The per-request path, measured against the floor and the alternative in one run.
//!
//! For payloads of 64 B, 256 B, 1 KiB and 3 KiB:
//! - `sealer/{seal,open,round_trip}`: `Sealer::seal` / `Sealer::open` of a `String` of that many
//!   ASCII bytes with the default codec (postcard: a varint length prefix and a copy, so the
//!   codec does little; the cookie size limit is raised to 8 KiB, as 3 KiB is over 4 KiB in base64);
//! - `raw_aead/{encrypt,decrypt}`: `chacha20poly1305`'s XChaCha20-Poly1305 used the obvious way,
//!   `Aead::encrypt` / `Aead::decrypt` of the same bytes with a fresh random nonce and a cipher
//!   made once;
//! - `xchacha_ring/{encrypt,decrypt}` (feature `ring`): the ring backend's construction
//!   (HChaCha20 from `chacha20`, then `ring`'s ChaCha20-Poly1305), called directly on the same
//!   bytes into a new `Vec`: the default build's floor, so that `sealer` over it is the
//!   library's overhead. With the pure-Rust backend (`--no-default-features --features
//!   pure-rust`) the floor is `raw_aead`, the very crate that backend calls;
//! - `cookie_private/{add,get,round_trip}`: the `cookie` crate's private jar (AES-256-GCM)
//!   adding and reading a cookie with the same value;
//! - `fastify/{seal,open,round_trip}` (feature `fastify`): the `@fastify/secure-session`
//!   compatible sealer with a JSON object holding the same string;
//! - `nonce/{os_rng,thread_rng}`: 24 random bytes from the operating system (what every seal
//!   takes, as it must stay unique across `fork`) and from `rand`'s in-process generator (what
//!   it took before): the price of fork safety.
//!
//! Run with a bounded time:
//! `cargo bench -p sealed-session-bench --bench sealing -- --warm-up-time 1 --measurement-time 3`; the pure-Rust
//! backend: `cargo bench -p sealed-session-bench --no-default-features --features pure-rust --bench sealing -- ...`

use std::hint::black_box;

use chacha20poly1305::aead::Aead as _;
use chacha20poly1305::{KeyInit as _, XChaCha20Poly1305, XNonce};
use cookie::{Cookie, CookieJar};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rand::RngCore as _;
#[cfg(feature = "ring")]
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305};
use sealed_session::{Key, Sealer};

const SIZES: [usize; 4] = [64, 256, 1024, 3 * 1024];
const NAME: &str = "session";

/// A printable payload of exactly `len` bytes.
fn payload(len: usize) -> String {
    (0..len)
        .map(|i| char::from(b'a' + u8::try_from(i % 26).unwrap_or(0)))
        .collect()
}

fn sealer(c: &mut Criterion) {
    // 3 KiB of payload is over 4 KiB once base64-encoded: raise the cookie size limit so that the
    // largest size measures the cipher rather than the refusal.
    let sealer = Sealer::new(Key::from_bytes([7; 32]))
        .cookie_name(NAME)
        .max_cookie_size(8192);
    let mut group = c.benchmark_group("sealer");
    for size in SIZES {
        let value = payload(size);
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(BenchmarkId::new("seal", size), &value, |b, value| {
            b.iter(|| sealer.seal(black_box(value)).unwrap())
        });
        let sealed = sealer.seal(&value).unwrap();
        group.bench_with_input(BenchmarkId::new("open", size), &sealed, |b, sealed| {
            b.iter(|| sealer.open::<String>(black_box(sealed)).unwrap())
        });
        group.bench_with_input(BenchmarkId::new("round_trip", size), &value, |b, value| {
            b.iter(|| {
                let sealed = sealer.seal(black_box(value)).unwrap();
                sealer.open::<String>(&sealed).unwrap()
            })
        });
    }
    group.finish();
}

fn raw_aead(c: &mut Criterion) {
    let cipher = XChaCha20Poly1305::new(&[7u8; 32].into());
    let mut group = c.benchmark_group("raw_aead");
    for size in SIZES {
        let value = payload(size);
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(BenchmarkId::new("encrypt", size), &value, |b, value| {
            b.iter(|| {
                let mut nonce = XNonce::default();
                rand::rng().fill_bytes(&mut nonce);
                cipher.encrypt(&nonce, black_box(value.as_bytes())).unwrap()
            })
        });
        let mut nonce = XNonce::default();
        rand::rng().fill_bytes(&mut nonce);
        let ciphertext = cipher.encrypt(&nonce, value.as_bytes()).unwrap();
        group.bench_with_input(
            BenchmarkId::new("decrypt", size),
            &ciphertext,
            |b, ciphertext| {
                b.iter(|| {
                    cipher
                        .decrypt(&nonce, black_box(ciphertext.as_slice()))
                        .unwrap()
                })
            },
        );
    }
    group.finish();
}

#[cfg(feature = "ring")]
/// XChaCha20-Poly1305 as the ring backend computes it (draft-irtf-cfrg-xchacha section 2.3), with
/// the obvious `Vec` output: ciphertext || tag.
fn xchacha_ring_seal(key: &[u8; 32], nonce: &[u8; 24], plaintext: &[u8]) -> Vec<u8> {
    let (key, nonce) = xchacha_ring_key(key, nonce);
    let mut out = Vec::with_capacity(plaintext.len() + 16);
    out.extend_from_slice(plaintext);
    key.seal_in_place_append_tag(nonce, Aad::empty(), &mut out)
        .unwrap();
    out
}

#[cfg(feature = "ring")]
fn xchacha_ring_open(key: &[u8; 32], nonce: &[u8; 24], sealed: &[u8]) -> Vec<u8> {
    let (key, nonce) = xchacha_ring_key(key, nonce);
    let mut out = sealed.to_vec();
    let len = key
        .open_in_place(nonce, Aad::empty(), &mut out)
        .unwrap()
        .len();
    out.truncate(len);
    out
}

#[cfg(feature = "ring")]
fn xchacha_ring_key(key: &[u8; 32], nonce: &[u8; 24]) -> (LessSafeKey, Nonce) {
    let prefix: [u8; 16] = nonce[..16].try_into().unwrap();
    let subkey = chacha20::hchacha::<chacha20::R20>(key.into(), &prefix.into());
    let mut ietf = [0u8; 12];
    ietf[4..].copy_from_slice(&nonce[16..]);
    (
        LessSafeKey::new(UnboundKey::new(&CHACHA20_POLY1305, &subkey).unwrap()),
        Nonce::assume_unique_for_key(ietf),
    )
}

#[cfg(feature = "ring")]
fn xchacha_ring(c: &mut Criterion) {
    let key = [7u8; 32];
    let mut group = c.benchmark_group("xchacha_ring");
    for size in SIZES {
        let value = payload(size);
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(BenchmarkId::new("encrypt", size), &value, |b, value| {
            b.iter(|| {
                let mut nonce = [0u8; 24];
                rand::rng().fill_bytes(&mut nonce);
                xchacha_ring_seal(&key, &nonce, black_box(value.as_bytes()))
            })
        });
        let mut nonce = [0u8; 24];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = xchacha_ring_seal(&key, &nonce, value.as_bytes());
        group.bench_with_input(BenchmarkId::new("decrypt", size), &sealed, |b, sealed| {
            b.iter(|| xchacha_ring_open(&key, &nonce, black_box(sealed)))
        });
    }
    group.finish();
}

fn cookie_private(c: &mut Criterion) {
    let key = cookie::Key::from(&[7u8; 64]);
    let mut group = c.benchmark_group("cookie_private");
    for size in SIZES {
        let value = payload(size);
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(BenchmarkId::new("add", size), &value, |b, value| {
            let mut jar = CookieJar::new();
            b.iter(|| {
                jar.private_mut(&key)
                    .add(Cookie::new(NAME, black_box(value).clone()));
            })
        });
        // A jar as a request would bring it: the encrypted cookie as an original.
        let mut sealing = CookieJar::new();
        sealing
            .private_mut(&key)
            .add(Cookie::new(NAME, value.clone()));
        let mut request = CookieJar::new();
        request.add_original(sealing.get(NAME).unwrap().clone());
        group.bench_with_input(BenchmarkId::new("get", size), &request, |b, request| {
            b.iter(|| black_box(request).private(&key).get(NAME).unwrap())
        });
        // Add, then read back from the same jar: the jar's own round trip, without building jars.
        group.bench_with_input(BenchmarkId::new("round_trip", size), &value, |b, value| {
            let mut jar = CookieJar::new();
            b.iter(|| {
                jar.private_mut(&key)
                    .add(Cookie::new(NAME, black_box(value).clone()));
                jar.private(&key).get(NAME).unwrap()
            })
        });
    }
    group.finish();
}

/// The session object the fastify-compatible path seals: `{"data": "<payload>"}`.
#[cfg(feature = "fastify")]
#[derive(serde::Serialize, serde::Deserialize)]
struct FastifySession {
    data: String,
}

#[cfg(feature = "fastify")]
fn fastify(c: &mut Criterion) {
    use sealed_session::FastifySealer;

    let sealer = FastifySealer::new(Key::from_bytes([7; 32]))
        .cookie_name(NAME)
        .max_cookie_size(8192);
    let mut group = c.benchmark_group("fastify");
    for size in SIZES {
        let value = FastifySession {
            data: payload(size),
        };
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(BenchmarkId::new("seal", size), &value, |b, value| {
            b.iter(|| sealer.seal(black_box(value)).unwrap())
        });
        let sealed = sealer.seal(&value).unwrap();
        group.bench_with_input(BenchmarkId::new("open", size), &sealed, |b, sealed| {
            b.iter(|| sealer.open::<FastifySession>(black_box(sealed)).unwrap())
        });
        group.bench_with_input(BenchmarkId::new("round_trip", size), &value, |b, value| {
            b.iter(|| {
                let sealed = sealer.seal(black_box(value)).unwrap();
                sealer.open::<FastifySession>(&sealed).unwrap()
            })
        });
    }
    group.finish();
}

/// What a seal's nonce costs: from the operating system, against `rand`'s thread-local
/// generator, which a `fork` copies.
fn nonce(c: &mut Criterion) {
    use rand::TryRngCore as _;
    let mut group = c.benchmark_group("nonce");
    group.bench_function("os_rng", |b| {
        b.iter(|| {
            let mut nonce = [0u8; 24];
            rand::rngs::OsRng.try_fill_bytes(&mut nonce).unwrap();
            black_box(nonce)
        })
    });
    group.bench_function("thread_rng", |b| {
        b.iter(|| {
            let mut nonce = [0u8; 24];
            rand::rng().fill_bytes(&mut nonce);
            black_box(nonce)
        })
    });
    group.finish();
}

// The ring floor exists only with the ring backend; fastify's sealer only with its feature.
#[cfg(all(feature = "ring", not(feature = "fastify")))]
criterion_group!(
    benches,
    sealer,
    raw_aead,
    xchacha_ring,
    cookie_private,
    nonce
);
#[cfg(all(feature = "ring", feature = "fastify"))]
criterion_group!(
    benches,
    sealer,
    raw_aead,
    xchacha_ring,
    cookie_private,
    fastify,
    nonce
);
#[cfg(all(not(feature = "ring"), not(feature = "fastify")))]
criterion_group!(benches, sealer, raw_aead, cookie_private, nonce);
#[cfg(all(not(feature = "ring"), feature = "fastify"))]
criterion_group!(benches, sealer, raw_aead, cookie_private, fastify, nonce);
criterion_main!(benches);
