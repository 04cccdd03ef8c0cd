#!/usr/bin/env bash
# End-to-end requests per second on loopback, driven by wrk:
#   counter        examples/counter.rs: the axum counter demo with sealed-session
#   counter_plain  examples/counter_plain.rs: the same app without sessions
#   fastify        tests/interop/server.js: fastify 5 + @fastify/secure-session, same counter
# and, to show where a session request's cost lies, two servers between the plain app and the
# demo:
#   counter_cipher examples/counter_cipher.rs: the plain app plus the cipher work alone (one
#                  XChaCha20-Poly1305 open and one seal of the counter's size per request)
#   counter_floor  examples/counter_floor.rs: the counter on Sealer::open / Sealer::seal called
#                  by hand, with no session layer
# and on actix-web:
#   actix_counter  examples/actix_counter.rs: the counter demo on actix-web with sealed-session
#   actix_session  examples/actix_session_counter.rs: the same counter with actix-session's
#                  CookieSessionStore (its encrypted cookie)
# then the ratios (targets: counter >= 85% of counter_plain, counter >= 3x fastify,
# actix_counter >= actix_session by requests/s and <= by server CPU per request), and the
# time of Argon2id MODERATE key derivation in Rust (release) against libsodium's crypto_pwhash
# through Node's sodium-native, with the same secret, salt and parameters.
#
# Every request carries a session cookie from a first request, so the session servers open it,
# count, and seal a new one on each request (the steady state of a signed-in user); the plain
# server gets the same Cookie header and ignores it.
#
# Usage: bench/scripts/bench-http.sh [all|actix]
#   all    (default) every server above, and the key derivation
#   actix  the two actix-web counters only (no Node needed)
# Environment (all optional):
#   DURATION     seconds per wrk run (default 10)
#   ROUNDS       rounds over the servers (default 5; on a shared machine rounds move by
#                10-30%); each round starts one server later in the list, so that no server
#                always runs first; medians are reported
#   CONNECTIONS  wrk connections (default 32)
#   SERVER_CPUS  CPU list the servers are pinned to with taskset (default: the last CPU);
#   WRK_CPUS     CPU list wrk is pinned to (default: the first CPU). Set both empty to not pin.
#   DERIVE_RUNS  key derivations timed on each side (default 3; 0 skips the comparison)
# Installs wrk (Debian package) and the Node project's packages (npm ci) when missing.
set -euo pipefail

MODE=${1:-all}
case "$MODE" in
  all|actix) ;;
  *) echo "usage: $0 [all|actix]" >&2; exit 2 ;;
esac

cd "$(dirname "$0")/../.."
ROOT=$(pwd)
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-5}
DERIVE_RUNS=${DERIVE_RUNS:-3}

NAME=bench-http
# shellcheck source=bench/scripts/bench-common.sh
source bench/scripts/bench-common.sh
wrk_settings
need wrk wrk
need curl
need python3
if [[ $MODE == all ]]; then
  need node
  if [[ ! -d tests/interop/node_modules/@fastify/secure-session ]]; then
    (cd tests/interop && npm ci --no-audit --no-fund --silent)
  fi
else
  DERIVE_RUNS=0
fi

echo "building (release)"
cargo build --release --quiet -p sealed-session --features axum,actix --example counter \
  --example actix_counter
cargo build --release --quiet -p sealed-session-bench --example counter_plain \
  --example counter_floor --example counter_cipher --example derive_time \
  --example actix_session_counter
BIN="$(target_dir)/release/examples"

KEY=$(head -c 32 /dev/urandom | base64)
LOG=$(mktemp -d)
SERVER_PID=
stop_server() {
  if [[ -n "$SERVER_PID" ]]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
  fi
}
trap 'stop_server; rm -rf "$LOG"' EXIT

# launch LOG command...: start a server in the background, pinned to SERVER_CPUS; sets
# SERVER_PID to the server's own process (taskset and env exec it), so its CPU time can be read.
launch() {
  local log=$1; shift
  if [[ -n "$SERVER_CPUS" ]] && command -v taskset >/dev/null; then
    taskset -c "$SERVER_CPUS" "$@" >"$log" 2>&1 &
  else
    "$@" >"$log" 2>&1 &
  fi
  SERVER_PID=$!
}

