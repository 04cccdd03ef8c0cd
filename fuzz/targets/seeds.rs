//! Seed inputs of real values for every target: sealed cookies of each codec (new key and old
//! key, fresh and expired), session entry maps, chunked `Cookie` headers with and without
//! look-alikes, fastify cookies as the plugin writes them, key lists as configuration holds
//! them. Values are sealed afresh (new nonces) on every call; the test suite replays them next
//! to the committed corpora, and writes them into `fuzz/corpus/<target>/` when asked
//! (`fuzz/README.md`).

use std::collections::BTreeMap;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
#[cfg(feature = "fastify")]
use crypto_secretbox::aead::{Aead as _, KeyInit as _};
#[cfg(feature = "fastify")]
use crypto_secretbox::XSalsa20Poly1305;
use http::HeaderMap;
#[cfg(feature = "fastify")]
use sealed_session::FastifySealer;
use sealed_session::{Codec, KeyRing, Sealer, SessionCookie, MAX_COOKIE_SIZE};

use super::cookie_header::{pairs, FIXTURE, SEED_COUNT};
use super::fixtures::{
    join, previous, primary, ring, stranger, Configured, Kind, Session, SEALERS,
};
use super::open::text_selector;

/// When the seeds' values are sealed (any time works: each seed carries its own "now").
const SEALED_AT: u64 = 1_760_000_000;

/// The seeds of target `name` (as in [`super::targets`]).
pub fn for_target(name: &str) -> Vec<Vec<u8>> {
    match name {
        "open" => open(),
        "decode" => decode(),
        "cookie_header" => cookie_header(),
        "keys" => keys(),
        #[cfg(feature = "fastify")]
        "fastify_open" => fastify_open(),
        _ => Vec::new(),
    }
}

fn session() -> Session {
    Session {
        user_id: 4_211,
        name: "Ada Lovelace".into(),
        roles: vec!["admin".into(), "editor".into()],
        counters: BTreeMap::from([("visits".into(), 17), ("cart".into(), -2)]),
        csrf: Some([0xa5; 16]),
        kind: Kind::User { verified: true },
    }
}

/// A sealer like `configured`, with its keys in the other order: what an instance that has not
/// yet moved to the new key seals.
fn with_old_key<C: Codec>(configured: &Configured<C>) -> Sealer<C> {
    (configured.build)(KeyRing::from_keys([previous(), primary()]).expect("fixed keys"))
}

/// An entry map as the HTTP layer seals it, sealed by `sealer` under the real clock.
fn entry_map<C: Codec + Clone>(sealer: &Sealer<C>) -> String {
    let cookie = SessionCookie::new(sealer.clone().max_cookie_size(MAX_COOKIE_SIZE));
    let session = cookie.load(&HeaderMap::new());
    session.insert("count", 7u64).expect("encodes");
    session.insert("user", "ada").expect("encodes");
    let written = pairs(&cookie.set_cookie_values(&session).expect("seals"));
    written[0].1.clone()
}

