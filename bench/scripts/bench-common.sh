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
