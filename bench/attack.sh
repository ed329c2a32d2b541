#!/usr/bin/env bash
# bench/attack.sh — issue 27's attacks at once against one release node, and what a cached page's latency does
# meanwhile; then the read counter's inflation bound from one address and from twenty.
#
#   Usage (from anywhere; wrk must be installed, root may apt-get it):   bash bench/attack.sh
#   Knobs (environment):
#     DURATION=20s    length of each wrk run (baseline, and during the attacks)
#     CONNS=8         wrk connections against the cached page
#     READS=1         0 skips the read-inflation part (70 s)
#     ATTACKS=1,2,3,4,5  which of the attacks below run (e.g. 3,5 to see those alone)
#     VESTNIK_BIN=... use this vestnik binary instead of building one
#     KEEP_TMP=1      keep the temporary folder (database, logs)
#
# What runs, all on 127.0.0.1 (the twenty addresses are 127.0.0.2–21: loopback only), everything bounded in time:
#   baseline   wrk GET one cached article page: p50 / p99
#   attacks    for DURATION + 10 s, at once (bench/attack.py): (1) an author's published body of one word repeated
#              200,000 times, searched for anonymously in two loops (page and API); (2) a contributor's draft of
#              "kq " × 300,000 and an anonymous query of kq × 166 in a loop; (3) 40 anonymous 10 MB multipart POSTs
#              to /newsroom/media that stall; (4) a signed-in contributor's 1 MB preview in two loops; (5) a flood of
#              slash variants of the article's path (//a/x, /a//x, /a/x/ …)
#   during     the same wrk run while the attacks go on; the node's RSS is sampled every second
#   reads      beacons as fast as answered, a new user agent each, from one address for 60 s and from twenty
#              addresses of one /24 for 10 s: how many counted; and 30 readers behind one address (an office NAT)
# Everything it starts it stops by PID at exit, also on error or ^C.
# Result: bench/results/attack-<date>.md (and the raw outputs next to it).
set -euo pipefail

DURATION=${DURATION:-20s}
CONNS=${CONNS:-8}
READS=${READS:-1}
ATTACKS=${ATTACKS:-1,2,3,4,5}
KEEP_TMP=${KEEP_TMP:-0}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RESULTS=$ROOT/bench/results
HOST=127.0.0.1
PASSWORD="атака-на-вестник-2026"

. "$ROOT/bench/lib.sh"
[[ "$CONNS" =~ ^[1-9][0-9]*$ ]] || die "CONNS must be a positive number"
need_tools wrk=wrk
command -v curl >/dev/null || die "curl is needed"
command -v python3 >/dev/null || die "python3 is needed (bench/attack.py)"

VESTNIK_PID=""
ATTACK_PID=""
bench_traps

T=$(mktemp -d /tmp/vestnik-bench-attack.XXXXXX)
mkdir -p "$RESULTS"
STAMP=$(date +%Y-%m-%d-%H%M%S)
RAW=$RESULTS/attack-$STAMP
mkdir -p "$RAW"

build_release
BUILT="$BUILT, commit $(tree_rev)"

PORT=$(pick_port) || die "no free port"
DB=$T/attack.sqlite
log "vestnik on $HOST:$PORT, database $DB, default settings"
LOG_LEVEL=warning "$BIN" serve --database "$DB" --hostname $HOST --port "$PORT" >"$T/vestnik.log" 2>&1 &
VESTNIK_PID=$!
track "$VESTNIK_PID" vestnik
BASE=http://$HOST:$PORT
wait_http "$BASE/" 120 "$VESTNIK_PID" vestnik "$T/vestnik.log"

for role in author contributor; do
  printf '%s\n' "$PASSWORD" | "$BIN" user create --database "$DB" --email "$role@attack.example" --name "Атакуващ $role" \
    --role "$role" --password-stdin >/dev/null || die "cannot create the $role"
done
sleep 2   # the node notices another process's write and drops its pages

LINKS=$(curl -fs "$BASE/" | grep -o 'href="/[a-z0-9-]*/[a-z0-9-]*"' | grep -v -E '"/(tag|avtor|tema|static)/' | cut -d'"' -f2 | awk '!seen[$0]++')
PAGE=$(echo "$LINKS" | head -n 1)
[ -n "$PAGE" ] || die "no article link on the home page"
IDS=$(for p in $(echo "$LINKS" | sed -n '2,4p'); do curl -fs "$BASE$p" | grep -o 'data-beacon="/api/reads/[0-9]*"' | grep -o '[0-9]*' | head -n 1; done | paste -sd,)
log "cached page $PAGE; read-inflation articles $IDS"

rss_mb() { awk '/^VmRSS/ { printf "%.0f\n", $2 / 1024 }' "/proc/$VESTNIK_PID/status"; }
latency() {   # wrk output -> "p50 p99" in ms
  awk '/^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 } END { print p50, p99 }' "$1" | while read -r a b; do echo "$(to_ms "$a") $(to_ms "$b")"; done
}
requests() { awk '/^ +[0-9]+ requests in/ { print $1 }' "$1"; }
non2xx() { awk '/Non-2xx or 3xx responses/ { print $NF }' "$1"; }

