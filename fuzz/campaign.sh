#!/usr/bin/env bash
# The fuzz campaign: each target for RUNS executions (10 million by default) from its committed
# corpus, then the corpus minimized in place (`cargo fuzz cmin`). Prints, per target, the
# executions, the rate, the coverage and the time, as docs/hardening.md reports them.
#
#   bash fuzz/campaign.sh                 # every target
#   RUNS=1000000 bash fuzz/campaign.sh open decode
#
# Instrumentation without a sanitizer (`-s none`): the crate's code is safe Rust, and AddressSanitizer
# would halve the rate. Run a target under ASan with `cargo fuzz run <target>` (its default).
set -euo pipefail
cd "$(dirname "$0")"
export RUSTC_BOOTSTRAP=1
RUNS=${RUNS:-10000000}
LOGS=${LOGS:-target/campaign}
mkdir -p "$LOGS"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(keys open decode fastify_open cookie_header)

cargo fuzz build -O -s none
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t"
    start=$(date +%s)
    cargo fuzz run -O -s none "$t" "corpus/$t" -- \
        -runs="$RUNS" -max_len=8192 -print_final_stats=1 >"$LOGS/$t.log" 2>&1
    secs=$(( $(date +%s) - start ))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$LOGS/$t.log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$LOGS/$t.log")
    cov=$(grep -o 'cov: [0-9]*' "$LOGS/$t.log" | tail -1 | cut -d' ' -f2)
    before=$(ls "corpus/$t" | wc -l)
    cargo fuzz cmin -O -s none "$t" "corpus/$t" -- -max_len=8192 >"$LOGS/$t.cmin.log" 2>&1
    after=$(ls "corpus/$t" | wc -l)
    printf '%s: %s executions in %s s (%s exec/s), %s edges, corpus %s -> %s files\n' \
        "$t" "$execs" "$secs" "$rate" "$cov" "$before" "$after" | tee -a "$LOGS/summary.txt"
done
