#!/usr/bin/env bash
# bench/fuzz.sh TARGET SECONDS — fuzzes one parser (fuzz/run.sh's targets: scrub range wordpress lexicon markdown
# sanitizer slug query multipart form template frontrule address, or "all" for each in turn) for SECONDS and prints one Markdown table row a target:
# executions, executions/s, coverage (libFuzzer's cov: edges and ft: features), corpus size, findings. A finding
# (crash-*, leak-*, timeout-*, oom-*) makes the exit code 1; it stays in fuzz/.work/TARGET/ to be turned into a
# regression test. Builds with swiftc -sanitize=fuzzer,address (fuzz/run.sh); only local files, no network.
# FUZZ_SEED=N fixes libFuzzer's seed (with SWIFT_DETERMINISTIC_HASHING=1, the same mutations on every run): CI's smoke
# run uses it, so that a red CI names a change, not a lucky draw; long runs for finding bugs leave it unset.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET=${1:?usage: bench/fuzz.sh TARGET|all SECONDS}
SECONDS_TO_RUN=${2:?usage: bench/fuzz.sh TARGET|all SECONDS}
ALL="scrub range wordpress lexicon markdown sanitizer slug query multipart form template frontrule address"
[ "$TARGET" = all ] && TARGETS=$ALL || TARGETS=$TARGET
echo "| target | seconds | executions | exec/s | cov | ft | corpus | findings |"
echo "|---|---|---|---|---|---|---|---|"
status=0
for target in $TARGETS; do
  log=$(mktemp /tmp/vestnik-fuzz-"$target".XXXXXX)
  before=$(ls "$ROOT/fuzz/.work/$target" 2>/dev/null | grep -cE '^(crash|leak|timeout|oom)-' || true)
  bash "$ROOT/fuzz/run.sh" "$target" "$SECONDS_TO_RUN" ${FUZZ_SEED:+-seed="$FUZZ_SEED"} >"$log" 2>&1 || true
  after=$(ls "$ROOT/fuzz/.work/$target" 2>/dev/null | grep -cE '^(crash|leak|timeout|oom)-' || true)
  runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo "?")
  rate=$(grep -oE 'stat::average_exec_per_sec: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo "?")
  last=$(grep -E '#[0-9]+.*cov: ' "$log" | tail -n 1 || true)   # none when the target did not build
  cov=$(echo "$last" | grep -oE 'cov: [0-9]+' | grep -oE '[0-9]+' || echo "?")
  ft=$(echo "$last" | grep -oE 'ft: [0-9]+' | grep -oE '[0-9]+' || echo "?")
  corpus=$(echo "$last" | grep -oE 'corp: [0-9]+' | grep -oE '[0-9]+' || echo "?")
  findings=$((after - before))
  echo "| $target | $SECONDS_TO_RUN | $runs | $rate | $cov | $ft | $corpus | $findings |"
  if [ "$findings" -gt 0 ] || ! grep -q 'stat::number_of_executed_units' "$log"; then
    status=1
    echo "  $target: see $log; its last lines:" >&2
    tail -n 30 "$log" >&2
  else
    rm -f "$log"
  fi
done
exit $status
