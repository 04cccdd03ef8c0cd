#!/usr/bin/env bash
# Side by side: the counter demo (GET / counts in the session, answers
# {"hello":"route requested N times in this session"}) served by sealed-session and by the
# session libraries people would otherwise pick, each the same app but for its session
# handling, driven by wrk on loopback:
#   plain                 bench/examples/counter_plain.rs: axum, no sessions (the ceiling)
#   sealed_session        examples/counter.rs: axum + sealed-session (sealed cookie)
#   sealed_session_actix  examples/actix_counter.rs: actix-web + sealed-session
#   tower_memory          bench/examples/peer_tower_memory.rs: tower-sessions, MemoryStore
#   tower_redis           bench/examples/peer_tower_redis.rs: tower-sessions, Redis store (fred)
#   tower_cookie          bench/examples/peer_tower_cookie.rs: tower-sessions-cookie-store,
#                         private (encrypted) cookie
#   private_jar           bench/examples/peer_private_jar.rs: axum-extra's PrivateCookieJar
#                         holding the count alone
#   actix_session_cookie  bench/examples/actix_session_counter.rs: actix-session,
#                         CookieSessionStore (private cookie)
#   actix_session_redis   bench/examples/actix_session_redis_counter.rs: actix-session,
#                         RedisSessionStore
#   express_redis         bench/node/express_redis.js: express 5 + express-session +
#                         connect-redis (NODE_ENV=production)
#   fastify               tests/interop/server.js: fastify 5 + @fastify/secure-session
#
# Every server is first checked to count (a request without a cookie answers 1 and sets a
# session cookie; that cookie sent back answers 2), warmed up by an unmeasured wrk run of
# WARMUP seconds (the Node servers' JIT and every server's buffers), then loaded with wrk -t1
# -c$CONNECTIONS -d${DURATION}s, every request carrying that signed-in cookie: the session servers open (or
# look up) the session, count and save it on each request. plain gets the sealed_session
# demo's cookie and ignores it, so that every server reads requests of about the same size.
# The script starts a redis-server of its own on a free loopback port (no persistence), pinned
# to REDIS_CPUS, for the Redis setups.
#
# Measured per run: requests/s (wrk) and CPU time per request: utime + stime of the server
# process over the wrk window (/proc/<pid>/stat, all threads), plus redis-server's over the
# same window for the Redis setups. Rounds are interleaved: each round runs every server once,
# starting one server later in the list than the round before. Within each round,
# sealed_session's requests/s is divided by each other server's (for plain that is the
# "sessions / no sessions" share), and sealed_session_actix's by the two actix-session
# servers'. Reported: per server the median requests/s and CPU us/request over the rounds,
# and the median (min-max) of the within-round ratios.
#
# Usage:
#   bench/scripts/bench-peers.sh                      # every server, ROUNDS=9, DURATION=10
#   DURATION=2 ROUNDS=1 bench/scripts/bench-peers.sh  # a quick check that all of it works
#   SERVERS="sealed_session tower_redis" bench/scripts/bench-peers.sh
# and the chart, with the instruction counts of the in-process peers as its second panel:
#   OUT=bench/results/instructions.json bench/scripts/bench-instructions.sh peers
#   bench/scripts/peers-chart.py bench/results/peers.json \
#     --instructions bench/results/instructions.json --out bench/peers.svg
# Environment (all optional):
#   DURATION     seconds per measured wrk run (default 10)
#   WARMUP       seconds of the unmeasured wrk run before it (default 2; 0 skips it)
#   ROUNDS       rounds over the servers (default 9); medians are reported
#   SERVERS      the servers to run, space-separated, from the list above (default: all);
#                the ratios need sealed_session among them
#   CONNECTIONS  wrk connections (default 32)
#   SERVER_CPUS  CPU list the servers are pinned to with taskset (default: the last CPU)
#   WRK_CPUS     CPU list wrk is pinned to (default: the first CPU)
#   REDIS_CPUS   CPU list redis-server is pinned to (default: SERVER_CPUS, so that a Redis
#                setup's requests/s pays for its store on the same CPU). Set all three empty
#                to not pin.
#   OUT          the results as JSON (default bench/results/peers.json, ignored by git)
#   CARGO_TARGET_DIR  where cargo builds, as for cargo itself
# Installs wrk, redis-server and redis-cli (Debian packages) when missing, and the two Node
# projects' packages (npm ci in bench/node and tests/interop) when missing, and Node >= 20 with
# npm (.ci/install-node, Debian's packages).
set -euo pipefail

