#!/usr/bin/env bash
# Memory per session: a server's resident memory after CLIENTS distinct signed-in clients (each
# request carries no cookie, so each starts a session, counts 1 and is answered with its
# cookie), for sealed-session (the axum demo) against tower-sessions with its memory store, and
# for the Redis setups (tower-sessions' Redis store, actix-session's, express-session with
# connect-redis) the memory Redis uses for them.
#
# Usage: bench/scripts/bench-memory.sh            (CLIENTS=100000 by default)
# Prints, per server: resident memory (VmRSS) after a warm-up of 1,000 clients and after
# CLIENTS more, the growth per client, and for Redis setups Redis's used_memory growth and its
# number of keys. Installs apache2-utils (ab, which sends an exact number of requests),
# redis-server, Node and the Node packages of bench/node when missing.
set -euo pipefail

cd "$(dirname "$0")/../.."
ROOT=$(pwd)
CLIENTS=${CLIENTS:-100000}

NAME=bench-memory
# shellcheck source=bench/scripts/bench-common.sh
source bench/scripts/bench-common.sh
need ab apache2-utils
need redis-server redis-server
need redis-cli redis-tools
bash .ci/install-node   # Node >= 20 and npm, from Debian's packages when missing
need node
need curl
need python3
if [[ ! -d bench/node/node_modules/express-session ]]; then
  (cd bench/node && npm ci --no-audit --no-fund --silent)
fi

echo "building (release)"
cargo build --release --quiet -p sealed-session --features axum,actix --example counter
cargo build --release --quiet -p sealed-session-bench --example peer_tower_memory \
  --example peer_tower_redis --example actix_session_redis_counter
BIN="$(target_dir)/release/examples"
KEY=$(head -c 32 /dev/urandom | base64)
LOG=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$LOG"
}
trap cleanup EXIT


# start_redis: a fresh redis-server on a free loopback port, no persistence; sets REDIS_PORT.
start_redis() {
  REDIS_PORT=$(free_port)
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
    >"$LOG/redis.log" 2>&1 &
  REDIS_PID=$!
  PIDS+=("$REDIS_PID")
  for _ in $(seq 1 100); do
    redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  fail "redis-server did not start"
}

stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

redis_used() { redis-cli -p "$REDIS_PORT" info memory | tr -d '\r' | awk -F: '/^used_memory:/ {print $2}'; }
redis_keys() { redis-cli -p "$REDIS_PORT" dbsize | tr -d '\r'; }

# measure NAME uses_redis command...: start the server, check it counts, warm up, then CLIENTS
# distinct clients; prints one line.
measure() {
  local name=$1 uses_redis=$2; shift 2
  local port pid
  port=$(free_port)
  if [[ $uses_redis == yes ]]; then start_redis; fi
  env PORT="$port" SESSION_KEYS="$KEY" RUST_LOG=warn NODE_ENV=production \
    REDIS_URL="redis://127.0.0.1:${REDIS_PORT:-0}" "$@" >"$LOG/$name.log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  wait_answering "$name" "$pid" "$LOG/$name.log" "http://127.0.0.1:$port/"
  local body
  body=$(curl -s "http://127.0.0.1:$port/")
  [[ $body == *"requested 1 times"* ]] || fail "$name: a request without a cookie did not start a session: $body"
  ab -q -k -n 1000 -c 32 "http://127.0.0.1:$port/" >/dev/null
  local before redis_before=0
  before=$(rss_kib "$pid")
  [[ $uses_redis == yes ]] && redis_before=$(redis_used)
  local out
  out=$(ab -q -k -n "$CLIENTS" -c 32 "http://127.0.0.1:$port/")
  grep -q '^Failed requests: *0' <<<"$out" || { echo "$out" >&2; fail "$name: failed requests"; }
  grep -q '^Non-2xx' <<<"$out" && { echo "$out" >&2; fail "$name: non-2xx answers"; }
  local after
  after=$(rss_kib "$pid")
  local line
  line=$(awk -v n="$name" -v b="$before" -v a="$after" -v c="$CLIENTS" \
    'BEGIN { printf "  %-22s resident %7d KiB -> %7d KiB   %7.1f bytes per client", n, b, a, (a - b) * 1024 / c }')
  if [[ $uses_redis == yes ]]; then
    local used keys
    used=$(redis_used)
    keys=$(redis_keys)
    line+=$(awk -v b="$redis_before" -v a="$used" -v c="$CLIENTS" -v k="$keys" \
      'BEGIN { printf "   redis +%.1f MiB (%.0f bytes per client, %d keys)", (a - b) / 1048576, (a - b) / c, k }')
    stop "$REDIS_PID"
  fi
  echo "$line"
  stop "$pid"
}

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs; $CLIENTS clients after a warm-up of 1,000 (ab -k -c 32)"
measure sealed_session no "$BIN/counter"
measure tower_memory no "$BIN/peer_tower_memory"
measure tower_redis yes "$BIN/peer_tower_redis"
measure actix_session_redis yes "$BIN/actix_session_redis_counter"
measure express_redis yes node "$ROOT/bench/node/express_redis.js"
