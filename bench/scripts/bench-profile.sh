#!/usr/bin/env bash
# Where the end-to-end time of a session goes: the counter demo with sessions and the same app
# without them (examples/counter.rs, examples/counter_plain.rs), each driven by wrk on loopback
# as in bench/scripts/bench-http.sh while `perf record` samples the server, then the difference of
# their time per request split by what the samples were in:
#   cipher  HChaCha20 and ring's ChaCha20-Poly1305
#   crate   the rest of sealed-session and the code only it calls (base64, bincode, memchr,
#           the clock, the nonce generator)
#   libc    the allocator and memmove/memcmp, which both servers call
#   other   axum, hyper, tokio and std, which both servers run
#   kernel  the kernel: TCP on loopback, the wake-ups of wrk, the scheduler
# Time per request is 1 / (requests per second) of the run; each symbol's share of the samples
# is that share of it. The cipher and crate parts are the session's own work and move little
# between runs; the kernel part moves by microseconds on a shared VM and is what makes
# requests per second noisy.
#
# Usage: bench/scripts/bench-profile.sh
# Environment (all optional):
#   ROUNDS       pairs of runs (default 3); each is reported, then the medians
#   DURATION     seconds of wrk per run (default 10; perf records the middle DURATION-2)
#   SERVER_CPUS, WRK_CPUS, CONNECTIONS: as in bench/scripts/bench-http.sh (defaults: last CPU,
#                first CPU, 32)
# Needs perf (Debian package linux-perf; installed when missing), wrk (installed when
# missing), curl and python3.
set -euo pipefail

cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}

NAME=bench-profile
# shellcheck source=bench/scripts/bench-common.sh
source bench/scripts/bench-common.sh
wrk_settings
need wrk wrk
need perf linux-perf
need curl
need python3
((DURATION >= 4)) || fail "DURATION must be at least 4 seconds"

echo "building (release)"
cargo build --release --quiet -p sealed-session --features axum --example counter
cargo build --release --quiet -p sealed-session-bench --example counter_plain
BIN="$(target_dir)/release/examples"
KEY=$(head -c 32 /dev/urandom | base64)
WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
  if [[ -n "$SERVER_PID" ]]; then kill "$SERVER_PID" 2>/dev/null || true; fi
  if [[ -z "${KEEP:-}" ]]; then rm -rf "$WORK"; else echo "kept $WORK"; fi
}
trap cleanup EXIT