cd "$(dirname "$0")/../.."
ROOT=$(pwd)
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
ROUNDS=${ROUNDS:-9}
OUT=${OUT:-bench/results/peers.json}

NAME=bench-peers
# shellcheck source=bench/scripts/bench-common.sh
source bench/scripts/bench-common.sh
wrk_settings
REDIS_CPUS=${REDIS_CPUS-$SERVER_CPUS}

ALL=(plain sealed_session sealed_session_actix tower_memory tower_redis tower_cookie private_jar
  actix_session_cookie actix_session_redis express_redis fastify)
read -r -a SERVERS <<<"${SERVERS:-${ALL[*]}}"
uses() { [[ " ${SERVERS[*]} " == *" $1 "* ]]; }
for name in "${SERVERS[@]}"; do
  [[ " ${ALL[*]} " == *" $name "* ]] || fail "unknown server $name (known: ${ALL[*]})"
done
uses_redis() { uses tower_redis || uses actix_session_redis || uses express_redis; }

need wrk wrk
need curl curl
need python3
if uses_redis; then
  need redis-server redis-server
  need redis-cli redis-tools
fi
if uses express_redis || uses fastify; then
  # Node >= 20 and npm from Debian's packages when missing (fastify 5 needs 20).
  bash .ci/install-node
  need node
  need npm
fi
if uses express_redis && [[ ! -d bench/node/node_modules/connect-redis ]]; then
  (cd bench/node && npm ci --no-audit --no-fund --silent)
fi
if uses fastify && [[ ! -d tests/interop/node_modules/@fastify/secure-session ]]; then
  (cd tests/interop && npm ci --no-audit --no-fund --silent)
fi

echo "building (release)"
cargo build --release --quiet -p sealed-session --features axum,actix --example counter \
  --example actix_counter
cargo build --release --quiet -p sealed-session-bench --example counter_plain \
  --example peer_tower_memory --example peer_tower_redis --example peer_tower_cookie \
  --example peer_private_jar --example actix_session_counter --example actix_session_redis_counter
BIN="$(target_dir)/release/examples"

KEY=$(head -c 32 /dev/urandom | base64)
LOG=$(mktemp -d)
SERVER_PID=
REDIS_PID=
stop() { # stop PID: end a process this script started, and reap it
  if [[ -n "$1" ]]; then
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
  fi
}
stop_server() { stop "$SERVER_PID"; SERVER_PID=; }
trap 'stop_server; stop "$REDIS_PID"; rm -rf "$LOG"' EXIT

# launch CPUS LOG command...: start a command in the background, pinned to CPUS; sets
# LAUNCHED to the command's own process (taskset and env exec it), so its CPU time can be read.
launch() {
  local cpus=$1 log=$2; shift 2
  if [[ -n "$cpus" ]] && command -v taskset >/dev/null; then
    taskset -c "$cpus" "$@" >"$log" 2>&1 &
  else
    "$@" >"$log" 2>&1 &
  fi
  LAUNCHED=$!
}

