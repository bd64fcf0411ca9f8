#!/usr/bin/env bash
# The longer campaign of tests/fuzz/README.md: each named target from its seeds until RUNS
# executions or SECONDS seconds, whichever comes first, in a fresh working corpus
# (build/fuzz/campaign/<target>/), log in build/fuzz/campaign/<target>.log. Run after
# scripts/fuzz has built the preset. One target at a time; start two at once for two cores.
#
#   tests/fuzz/campaign.sh RUNS SECONDS TARGET...
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="$1" seconds="$2"
shift 2
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
for name in "$@"; do
  dir="build/fuzz/campaign/$name"
  rm -rf "$dir" && mkdir -p "$dir/corpus" "$dir/artifacts"
  max_len=4096
  [ "$name" = executor_differential ] && max_len=16384
  start=$(date +%s)
  rc=0
  build/fuzz/tests/fuzz/fuzz_"$name" -runs="$runs" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len="$max_len" -print_final_stats=1 -artifact_prefix="$dir/artifacts/" \
    "$dir/corpus" "tests/fuzz/corpus/$name" >"build/fuzz/campaign/$name.log" 2>&1 || rc=$?
  echo "$name rc=$rc $(( $(date +%s) - start ))s $(grep -E 'DONE|stat::number_of_executed_units|stat::average_exec_per_sec' \
    "build/fuzz/campaign/$name.log" | tr -s ' ' | tr '\n' ' ')"
done
