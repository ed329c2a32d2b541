#!/usr/bin/env bash
# Hostile-text benchmark (issue 27, findings 1, 2 and 4): what one request's outside text can cost: a search snippet
# of a body that is one word repeated, a query of one word repeated, the analyser, sanitizer and revision diff over
# 1 MB bodies, and searches over a database holding a 1 MB draft. In-process, release build; the numbers are appended
# to bench/results/hostile-text.txt (git-ignored).
#
#   bash bench/hostile-text.sh                     # SQLite
#   VESTNIK_BENCH_POSTGRES_URL=postgres://vestnik@127.0.0.1:55432/hostilebench bash bench/hostile-text.sh
#   RUNS=5 bash bench/hostile-text.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
mkdir -p bench/results
OUT=bench/results/hostile-text.txt
swift build -c release --scratch-path .build-release --product VestnikBench >/dev/null
BIN=.build-release/release/VestnikBench
echo "# commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- Sources bench || echo ' + uncommitted changes')" >>"$OUT"
"$BIN" hostile --runs "$RUNS" --database "${TMPDIR:-/tmp}/vestnik-hostile-bench-$$.sqlite" --output "$OUT"
rm -f "${TMPDIR:-/tmp}/vestnik-hostile-bench-$$.sqlite"*
if [ -n "${VESTNIK_BENCH_POSTGRES_URL:-}" ]; then
  "$BIN" hostile --runs "$RUNS" --database "$VESTNIK_BENCH_POSTGRES_URL" --output "$OUT"
fi