REDIS_URL=
if uses_redis; then
  REDIS_PORT=$(free_port)
  launch "$REDIS_CPUS" "$LOG/redis.log" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 \
    --save '' --appendonly no --loglevel warning
  REDIS_PID=$LAUNCHED
  REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
  for _ in $(seq 1 100); do
    if [[ $(redis-cli -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]; then break; fi
    kill -0 "$REDIS_PID" 2>/dev/null || { cat "$LOG/redis.log" >&2; fail "redis-server exited"; }
    sleep 0.1
  done
  [[ $(redis-cli -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]] || fail "redis-server did not answer"
fi

# start NAME: start a server on a free port, pinned to SERVER_CPUS, and wait (bounded) until it
# answers; sets PORT and SERVER_PID.
start() {
  local name=$1
  PORT=$(free_port)
  local log="$LOG/$name.log"
  case $name in
    plain) launch "$SERVER_CPUS" "$log" env PORT="$PORT" "$BIN/counter_plain" ;;
    sealed_session)
      launch "$SERVER_CPUS" "$log" env SESSION_KEYS="$KEY" PORT="$PORT" RUST_LOG=warn "$BIN/counter" ;;
    sealed_session_actix)
      launch "$SERVER_CPUS" "$log" env SESSION_KEYS="$KEY" PORT="$PORT" RUST_LOG=warn \
        "$BIN/actix_counter" ;;
    tower_memory | tower_cookie | private_jar)
      launch "$SERVER_CPUS" "$log" env PORT="$PORT" "$BIN/peer_$name" ;;
    tower_redis)
      launch "$SERVER_CPUS" "$log" env PORT="$PORT" REDIS_URL="$REDIS_URL" "$BIN/peer_tower_redis" ;;
    actix_session_cookie)
      launch "$SERVER_CPUS" "$log" env PORT="$PORT" "$BIN/actix_session_counter" ;;
    actix_session_redis)
      launch "$SERVER_CPUS" "$log" env PORT="$PORT" REDIS_URL="$REDIS_URL" \
        "$BIN/actix_session_redis_counter" ;;
    express_redis)
      launch "$SERVER_CPUS" "$log" env PORT="$PORT" REDIS_URL="$REDIS_URL" NODE_ENV=production \
        node "$ROOT/bench/node/express_redis.js" ;;
    fastify)
      launch "$SERVER_CPUS" "$log" env SESSION_KEY="$KEY" PORT="$PORT" NODE_ENV=production \
        node "$ROOT/tests/interop/server.js" ;;
  esac
  SERVER_PID=$LAUNCHED
  wait_answering "$name" "$SERVER_PID" "$log" "http://127.0.0.1:$PORT/"
}

# signed_in NAME: a first request without cookies must answer 1 and set a session cookie
# (`session` or the demos' `__Host-session`), and that cookie sent back must answer 2; prints
# the cookie's name=value.
signed_in() {
  local name=$1 headers body cookie
  headers=$(curl -s -D - -o "$LOG/body" "http://127.0.0.1:$PORT/" | tr -d '\r')
  body=$(cat "$LOG/body")
  [[ $body == *"requested 1 times"* ]] || fail "$name: a first request answered: $body"
  cookie=$(sed -n 's/^[Ss]et-[Cc]ookie: \(\(__Host-\)\{0,1\}session=[^;]*\).*/\1/p' <<<"$headers" |
    head -n 1)
  [[ -n "$cookie" ]] || fail "$name sent no session cookie"
  body=$(curl -s -H "Cookie: $cookie" "http://127.0.0.1:$PORT/")
  [[ $body == *"requested 2 times"* ]] || fail "$name did not count with its cookie: $body"
  printf '%s' "$cookie"
}

redis_ticks() { if [[ -n "$REDIS_PID" ]]; then cpu_ticks "$REDIS_PID"; else echo 0; fi; }
stores_in_redis() { [[ $1 == tower_redis || $1 == actix_session_redis || $1 == express_redis ]]; }