# record NAME OUT: run the server under wrk with perf sampling it; prints requests/s.
COOKIE=
record() {
  local name=$1 out=$2 port
  port=$(free_port)
  # taskset and env exec the server, so $! is the server itself (a shell function run in the
  # background would be a subshell around it).
  if [[ -n "$SERVER_CPUS" ]] && command -v taskset >/dev/null; then
    taskset -c "$SERVER_CPUS" env SESSION_KEYS="$KEY" PORT="$port" RUST_LOG=warn "$BIN/$name" \
      >"$WORK/$name.log" 2>&1 &
  else
    env SESSION_KEYS="$KEY" PORT="$port" RUST_LOG=warn "$BIN/$name" >"$WORK/$name.log" 2>&1 &
  fi
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/$name.log" >&2; fail "$name exited"; }
    sleep 0.1
  done
  if [[ $name == counter ]]; then
    COOKIE=$(curl -s -D - -o /dev/null "http://127.0.0.1:$port/" |
      tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \(session=[^;]*\).*/\1/p' | head -n 1)
    [[ -n "$COOKIE" ]] || fail "counter sent no session cookie"
  fi
  (sleep 1; perf record -q -F 4999 -p "$SERVER_PID" -o "$out" -- sleep $((DURATION - 2)) \
    >/dev/null 2>&1) &
  local perf_pid=$!
  pin "$WRK_CPUS" wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" -H "Cookie: $COOKIE" \
    "http://127.0.0.1:$port/" | awk '/^Requests\/sec:/ {print $2}'
  wait "$perf_pid" || true
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
}

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $NCPU CPUs; load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wrk -t1 -c$CONNECTIONS -d${DURATION}s; servers on CPUs '$SERVER_CPUS', wrk on CPUs '$WRK_CPUS'"
for round in $(seq 1 "$ROUNDS"); do
  rps_counter=$(record counter "$WORK/counter.$round.data")
  rps_plain=$(record counter_plain "$WORK/plain.$round.data")
  echo "$round $rps_counter $rps_plain" >>"$WORK/rounds"
  perf report -q -i "$WORK/counter.$round.data" --no-children --sort dso,sym -g none \
    --percent-limit 0 2>/dev/null >"$WORK/counter.$round.txt"
  perf report -q -i "$WORK/plain.$round.data" --no-children --sort dso,sym -g none \
    --percent-limit 0 2>/dev/null >"$WORK/plain.$round.txt"
done

python3 - "$WORK" <<'EOF'
import re, statistics, sys

work = sys.argv[1]
CIPHER = ("hchacha", "chacha20_poly1305", "poly_hash", "process_extra", "ring::", "ring_core")
CRATE = ("sealed_session", "base64_simd", "bincode", "rand_chacha", "rand::", "rand_core",
         "memchr", "zeroize", "percent_encoding", "clock_gettime", "SystemTime", "from_utf8")
LIBC = ("malloc", "free", "memmove", "memcpy", "memset", "calloc", "realloc", "_int_", "memcmp")
PARTS = ["cipher", "crate", "libc", "other", "kernel"]

def part(kernel, symbol):
    if kernel:
        return "kernel"
    for name, marks in (("cipher", CIPHER), ("crate", CRATE), ("libc", LIBC)):
        if any(m in symbol for m in marks):
            return name
    return "other"

def per_request(path, rps):
    """ns per request in each part: the part's share of the samples times 1e9 / rps."""
    ns = dict.fromkeys(PARTS, 0.0)
    for line in open(path):
        m = re.match(r"\s*([\d.]+)%\s+\S+\s+\[(.)\]\s+(.*)", line)
        if m:
            ns[part(m.group(2) == "k", m.group(3))] += float(m.group(1)) / 100 * 1e9 / rps
    return ns

rows = []
print()
print("round  counter req/s  plain req/s  ratio   ns per request: counter  plain  difference"
      "  = " + " + ".join(PARTS))
for line in open(f"{work}/rounds"):
    rnd, rc, rp = line.split()
    rc, rp = float(rc), float(rp)
    c = per_request(f"{work}/counter.{rnd}.txt", rc)
    p = per_request(f"{work}/plain.{rnd}.txt", rp)
    diff = {k: c[k] - p[k] for k in PARTS}
    row = {"ratio": rc / rp, "counter": 1e9 / rc, "plain": 1e9 / rp,
           "difference": 1e9 / rc - 1e9 / rp, **diff}
    rows.append(row)
    print(f"{rnd:>5}  {rc:13.0f}  {rp:11.0f}  {100 * row['ratio']:5.1f}%  {row['counter']:23.0f}"
          f"  {row['plain']:5.0f}  {row['difference']:10.0f}  = "
          + " + ".join(f"{diff[k]:.0f}" for k in PARTS))
med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
print(f"median {'':13}  {'':11}  {100 * med['ratio']:5.1f}%  {med['counter']:23.0f}"
      f"  {med['plain']:5.0f}  {med['difference']:10.0f}  = "
      + " + ".join(f"{med[k]:.0f}" for k in PARTS))
own = statistics.median(r["cipher"] + r["crate"] for r in rows)
with_libc = statistics.median(r["cipher"] + r["crate"] + r["libc"] for r in rows)
print()
print(f"medians per request: the session's own code (cipher + crate) {own:.0f} ns; with the")
print(f"allocator and copies (+ libc) {with_libc:.0f} ns; the plain app {med['plain']:.0f} ns")
EOF
