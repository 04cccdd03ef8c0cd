# Shell functions the bench scripts share; sourced, not run. The sourcing script sets NAME
# (used in its error messages) before it sources this file.

fail() { echo "$NAME: $*" >&2; exit 1; }

# wrk_settings: the load-generation settings the wrk-driven scripts share, from the environment
# or their defaults: CONNECTIONS (32), SERVER_CPUS (the last CPU), WRK_CPUS (the first), NCPU.
wrk_settings() {
  CONNECTIONS=${CONNECTIONS:-32}
  NCPU=$(nproc)
  SERVER_CPUS=${SERVER_CPUS-$((NCPU - 1))}
  WRK_CPUS=${WRK_CPUS-0}
}

# pin CPUS command...: run the command on those CPUs when taskset and a list are given.
pin() {
  local cpus=$1; shift
  if [[ -n "$cpus" ]] && command -v taskset >/dev/null; then taskset -c "$cpus" "$@"; else "$@"; fi
}

# need COMMAND [DEBIAN_PACKAGE]: install the package when the command is missing (with sudo
# unless root), then fail unless the command is there.
need() {
  local command=$1 package=${2:-}
  if [[ -n "$package" ]] && ! command -v "$command" >/dev/null; then
    echo "installing $package (Debian package)"
    local sudo=
    [[ $(id -u) -eq 0 ]] || sudo=sudo
    $sudo apt-get update -qq && $sudo apt-get install -y -qq "$package" >/dev/null || true
  fi
  command -v "$command" >/dev/null || fail "$command is needed${package:+ (Debian package $package)}"
}

# The directory cargo builds into (CARGO_TARGET_DIR or the workspace's own).
target_dir() {
  cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])'
}

# free_port: a port on 127.0.0.1 nothing listens on now.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# cpu_ticks PID: user + system CPU time of a process (all its threads), in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# rss_kib PID: a process's resident memory (VmRSS), in KiB.
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# wait_answering NAME PID LOG URL: wait (at most 10 s) until URL answers, failing with the
# server's log if its process PID exits first or it never answers.
wait_answering() {
  local name=$1 pid=$2 log=$3 url=$4
  for _ in $(seq 1 100); do
    if curl -s -o /dev/null "$url"; then return 0; fi
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; fail "$name exited"; }
    sleep 0.1
  done
  cat "$log" >&2
  fail "$name did not answer within 10 s"
}