RUNS="$LOG/runs.tsv"
: >"$RUNS"
# run ROUND NAME: one wrk run against a fresh server; appends a line to RUNS.
run() {
  local round=$1 name=$2 cookie out body
  start "$name"
  if [[ $name == plain ]]; then
    body=$(curl -s "http://127.0.0.1:$PORT/")
    [[ $body == *"requested 1 times"* ]] || fail "plain answered: $body"
    cookie=$SESSION_COOKIE
  else
    cookie=$(signed_in "$name")
  fi
  if [[ $WARMUP -gt 0 ]]; then
    pin "$WRK_CPUS" wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" -H "Cookie: $cookie" \
      "http://127.0.0.1:$PORT/" >/dev/null
  fi
  local before after redis_before redis_after
  before=$(cpu_ticks "$SERVER_PID")
  redis_before=$(redis_ticks)
  out=$(pin "$WRK_CPUS" wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" -H "Cookie: $cookie" \
    "http://127.0.0.1:$PORT/")
  after=$(cpu_ticks "$SERVER_PID")
  redis_after=$(redis_ticks)
  stop_server
  if grep -q 'Non-2xx\|Socket errors' <<<"$out"; then
    echo "$out" >&2
    fail "$name: errors under load"
  fi
  local rps requests server redis=0 latency
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  latency=$(awk '/Latency/ {print $2 "\t" $4}' <<<"$out")
  server=$((after - before))
  if stores_in_redis "$name"; then redis=$((redis_after - redis_before)); fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$name" "$rps" "$requests" "$server" "$redis" \
    "$latency" >>"$RUNS"
  awk -v t=$((server + redis)) -v hz="$(getconf CLK_TCK)" -v n="$requests" -v r="$rps" \
    -v name="$name" -v redis="$redis" -v lat="$latency" 'BEGIN {
      split(lat, l, "\t")
      printf "  %-21s %10.0f requests/s   CPU %6.1f us/request%s   (latency avg %s, max %s)\n",
        name, r, t / hz / n * 1e6, (redis > 0 ? " (with redis)" : ""), l[1], l[2] }'
}

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $NCPU CPUs; load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wrk -t1 -c$CONNECTIONS -d${DURATION}s after ${WARMUP}s unmeasured; servers on CPUs '$SERVER_CPUS', wrk on '$WRK_CPUS'${REDIS_URL:+, redis-server on '$REDIS_CPUS'}"
# The demo's cookie for plain, which ignores it.
start sealed_session
SESSION_COOKIE=$(signed_in sealed_session)
stop_server
for round in $(seq 1 "$ROUNDS"); do
  cut -d' ' -f1-3 /proc/loadavg >>"$LOG/loads"
  echo "round $round (load $(tail -n 1 "$LOG/loads"))"
  for i in "${!SERVERS[@]}"; do
    run "$round" "${SERVERS[$(((i + round - 1) % ${#SERVERS[@]}))]}"
  done
done

echo
mkdir -p "$(dirname "$OUT")"
python3 - "$RUNS" "$OUT" "$LOG/loads" <<PYTHON
import json, re, statistics, subprocess, sys, datetime, tomllib

runs_file, out, loads = sys.argv[1:4]
servers = "${SERVERS[*]}".split()
hz = int("$(getconf CLK_TCK)")
rounds = {}
for line in open(runs_file):
    rnd, name, rps, requests, server, redis, lat_avg, lat_max = line.rstrip("\n").split("\t")
    requests, server, redis = int(requests), int(server), int(redis)
    rounds.setdefault(int(rnd), {})[name] = {
        "requests_per_s": float(rps),
        "requests": requests,
        "server_cpu_ticks": server,
        "redis_cpu_ticks": redis,
        "cpu_us_per_request": (server + redis) / hz / requests * 1e6,
        "latency_avg": lat_avg,
        "latency_max": lat_max,
    }

labels = {
    "plain": "axum, no sessions",
    "sealed_session": "sealed-session (axum)",
    "sealed_session_actix": "sealed-session (actix-web)",
    "tower_memory": "tower-sessions, MemoryStore",
    "tower_redis": "tower-sessions, Redis store",
    "tower_cookie": "tower-sessions-cookie-store, private",
    "private_jar": "axum-extra PrivateCookieJar",
    "actix_session_cookie": "actix-session, CookieSessionStore",
    "actix_session_redis": "actix-session, RedisSessionStore",
    "express_redis": "express-session + connect-redis",
    "fastify": "fastify + @fastify/secure-session",
}
storage = {"plain": "none", "tower_memory": "memory", "tower_redis": "redis",
           "actix_session_redis": "redis", "express_redis": "redis"}

def spread(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}

def ratios(a, b):
    return [r[a]["requests_per_s"] / r[b]["requests_per_s"] for r in rounds.values()
            if a in r and b in r]