curl -fs -o /dev/null "$BASE$PAGE"; curl -fs -o /dev/null "$BASE$PAGE"
log "baseline: wrk -c$CONNS -d$DURATION $PAGE"
RSS_START=$(rss_mb)
wrk_run "$CONNS" "$DURATION" "$BASE$PAGE" "$RAW/wrk-baseline.txt"
read -r BASE_P50 BASE_P99 < <(latency "$RAW/wrk-baseline.txt")

log "hostile content: an author's published body, a contributor's draft"
python3 "$ROOT/bench/attack.py" setup "$BASE" author@attack.example contributor@attack.example "$PASSWORD" "$T/state.json" \
  2>"$RAW/setup.txt" || { cat "$RAW/setup.txt" >&2; die "setup failed"; }
cat "$RAW/setup.txt" >&2
curl -fs -o /dev/null "$BASE$PAGE"

ATTACK_SECS=$(( $(secs "$DURATION") + 10 ))
log "attacks for $ATTACK_SECS s, wrk during them"
RSS_BEFORE=$(rss_mb)
python3 "$ROOT/bench/attack.py" attack "$BASE" "$T/state.json" "$PAGE" "$ATTACK_SECS" "$RAW/attacks.json" "$ATTACKS" >"$RAW/attack-out.txt" 2>&1 &
ATTACK_PID=$!
track "$ATTACK_PID" attack.py
RSS_MAX=$RSS_BEFORE
( while kill -0 "$ATTACK_PID" 2>/dev/null; do rss_mb; sleep 1; done ) >"$RAW/rss.txt" 2>/dev/null &
SAMPLER=$!
sleep 5
wrk_run "$CONNS" "$DURATION" "$BASE$PAGE" "$RAW/wrk-during.txt"
read -r DURING_P50 DURING_P99 < <(latency "$RAW/wrk-during.txt")
wait "$ATTACK_PID" || { cat "$RAW/attack-out.txt" >&2; die "attack.py failed"; }
untrack "$ATTACK_PID"
wait "$SAMPLER" 2>/dev/null || true
RSS_MAX=$(sort -n "$RAW/rss.txt" | tail -1)
sleep 2
RSS_AFTER=$(rss_mb)
kill -0 "$VESTNIK_PID" 2>/dev/null || die "the node died during the attacks (see $T/vestnik.log)"
# Work the attacks started may go on after their clients gave up: wait (2 min at most) until the cached page
# answers within a second again, and say how long that took.
RECOVERY=$SECONDS
until [ "$(curl -s --max-time 1 -o /dev/null -w '%{http_code}' "$BASE$PAGE" || true)" = 200 ]; do
  [ $((SECONDS - RECOVERY)) -lt 120 ] || break
  sleep 1
done
RECOVERY=$((SECONDS - RECOVERY))
CACHE_AFTER=$(curl -s --max-time 30 -o /dev/null -w '%{http_code}' "$BASE$PAGE" || true)

if [ "$READS" = 1 ]; then
  log "read inflation: one address for 60 s, twenty addresses for 10 s, an office of 30 behind one address"
  python3 "$ROOT/bench/attack.py" reads "$BASE" "$IDS" "$RAW/reads.json" 2>"$RAW/reads-err.txt" || { cat "$RAW/reads-err.txt" >&2; die "reads failed"; }
fi

OUT=$RESULTS/attack-$STAMP.md
{
  echo "# bench/attack.sh, $STAMP"
  echo
  echo "Binary: $BUILT. Machine: $(nproc) CPUs, shared (load average $(cut -d' ' -f1-3 /proc/loadavg) at the end)."
  echo "Cached page $PAGE, wrk -c$CONNS -d$DURATION; attacks $ATTACKS (numbered as issue 27's findings)."
  echo
  echo "| | p50 ms | p99 ms | requests | non-2xx |"
  echo "|---|---:|---:|---:|---:|"
  echo "| baseline | $BASE_P50 | $BASE_P99 | $(requests "$RAW/wrk-baseline.txt") | $(non2xx "$RAW/wrk-baseline.txt") |"
  echo "| during the attacks | $DURING_P50 | $DURING_P99 | $(requests "$RAW/wrk-during.txt") | $(non2xx "$RAW/wrk-during.txt") |"
  echo
  echo "Node RSS: ${RSS_START} MB at start, ${RSS_BEFORE} MB before the attacks, at most ${RSS_MAX} MB during them, ${RSS_AFTER} MB 2 s after;"
  echo "After them the cached page answered within 1 s again after ${RECOVERY} s (then: HTTP $CACHE_AFTER)."
  echo
  echo "What the attacks got (count of answers, median / max seconds):"
  echo
  echo '```'
  cat "$RAW/attacks.json"
  echo '```'
  if [ "$READS" = 1 ]; then
    echo
    echo "Read inflation (counted = the article's total after minus before):"
    echo
    echo '```'
    cat "$RAW/reads.json"
    echo '```'
  fi
} >"$OUT"
cat "$OUT"
OK=1
