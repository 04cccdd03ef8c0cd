//! Times [`Key::derive`]: Argon2id v1.3 at libsodium's MODERATE cost (3 passes over 256 MiB),
//! the derivation `@fastify/secure-session` uses. `scripts/bench-http.sh` runs it beside
//! libsodium's `crypto_pwhash` (through Node's `sodium-native`) with the same secret, salt and
//! parameters, and checks that both print the same key.
//!
//! ```text
//! cargo run --release -p sealed-session-bench --example derive_time -- [runs] [secret] [salt of 16 ASCII bytes]
//! ```

use std::time::Instant;

use sealed_session::Key;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let runs: usize = match args.next() {
        Some(runs) => runs.parse().map_err(|e| format!("runs {runs:?}: {e}"))?,
        None => 3,
    };
    let secret = args
        .next()
        .unwrap_or_else(|| "a secret of at least thirty-two bytes, for timing".to_owned());
    let salt = args.next().unwrap_or_else(|| "sixteen byte slt".to_owned());

    let mut seconds = Vec::with_capacity(runs);
    let mut key = None;
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        let derived = Key::derive(secret.as_bytes(), salt.as_bytes())?;
        seconds.push(start.elapsed().as_secs_f64());
        key = Some(derived);
    }
    seconds.sort_by(f64::total_cmp);
    let median = seconds[seconds.len() / 2];
    println!(
        "rust argon2id MODERATE: median {median:.3} s over {} runs (min {:.3}, max {:.3})",
        seconds.len(),
        seconds[0],
        seconds[seconds.len() - 1]
    );
    if let Some(key) = key {
        println!("key {}", key.to_base64());
    }
    Ok(())
}
