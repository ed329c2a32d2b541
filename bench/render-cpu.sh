#!/usr/bin/env bash
# bench/render-cpu.sh — the cold render's CPU per page of two builds, side by side: both serve copies of one demo
# site (with bench/article's 40-paragraph article imported) with the page cache off, and in alternating rounds wrk
# asks each for the home page, that article and a section's list; the server's own CPU time (utime+stime from /proc)
# divided by the requests it answered is the figure. Taking turns round by round puts both under the same load from
# the other engineers' work on this shared machine; the whole machine's busy share is written beside each round.
#
#   Usage:   bash bench/render-cpu.sh OLD_BINARY NEW_BINARY      (release builds)
#   Knobs:   ROUNDS=5 DURATION=5s CONNS=4 PAGES="home article list"
# Result: bench/results/render-cpu-<date>.md. Stops what it starts.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/bench/lib.sh"
OLD=${1:?usage: bash bench/render-cpu.sh OLD_BINARY NEW_BINARY}
NEW=${2:?usage: bash bench/render-cpu.sh OLD_BINARY NEW_BINARY}
ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-5s}
CONNS=${CONNS:-4}
PAGES=${PAGES:-home article list}
for b in "$OLD" "$NEW"; do [ -x "$b" ] || die "no binary at $b"; done
command -v wrk >/dev/null || die "wrk is needed"
bench_traps
T=$(mktemp -d /tmp/vestnik-render-cpu.XXXXXX)
mkdir -p "$RESULTS"
OUT=$RESULTS/render-cpu-$(date +%F-%H%M%S).md
HZ=$(getconf CLK_TCK)


log "seeding the demo site with $OLD and importing $(basename "$BENCH_ARTICLE")"
serve_cold seed "$OLD" "$T/seed.sqlite"
ARTICLE=$(import_article "$OLD" "$T/seed.sqlite" "$BENCH_ARTICLE" "$URL_seed")
LIST=${ARTICLE%/*}
stop_pid "$PID_seed" vestnik-seed
for side in old new; do
  for f in "$T"/seed.sqlite*; do cp "$f" "$T/$side.sqlite${f#"$T"/seed.sqlite}"; done
done
serve_cold old "$OLD" "$T/old.sqlite"
serve_cold new "$NEW" "$T/new.sqlite"
path() { case $1 in home) echo /;; article) echo "$ARTICLE";; list) echo "$LIST";; esac; }

{
  echo "# Cold render CPU per page, $(date '+%F %H:%M')"
  echo
  echo "old: \`$OLD\`; new: \`$NEW\`; article $ARTICLE, list $LIST; wrk -c$CONNS, $DURATION a run, $ROUNDS rounds."
  echo
  echo "| round | page | side | requests | CPU ms/request | machine busy |"
  echo "|---:|---|---|---:|---:|---:|"
} >"$OUT"
declare -A SUM_J SUM_R
for round in $(seq "$ROUNDS"); do
  for page in $PAGES; do
    for side in old new; do
      pid=PID_$side; pid=${!pid}; url=URL_$side; url=${!url}$(path "$page")
      wrk_run "$CONNS" 1s "$url" "$T/warm.txt"
      j0=$(tree_jiffies "$pid"); m0=$(machine_jiffies); t0=$(date +%s%N)
      wrk_run "$CONNS" "$DURATION" "$url" "$T/wrk.txt"
      j1=$(tree_jiffies "$pid"); m1=$(machine_jiffies); t1=$(date +%s%N)
      requests=$(awk '/requests in/ { print $1 }' "$T/wrk.txt")
      non2xx=$(awk '/Non-2xx/ { print $NF }' "$T/wrk.txt")
      [ -z "$non2xx" ] || die "$side $page: $non2xx answers were not 2xx"
      SUM_J[$page.$side]=$(( ${SUM_J[$page.$side]:-0} + j1 - j0 ))
      SUM_R[$page.$side]=$(( ${SUM_R[$page.$side]:-0} + requests ))
      busy=$(awk -v m="$((m1 - m0))" -v ns="$((t1 - t0))" -v hz="$HZ" -v n="$(nproc)" \
        'BEGIN { printf "%.0f %%", 100 * m / (ns / 1e9 * hz * n) }')
      awk -v r="$round" -v p="$page" -v s="$side" -v q="$requests" -v j="$((j1 - j0))" -v hz="$HZ" -v b="$busy" \
        'BEGIN { printf "| %d | %s | %s | %d | %.4f | %s |\n", r, p, s, q, 1000 * j / hz / q, b }' >>"$OUT"
    done
  done
done
{
  echo
  echo "| page | old CPU ms/request | new CPU ms/request | new ÷ old |"
  echo "|---|---:|---:|---:|"
  for page in $PAGES; do
    awk -v p="$page" -v jo="${SUM_J[$page.old]}" -v ro="${SUM_R[$page.old]}" -v jn="${SUM_J[$page.new]}" \
      -v rn="${SUM_R[$page.new]}" -v hz="$HZ" 'BEGIN { o = 1000 * jo / hz / ro; n = 1000 * jn / hz / rn
        printf "| %s | %.4f | %.4f | %.3f |\n", p, o, n, n / o }'
  done
} >>"$OUT"
cat "$OUT"
echo "written to $OUT"
OK=1
