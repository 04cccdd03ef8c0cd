#!/usr/bin/env bash
# Instructions and heap allocations per counter request, counted (not timed): a measure that a
# shared, noisy machine does not move, for changes too small to see in requests per second.
#
# Runs examples/request_cost.rs under valgrind's cachegrind for N and 2N iterations of each
# mode and prints (instructions at 2N - instructions at N) / N, so that start-up and warm-up
# cancel out. Modes: plain (the counter app without sessions), sessions (with SessionLayer),
# load_save (SessionCookie::load + count + set_cookie_values), load, open_seal (Sealer::open +
# count + Sealer::seal, the plain API), and for a route that never touches the session: untouched
# (under SessionLayer), bare (no layer), noop_layer (a tower layer that does nothing).
#
# Usage: bench/scripts/bench-instructions.sh [N]      (default N = 1000)
# Installs valgrind (Debian package) when missing.
set -euo pipefail

cd "$(dirname "$0")/../.."
N=${1:-1000}

NAME=bench-instructions
# shellcheck source=bench/scripts/bench-common.sh
source bench/scripts/bench-common.sh
need valgrind valgrind
need python3

cargo build --release --quiet -p sealed-session-bench --example request_cost
BIN="$(target_dir)/release/examples/request_cost"

instructions() { # mode iterations -> total instructions of the run
  valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$BIN" "$1" "$2" 2>&1 |
    awk '/I +refs:/ { gsub(",", "", $NF); print $NF }'
}

echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $N and $((2 * N)) iterations"
declare -A PER
for mode in plain sessions load_save load open_seal untouched bare noop_layer; do
  one=$(instructions "$mode" "$N")
  two=$(instructions "$mode" $((2 * N)))
  PER[$mode]=$(( (two - one) / N ))
  allocs=$("$BIN" "$mode" "$N" | awk '{print $2}')
  printf '  %-10s %7d instructions per request   %5s allocations per request\n' "$mode" "${PER[$mode]}" "$allocs"
done
printf '  sessions - plain: %d instructions per request\n' $(( PER[sessions] - PER[plain] ))
printf '  untouched - bare: %d instructions per request (noop_layer - bare: %d)\n' \
  $(( PER[untouched] - PER[bare] )) $(( PER[noop_layer] - PER[bare] ))
