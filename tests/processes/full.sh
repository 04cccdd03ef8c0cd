#!/usr/bin/env bash
# The fault tests at full size, against the release demo (`cargo run --release --example
# counter`): 200,000 hostile requests, and 2,000 requests of live traffic after each restart of
# the rolling rotation. The same tests run smaller, against this test binary serving the demo's
# app, in `cargo test`. docs/hardening.md reports what this prints.
#
#   bash tests/processes/full.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
target=${CARGO_TARGET_DIR:-target}
cargo build --release --example counter
SEALED_SESSION_FAULTS_SERVER="$target/release/examples/counter" \
SEALED_SESSION_HOSTILE_REQUESTS=${SEALED_SESSION_HOSTILE_REQUESTS:-200000} \
SEALED_SESSION_ROTATION_REQUESTS=${SEALED_SESSION_ROTATION_REQUESTS:-2000} \
    cargo test --release --all-features --test processes -- --test-threads 1 --skip examples::