summary = {}
for name in servers:
    rps = [r[name]["requests_per_s"] for r in rounds.values() if name in r]
    cpu = [r[name]["cpu_us_per_request"] for r in rounds.values() if name in r]
    entry = {
        "label": labels[name],
        "storage": storage.get(name, "cookie"),
        "median_requests_per_s": statistics.median(rps),
        "median_cpu_us_per_request": statistics.median(cpu),
        "rounds_requests_per_s": rps,
        "rounds_cpu_us_per_request": cpu,
    }
    if name != "sealed_session" and "sealed_session" in servers:
        entry["sealed_session_over_this"] = spread(ratios("sealed_session", name))
    if name.startswith("actix_session") and "sealed_session_actix" in servers:
        entry["sealed_session_actix_over_this"] = spread(ratios("sealed_session_actix", name))
    summary[name] = entry

# The versions measured, read from the lock files.
lock = tomllib.load(open("Cargo.lock", "rb"))
crates = {}
for package in lock["package"]:
    if package["name"] in ("sealed-session", "axum", "axum-extra", "actix-web", "actix-session",
                           "tower-sessions", "tower-sessions-memory-store",
                           "tower-sessions-redis-store", "tower-sessions-cookie-store", "cookie",
                           "fred", "redis", "tokio", "hyper"):
        crates.setdefault(package["name"], []).append(package["version"])
npm = {}
for project, names in (("bench/node", ("express", "express-session", "connect-redis", "redis")),
                       ("tests/interop", ("fastify", "@fastify/secure-session"))):
    packages = json.load(open(f"{project}/package-lock.json"))["packages"]
    for n in names:
        npm[n] = packages[f"node_modules/{n}"]["version"]
def command(*args):
    try:
        return subprocess.run(args, capture_output=True, text=True).stdout.strip()
    except OSError:
        return None
redis_version = command("redis-server", "--version") if "$REDIS_URL" else None

result = {
    "benchmark": "bench/scripts/bench-peers.sh",
    "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    "commit": command("git", "rev-parse", "--short", "HEAD"),
    "machine": {"cpu": "$(lscpu | sed -n 's/^Model name: *//p')", "cpus": $NCPU,
                "load_at_round_start": open(loads).read().split("\n")[:-1]},
    "settings": {"duration_s": $DURATION, "warmup_s": $WARMUP, "rounds": $ROUNDS, "connections": $CONNECTIONS,
                 "wrk": "wrk -t1 -c$CONNECTIONS -d${DURATION}s", "server_cpus": "$SERVER_CPUS",
                 "wrk_cpus": "$WRK_CPUS", "redis_cpus": "$REDIS_CPUS", "clk_tck": hz,
                 "cpu": "server process utime+stime over the wrk window, plus redis-server's "
                        "for the Redis setups"},
    "versions": {"crates": crates, "npm": npm, "node": command("node", "--version"),
                 "redis-server": redis_version},
    "servers": summary,
    "rounds": [{"round": n, "results": r} for n, r in sorted(rounds.items())],
}
with open(out, "w") as f:
    json.dump(result, f, indent=2)
    f.write("\n")

print(f"medians over {len(rounds)} rounds:")
print(f"  {'server':21} {'requests/s':>10} {'CPU us/req':>10}   sealed_session / this, requests/s within a round")
for name, e in summary.items():
    line = f"  {name:21} {e['median_requests_per_s']:10.0f} {e['median_cpu_us_per_request']:10.1f}"
    r = e.get("sealed_session_over_this")
    if r:
        line += f"   {r['median']:5.2f}x ({r['min']:.2f}-{r['max']:.2f})"
    if name == "plain" and r:
        line += "   = sessions / no sessions"
    print(line)
for name, e in summary.items():
    r = e.get("sealed_session_actix_over_this")
    if r:
        print(f"  sealed_session_actix / {name}: {r['median']:.2f}x ({r['min']:.2f}-{r['max']:.2f})"
              f", CPU per request {e['median_cpu_us_per_request'] / summary['sealed_session_actix']['median_cpu_us_per_request']:.2f}x")
print(f"wrote {out}")
PYTHON
