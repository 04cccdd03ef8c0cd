//! The fuzz corpora, replayed: every input kept in `fuzz/corpus/<target>/` (what libFuzzer found
//! worth keeping, minimized) and every seed of real values, through the same target functions
//! libFuzzer runs (`fuzz/targets`, compiled in here as a module, so that its `feature = "..."`
//! gates are the crate's own features: each feature combination replays what it has). A target
//! panics when its property breaks, so an input that once passed and now fails is caught here by
//! every test run, no fuzzer needed.
//!
//! `SEALED_SESSION_WRITE_FUZZ_SEEDS=1` also writes the seeds into the corpus directories
//! (`fuzz/README.md`).

use std::path::{Path, PathBuf};

#[path = "../../fuzz/targets/lib.rs"]
mod fuzz_targets;

/// Inputs larger than this are not kept in a corpus (`-max_len` of the campaign).
const MAX_LEN: usize = 8192;

fn corpus_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target)
}

fn write_seeds(target: &str, seeds: &[Vec<u8>]) {
    let dir = corpus_dir(target);
    std::fs::create_dir_all(&dir).expect("corpus directory");
    for (i, seed) in seeds.iter().enumerate() {
        std::fs::write(dir.join(format!("seed-{i:03}")), seed).expect("seed written");
    }
}

#[test]
fn the_committed_fuzz_corpora_and_the_seeds_replay_through_every_target() {
    if std::env::var_os("SEALED_SESSION_WRITE_FUZZ_SEEDS").is_some() {
        for (target, _) in fuzz_targets::targets() {
            write_seeds(target, &fuzz_targets::seeds::for_target(target));
        }
    }
    for (target, run) in fuzz_targets::targets() {
        let seeds = fuzz_targets::seeds::for_target(target);
        assert!(seeds.len() >= 5, "{target}: only {} seeds", seeds.len());
        for seed in &seeds {
            run(seed);
        }
        let entries = std::fs::read_dir(corpus_dir(target))
            .unwrap_or_else(|e| panic!("{target}: no corpus at {:?}: {e}", corpus_dir(target)));
        let mut replayed = 0;
        for entry in entries {
            let path = entry.expect("corpus entry").path();
            let input = std::fs::read(&path).expect("corpus file");
            assert!(input.len() <= MAX_LEN, "{path:?} is over {MAX_LEN} bytes");
            run(&input);
            replayed += 1;
        }
        // A corpus that lost its files would replay nothing and prove nothing.
        assert!(
            replayed >= seeds.len(),
            "{target}: {replayed} inputs in its corpus"
        );
    }
}