fn open_seeds_for<C: Codec + Clone>(
    configured: &Configured<C>,
    index: u8,
    seeds: &mut Vec<Vec<u8>>,
) {
    let text = text_selector(index);
    let fresh = configured.sealer.seal_at(&session(), SEALED_AT);
    let old = with_old_key(configured).seal_at(&session(), SEALED_AT);
    let foreign = (configured.build)(stranger().into()).seal_at(&session(), SEALED_AT);
    for value in [fresh, old, foreign].into_iter().flatten() {
        // As text, now and long after (expired); as its bytes (the base64 mode); as what
        // follows the version and key id (the header mode).
        seeds.push(join(text, SEALED_AT + 60, value.as_bytes()));
        seeds.push(join(text, SEALED_AT + 400 * 86_400, value.as_bytes()));
        let raw = URL_SAFE_NO_PAD.decode(&value).expect("base64url");
        seeds.push(join(text + 1, SEALED_AT + 60, &raw));
        seeds.push(join(text + 2, SEALED_AT + 60, &raw[5..]));
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(SEALED_AT, |d| d.as_secs());
    seeds.push(join(text, now, entry_map(&configured.sealer).as_bytes()));
}

fn open() -> Vec<Vec<u8>> {
    let s = &*SEALERS;
    let mut seeds = Vec::new();
    #[cfg(feature = "bincode")]
    open_seeds_for(&s.bincode, 0, &mut seeds);
    open_seeds_for(&s.postcard, 1, &mut seeds);
    #[cfg(feature = "json")]
    open_seeds_for(&s.json, 2, &mut seeds);
    open_seeds_for(&s.tiny, 3, &mut seeds);
    seeds
}

/// The payload bytes a sealer's codec writes for `value`.
fn payload<C: Codec>(sealer: &Sealer<C>, value: &str, now: u64) -> Option<Vec<u8>> {
    Some(sealer.open_bytes_at(value, now).ok()?.value().clone())
}

fn decode_seeds_for<C: Codec + Clone>(
    configured: &Configured<C>,
    index: u8,
    seeds: &mut Vec<Vec<u8>>,
) {
    let sealer = &configured.sealer;
    // A selector of this sealer, below 0x80 (a session that began shortly before `now`).
    let selector = index + 4;
    let typed = sealer.seal_at(&session(), SEALED_AT).ok();
    let json = sealer
        .seal_at(
            &serde_json::json!({"count": 3, "tags": ["a", "b"], "nested": {"x": null}}),
            SEALED_AT,
        )
        .ok();
    let list = sealer.seal_at(&["ada", "admin", ""], SEALED_AT).ok();
    for value in [typed, json, list].into_iter().flatten() {
        if let Some(bytes) = payload(sealer, &value, SEALED_AT + 1) {
            seeds.push(join(selector, SEALED_AT + 60, &bytes));
        }
    }
    let map = entry_map(sealer);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(SEALED_AT, |d| d.as_secs());
    if let Some(bytes) = payload(sealer, &map, now) {
        seeds.push(join(selector, now, &bytes));
    }
}

fn decode() -> Vec<Vec<u8>> {
    let s = &*SEALERS;
    let mut seeds = Vec::new();
    #[cfg(feature = "bincode")]
    decode_seeds_for(&s.bincode, 0, &mut seeds);
    decode_seeds_for(&s.postcard, 1, &mut seeds);
    #[cfg(feature = "json")]
    decode_seeds_for(&s.json, 2, &mut seeds);
    // The tiny sealer seals nothing of this size; a short entry map of its codec.
    seeds.push(join(
        3,
        SEALED_AT,
        &[1, 5, b'c', b'o', b'u', b'n', b't', 1, 7],
    ));
    seeds
}

fn header(cookies: &[(String, String)]) -> String {
    cookies
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

fn cookie_header() -> Vec<Vec<u8>> {
    let f = &*FIXTURE;
    let raw = |text: &str| {
        let mut seed = vec![0u8];
        seed.extend_from_slice(text.as_bytes());
        seed
    };
    let small = {
        let session = f.plain.load(&HeaderMap::new());
        session.insert("count", SEED_COUNT).expect("encodes");
        pairs(&f.plain.set_cookie_values(&session).expect("seals"))
    };
    let chunked = header(&f.cookies);
    let mut reversed = f.cookies.clone();
    reversed.reverse();
    let (first, rest) = f.cookies.split_at(1);
    let mut seeds = vec![
        raw(&chunked),
        raw(&header(&reversed)),
        // Across two header lines, as HTTP/2 sends cookies.
        raw(&format!("{}\n{}", header(first), header(rest))),
        // Look-alikes around it: other names, a planted copy with another value, a stale chunk.
        raw(&format!(
            "theme=dark; session_id=1; {chunked}; session=planted; session.4=stale; Session=x"
        )),
        raw(&header(&small)),
        raw(&format!("session=forged; {}", header(&small))),
        raw(&format!(
            "{}; session.1=stale-chunk-of-an-older-session",
            header(&small)
        )),
        raw(&format!("{}; {}", header(&small), header(&small))),
    ];
    // Edits of the chunked session: each op is (kind, a, b), see `edited`.
    for ops in [
        &[][..],
        &[0, 1, 0],
        &[1, 2, 0],
        &[2, 0, 3],
        &[3, 1, 9],
        &[4, 1, 2],
        &[5, 0, 3],
        &[6, 2, 7],
        &[0, 3, 0, 5, 0, 3],
        &[2, 1, 2, 4, 2, 3, b';', b' ', b'x'],
    ] {
        let mut seed = vec![1u8];
        seed.extend_from_slice(ops);
        seeds.push(seed);
    }
    seeds
}

fn keys() -> Vec<Vec<u8>> {
    let one = primary().to_base64();
    let list = ring().to_base64_list();
    [
        one.clone(),
        list.clone(),
        format!("{list},{}", stranger().to_base64()),
        format!(" {one} ,\n {} ", previous().to_base64()),
        format!("{one},{one}"),
        one[..one.len() - 2].to_owned(),
        URL_SAFE_NO_PAD.encode([0x44; 32]),
        STANDARD.encode([0x55; 31]),
    ]
    .into_iter()
    .map(String::into_bytes)
    .collect()
}

#[cfg(feature = "fastify")]
fn fastify_open() -> Vec<Vec<u8>> {
    let ours = FastifySealer::new(ring());
    let old = FastifySealer::new(KeyRing::from_keys([previous(), primary()]).expect("fixed keys"));
    let foreign = FastifySealer::new(stranger());
    let data = serde_json::json!({"count": 3, "user": {"id": 9, "name": "ada"}});
    let mut seeds = Vec::new();
    for sealer in [&ours, &old, &foreign] {
        let Ok(value) = sealer.seal_at(&data, SEALED_AT) else {
            continue;
        };
        // As the plugin's cookie library sends it (percent-encoded), and decoded.
        let decoded = value
            .replace("%2B", "+")
            .replace("%2F", "/")
            .replace("%3D", "=")
            .replace("%3B", ";");
        seeds.push(join(0, SEALED_AT + 60, value.as_bytes()));
        seeds.push(join(0, SEALED_AT + 200 * 86_400, value.as_bytes()));
        seeds.push(join(0, SEALED_AT + 60, decoded.as_bytes()));
        // Its box and nonce as bytes, split where the selector says (the second mode).
        let (boxed, nonce) = decoded.split_once(';').expect("box;nonce");
        let (boxed, nonce) = (
            STANDARD.decode(boxed).expect("base64"),
            STANDARD.decode(nonce).expect("base64"),
        );
        if let Ok(at) = u8::try_from(boxed.len() * 3 + 1) {
            let mut rest = boxed.clone();
            rest.extend_from_slice(&nonce);
            seeds.push(join(at, SEALED_AT + 60, &rest));
        }
        // Its plaintext, re-sealed by the target (the third mode).
        for key in [primary(), previous()] {
            let cipher = XSalsa20Poly1305::new(key.as_bytes().into());
            let Ok(nonce) = <&[u8; 24]>::try_from(nonce.as_slice()) else {
                continue;
            };
            if let Ok(plaintext) = cipher.decrypt(nonce.into(), boxed.as_slice()) {
                seeds.push(join(2, SEALED_AT + 60, &plaintext));
            }
        }
    }
    seeds
}