# start NAME: start a server on a free port, wait (bounded) until it answers; sets PORT.
start() {
  local name=$1
  PORT=$(free_port)
  case $name in
    counter | actix_counter)
      launch "$LOG/$name.log" env SESSION_KEYS="$KEY" PORT="$PORT" RUST_LOG=warn "$BIN/$name"
      ;;
    actix_session)
      launch "$LOG/$name.log" env PORT="$PORT" "$BIN/actix_session_counter"
      ;;
    counter_floor)
      launch "$LOG/$name.log" env SESSION_KEYS="$KEY" PORT="$PORT" "$BIN/$name"
      ;;
    counter_plain | counter_cipher)
      launch "$LOG/$name.log" env PORT="$PORT" "$BIN/$name"
      ;;
    fastify)
      launch "$LOG/$name.log" env SESSION_KEY="$KEY" PORT="$PORT" NODE_ENV=production \
        node "$ROOT/tests/interop/server.js"
      ;;
  esac
  wait_answering "$name" "$SERVER_PID" "$LOG/$name.log" "http://127.0.0.1:$PORT/"
}

# A session cookie from a first request (any server of the pair shares the key and format): the
# demos' `__Host-session`, the hand-made and actix-session counters' `session`.
cookie_from() {
  curl -s -D - -o /dev/null "http://127.0.0.1:$1/" |
    tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \(\(__Host-\)\{0,1\}session=[^;]*\).*/\1/p' | head -n 1
}

declare -A CPU RPS
run() {
  local name=$1 cookie body out rps
  start "$name"
  cookie=$(cookie_from "$PORT")
  if [[ $name != counter_plain && $name != counter_cipher ]]; then
    [[ -n "$cookie" ]] || fail "$name sent no session cookie"
    body=$(curl -s -H "Cookie: $cookie" "http://127.0.0.1:$PORT/")
    [[ $body == *"requested 2 times"* ]] || fail "$name did not count with the cookie: $body"
  else
    cookie=$SESSION_COOKIE
  fi
  local before after
  before=$(cpu_ticks "$SERVER_PID")
  out=$(pin "$WRK_CPUS" wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" -H "Cookie: $cookie" \
    "http://127.0.0.1:$PORT/")
  after=$(cpu_ticks "$SERVER_PID")
  stop_server
  if grep -q 'Non-2xx\|Socket errors' <<<"$out"; then
    echo "$out" >&2
    fail "$name: errors under load"
  fi
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  local requests cpu
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  cpu=$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$requests" \
    'BEGIN { printf "%.1f", t / hz / n * 1e6 }')
  printf '  %-14s %10s requests/s   server CPU %5s us/request   (%s)\n' "$name" "$rps" "$cpu" \
    "$(awk '/Latency/ {print "latency avg " $2 ", max " $4}' <<<"$out")"
  CPU[$name]="${CPU[$name]:-} $cpu"
  RPS[$name]="${RPS[$name]:-} $rps"
  return 0
}

if [[ $MODE == all ]]; then
  SERVERS=(counter counter_plain counter_cipher counter_floor fastify actix_counter actix_session)
else
  SERVERS=(actix_counter actix_session)
fi
# ratio A B: A's requests/s over B's in the round just run, appended to RATIO[A/B].
declare -A RATIO
ratio() {
  local last_a last_b
  last_a=$(awk '{print $NF}' <<<"${RPS[$1]}")
  last_b=$(awk '{print $NF}' <<<"${RPS[$2]}")
  RATIO[$1/$2]+=" $(awk -v a="$last_a" -v b="$last_b" 'BEGIN {print a / b}')"
}

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $NCPU CPUs; load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wrk -t1 -c$CONNECTIONS -d${DURATION}s; servers on CPUs '${SERVER_CPUS}', wrk on CPUs '${WRK_CPUS}'"
# The servers without sessions get a session cookie of the demo's too, and ignore it, so that
# every server reads requests of the same size.
if [[ $MODE == all ]]; then
  start counter
  SESSION_COOKIE=$(cookie_from "$PORT")
  stop_server
  [[ -n "$SESSION_COOKIE" ]] || fail "counter sent no session cookie"
fi
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round (load $(cut -d' ' -f1-3 /proc/loadavg))"
  for i in "${!SERVERS[@]}"; do
    run "${SERVERS[$(( (i + round - 1) % ${#SERVERS[@]} ))]}"
  done
  if [[ $MODE == all ]]; then
    ratio counter counter_plain
    ratio counter_cipher counter_plain
    ratio counter_floor counter_plain
    ratio counter counter_floor
    ratio counter fastify
  fi
  ratio actix_counter actix_session
done

echo
# On a shared machine requests/s moves with whatever else runs on the servers' CPU, so the
# summary gives medians over the rounds of: requests/s, the ratios within each round, and the
# server's CPU time per request (what a CPU-bound server's capacity is inversely proportional to).
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
echo "medians over $ROUNDS rounds:"
for name in "${SERVERS[@]}"; do
  printf '  %-14s %10.0f requests/s   %5.1f us server CPU/request   (rounds: %s requests/s; %s us)\n' \
    "$name" "$(median <<<"${RPS[$name]}")" "$(median <<<"${CPU[$name]}")" "${RPS[$name]# }" "${CPU[$name]# }"
done
# share: the median, lowest and highest of the ratios on stdin, as percentages.
share() {
  local values
  values=$(tr ' ' '\n' | grep -v '^$' | sort -g)
  awk -v m="$(median <<<"$values")" 'NR == 1 {lo = $1} {hi = $1}
    END {printf "%5.1f%%   (rounds %.1f-%.1f%%)", 100 * m, 100 * lo, 100 * hi}' <<<"$values"
}
if [[ $MODE == all ]]; then
  echo "  sessions / no sessions, requests/s within a round:  $(share <<<"${RATIO[counter/counter_plain]}")   (target >= 85%)"
  echo "  the cipher work alone / no sessions:                $(share <<<"${RATIO[counter_cipher/counter_plain]}")"
  echo "  seal / open by hand / no sessions:                  $(share <<<"${RATIO[counter_floor/counter_plain]}")"
  echo "  sessions / seal / open by hand:                     $(share <<<"${RATIO[counter/counter_floor]}")"
  awk -v rf="$(median <<<"${RATIO[counter/fastify]}")" \
      -v cs="$(median <<<"${CPU[counter]}")" -v cp="$(median <<<"${CPU[counter_plain]}")" \
      -v cf="$(median <<<"${CPU[fastify]}")" 'BEGIN {
    printf "  sessions / no sessions, by server CPU per request:  %5.1f%%   (%.1f us per request for sessions)\n", 100 * cp / cs, cs - cp
    printf "  sessions / fastify, requests/s within a round:      %5.2fx   (target >= 3x)\n", rf
    printf "  sessions / fastify, by server CPU per request:      %5.2fx\n", cf / cs
  }'
