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
# The peers mode counts, beside plain and sessions, the in-process peers of bench-peers.sh:
# tower_memory (tower-sessions + MemoryStore), tower_cookie (tower-sessions-cookie-store,
# encrypted) and private_jar (axum-extra's PrivateCookieJar), with the same request.
#
# Usage: bench/scripts/bench-instructions.sh [peers] [N]      (default N = 1000)
#   OUT=FILE  also write the counts as JSON ({"modes": {mode: {"instructions": ...,
#             "allocations": ...}}, ...}), which bench/scripts/peers-chart.py reads
# Installs valgrind (Debian package) when missing.
set -euo pipefail

cd "$(dirname "$0")/../.."
MODES=(plain sessions load_save load open_seal untouched bare noop_layer)
if [[ ${1:-} == peers ]]; then
  MODES=(plain sessions tower_memory tower_cookie private_jar)
  shift
fi
N=${1:-1000}
OUT=${OUT:-}

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
declare -A PER ALLOCS
for mode in "${MODES[@]}"; do
  one=$(instructions "$mode" "$N")
  two=$(instructions "$mode" $((2 * N)))
  [[ -n "$one" && -n "$two" ]] || fail "$mode: no instruction count (does request_cost $mode run?)"
  PER[$mode]=$(( (two - one) / N ))
  ALLOCS[$mode]=$("$BIN" "$mode" "$N" | awk '{print $2}')
  printf '  %-12s %7d instructions per request   %5s allocations per request\n' "$mode" \
    "${PER[$mode]}" "${ALLOCS[$mode]}"
done
printf '  sessions - plain: %d instructions per request\n' $(( PER[sessions] - PER[plain] ))
if [[ -n "${PER[untouched]:-}" ]]; then
  printf '  untouched - bare: %d instructions per request (noop_layer - bare: %d)\n' \
    $(( PER[untouched] - PER[bare] )) $(( PER[noop_layer] - PER[bare] ))
fi
for mode in tower_memory tower_cookie private_jar; do
  if [[ -n "${PER[$mode]:-}" ]]; then
    awk -v m="$mode" -v p="${PER[$mode]}" -v s="${PER[sessions]}" -v q="${PER[plain]}" \
      'BEGIN {printf "  %s / sessions: %.2fx the instructions per request; %.2fx the session work (each less plain)\n", m, p / s, (p - q) / (s - q)}'
  fi
done

if [[ -n "$OUT" ]]; then
  mkdir -p "$(dirname "$OUT")"
  for mode in "${MODES[@]}"; do
    printf '%s\t%s\t%s\n' "$mode" "${PER[$mode]}" "${ALLOCS[$mode]}"
  done | python3 -c '
import json, sys
n, commit, out = sys.argv[1:4]
modes = {}
for line in sys.stdin:
    mode, per, allocs = line.split("\t")
    modes[mode] = {"instructions": int(per), "allocations": float(allocs)}
with open(out, "w") as f:
    json.dump({"tool": "valgrind cachegrind, (I at 2N - I at N) / N", "iterations": int(n),
               "commit": commit, "modes": modes}, f, indent=2)
    f.write("\n")
' "$N" "$(git rev-parse --short HEAD 2>/dev/null || echo '?')" "$OUT"
  echo "wrote $OUT"
fi
