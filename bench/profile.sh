#!/usr/bin/env bash
# bench/profile.sh — where a page's CPU goes: the release binary serves the demo site while wrk asks for one page,
# `perf record -e cpu-clock` samples the server, and the report lists the top functions (self and with callees),
# demangled by bench/perf-report.py, with the server's CPU time per request from /proc.
#
#   Usage:   bash bench/profile.sh [PAGE] [SECONDS]     PAGE: article (default), home, or a path such as /svyat;
#            `big`: bench/article/plovdiv-plan-gradski-transport-2030.md (the shape of WordPress's 40-paragraph
#            article, as bench/pages.sh measures), imported into the demo site first
#   Knobs:   VESTNIK_BIN=…   the binary (default .build-release/release/vestnik; build it first)
#            SERVE_ARGS=…    more `vestnik serve` options (e.g. "--page-cache-mb 0")
#            CONNS=4         wrk connections (-t1)
#            TOP=45          functions listed (self; twice as many inclusive)
#
# Why not callgrind: valgrind 3.19 (Debian 12) dies with an internal SIGSEGV on Swift 6.3 binaries before main, even
# with --tool=none, and this VM exposes no hardware counters (`perf stat -e instructions` is "not supported"), so
# instruction counts are out of reach; cpu-clock samples are proportions of the server's own CPU time, which other
# processes on the machine do not distort. Output: bench/results/profile-<page>-<date>.txt. Stops what it starts.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/bench/lib.sh"
PAGE=${1:-article}
SECS=${2:-15}
CONNS=${CONNS:-4}
BIN=${VESTNIK_BIN:-$ROOT/.build-release/release/vestnik}
[ -x "$BIN" ] || die "no binary at $BIN (swift build -c release --product vestnik --scratch-path .build-release)"
command -v perf >/dev/null || die "perf is needed (apt-get install linux-perf)"
read -r -a EXTRA <<<"${SERVE_ARGS:-}"
bench_traps
T=$(mktemp -d /tmp/vestnik-profile.XXXXXX)
mkdir -p "$RESULTS"
OUT=$RESULTS/profile-${PAGE//\//_}-$(date +%F-%H%M%S).txt

PORT=$(pick_port) || die "no free port"
URL=http://$HOST:$PORT
"$BIN" serve --database "$T/p.sqlite" --hostname "$HOST" --port "$PORT" "${EXTRA[@]}" </dev/null >"$T/vestnik.log" 2>&1 &
PID=$!; track "$PID" vestnik
wait_http "$URL/" 120 "$PID" vestnik "$T/vestnik.log"
case "$PAGE" in
  big) P=$(import_article "$BIN" "$T/p.sqlite" "$BENCH_ARTICLE" "$URL") ;;
  article) P=$(curl -fsS "$URL/" | grep -oE 'href="/[^"/?#]+/[^"/?#]+"' | sed -E 's/^href="(.*)"$/\1/' |
               grep -vE '^/(static|tema|tag|avtor)/' | head -1) ;;
  home) P=/ ;;
  *) P=$PAGE ;;
esac
wrk_run 4 3s "$URL$P" "$T/warm.txt"
j0=$(tree_jiffies "$PID")
perf record -q -e cpu-clock -F 1999 -g -p "$PID" -o "$T/perf.data" -- sleep "$SECS" 2>"$T/perf.log" &
PERF_PID=$!; track "$PERF_PID" perf
sleep 0.5
wrk_run "$CONNS" "$((SECS - 1))s" "$URL$P" "$T/wrk.txt"
wait "$PERF_PID" || true; untrack "$PERF_PID"
j1=$(tree_jiffies "$PID")
REQS=$(awk '/requests in/ { print $1 }' "$T/wrk.txt")
{
  echo "page $P: $REQS requests in $((SECS - 1)) s (wrk -c$CONNS), server CPU $(awk -v a="$j0" -v b="$j1" -v hz="$HZ" -v q="$REQS" 'BEGIN { printf "%.3f", 1000 * (b - a) / hz / q }') ms per request"
  echo "binary: $BIN ${EXTRA[*]:-}"
  echo
  python3 "$ROOT/bench/perf-report.py" "$T/perf.data" "$BIN" "${TOP:-45}"
} >"$OUT"
cat "$OUT"
echo "bench: wrote $OUT" >&2
OK=1