fi
awk -v r="$(median <<<"${RATIO[actix_counter/actix_session]}")" \
    -v cs="$(median <<<"${CPU[actix_counter]}")" -v ca="$(median <<<"${CPU[actix_session]}")" 'BEGIN {
  printf "  actix: sealed-session / actix-session, requests/s within a round:  %5.2fx   (target >= 1)\n", r
  printf "  actix: sealed-session / actix-session, server CPU per request:     %5.2fx   (target <= 1)\n", cs / ca
}'

if [[ "$DERIVE_RUNS" -gt 0 ]]; then
  echo
  echo "key derivation, Argon2id MODERATE (3 passes, 256 MiB, 1 lane), $DERIVE_RUNS runs each:"
  SECRET="a secret of at least thirty-two bytes, for timing"
  SALT="sixteen byte slt"
  rust=$(pin "$SERVER_CPUS" "$BIN/derive_time" "$DERIVE_RUNS" "$SECRET" "$SALT")
  node_out=$(cd tests/interop && pin "$SERVER_CPUS" node -e '
    const sodium = require("sodium-native")
    const [runs, secret, salt] = process.argv.slice(1)
    const key = Buffer.alloc(32)
    const times = []
    for (let i = 0; i < Number(runs); i++) {
      const t = process.hrtime.bigint()
      sodium.crypto_pwhash(key, Buffer.from(secret), Buffer.from(salt, "ascii"),
        sodium.crypto_pwhash_OPSLIMIT_MODERATE, sodium.crypto_pwhash_MEMLIMIT_MODERATE,
        sodium.crypto_pwhash_ALG_ARGON2ID13)
      times.push(Number(process.hrtime.bigint() - t) / 1e9)
    }
    times.sort((a, b) => a - b)
    const m = times[Math.floor(times.length / 2)]
    console.log(`libsodium argon2id MODERATE: median ${m.toFixed(3)} s over ${times.length} runs (min ${times[0].toFixed(3)}, max ${times[times.length - 1].toFixed(3)})`)
    console.log(`key ${key.toString("base64")}`)
  ' "$DERIVE_RUNS" "$SECRET" "$SALT")
  echo "  ${rust%%$'\n'*}"
  echo "  ${node_out%%$'\n'*}"
  if [[ "$(tail -n1 <<<"$rust")" != "$(tail -n1 <<<"$node_out")" ]]; then
    fail "the two derivations gave different keys"
  fi
  echo "  same key from both"
  awk -v r="$(sed -n 's/.*median \([0-9.]*\) s.*/\1/p' <<<"$rust")" \
      -v n="$(sed -n 's/.*median \([0-9.]*\) s.*/\1/p' <<<"$node_out")" \
      'BEGIN { printf "  rust / libsodium: %.2fx the time\n", r / n }'
fi
