#!/usr/bin/env bash
# Search benchmark: quality over the demo site (judged queries) and latency over a generated corpus, on SQLite and,
# when VESTNIK_BENCH_POSTGRES_URL is set, on PostgreSQL. Release build; numbers go to bench/results/.
#
#   bash bench/search/run.sh                      # 100,000 articles, 2,000 queries
#   ARTICLES=10000 QUERIES=500 bash bench/search/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
ARTICLES=${ARTICLES:-100000}
QUERIES=${QUERIES:-2000}
CORPUS=${CORPUS:-/tmp/vestnik-search-bench-$ARTICLES.sqlite}
mkdir -p bench/results
OUT=bench/results/search-$(date +%Y%m%d-%H%M%S).md

swift build -c release --scratch-path .build-release --product vestnik >/dev/null
swift build -c release --scratch-path .build-release --product VestnikBench >/dev/null
BIN=.build-release/release

{
  echo "# Search benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, commit $(git rev-parse --short HEAD)"
  echo
  echo "## Quality (demo site, bench/search/judgments.json)"
  echo '```'
} >"$OUT"
python3 bench/search/quality.py --binary "$BIN/vestnik" | tail -n 1 | tee -a "$OUT"
{ echo '```'; echo; echo "## Latency (in-process SearchRepository, first page of 10, generated corpus)"; echo '```'; } >>"$OUT"
"$BIN/VestnikBench" search --database "$CORPUS" --articles "$ARTICLES" --queries "$QUERIES" | tee -a "$OUT"
if [ -n "${VESTNIK_BENCH_POSTGRES_URL:-}" ]; then
  "$BIN/VestnikBench" search --database "$VESTNIK_BENCH_POSTGRES_URL" --articles "$ARTICLES" --queries "$QUERIES" | tee -a "$OUT"
fi
echo '```' >>"$OUT"
echo "written to $OUT"
