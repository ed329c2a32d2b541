#!/usr/bin/env bash
# bench/reads.sh — what counting reads costs: the release binary serving the demo site from a fresh SQLite file,
# its article page measured alone, with one read beacon per page view, and beside a flood of beacons; then exactly
# 1,000,000 beacons, whose stored total must come out exact.
#
#   Usage (from anywhere; wrk must be installed, root may apt-get it):   bash bench/reads.sh
#   Knobs (environment):
#     DURATION=10s    length of each measured wrk run
#     ROUNDS=5        rounds; each round runs every mode once, in turn
#     CONNS=32        connections per wrk run (wrk -t1)
#     WARMUP=3s       warm-up of the page and the beacon before the first round
#     BEACONS=1000000 beacons of the exact-total run (0 skips it)
#     QUIET_WAIT=0    before each measured run, wait up to this many seconds for the machine to be idle
#                     (CPU use at most QUIET_MAX % of all CPUs); 0 = do not wait
#     QUIET_MAX=20
#     VESTNIK_BIN=... use this vestnik binary instead of building one
#     KEEP_TMP=1      keep the temporary folder (database, scripts, logs)
#
# Modes, each against the same article page (SQLite, de-duplication and rate limit off so that every beacon counts):
#   page       wrk GET the article page
#   mixed      wrk alternating GET page / POST beacon on every connection: one read per page view, as real readers
#              send them. Counting costs (1 - mixed pages/s ÷ page pages/s) of page throughput; on a shared machine
#              the server's CPU time per request (from /proc/PID/stat) says the same with far less noise.
#   beacon     wrk POST beacons only: the beacon's own ceiling
#   beside     page and beacon wrk runs at the same time (CONNS each): beacon throughput beside the page
# Everything it starts (vestnik, wrk) it stops by PID at exit, also on error or ^C. Only 127.0.0.1 is used.
# Result: bench/results/reads-<date>.md (plus the raw wrk output next to it).
set -euo pipefail

DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-5}
CONNS=${CONNS:-32}
WARMUP=${WARMUP:-3s}
BEACONS=${BEACONS:-1000000}
QUIET_WAIT=${QUIET_WAIT:-0}
QUIET_MAX=${QUIET_MAX:-20}
KEEP_TMP=${KEEP_TMP:-0}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RESULTS=$ROOT/bench/results
HOST=127.0.0.1
UA="Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"

. "$ROOT/bench/lib.sh"
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive number"
[[ "$CONNS" =~ ^[1-9][0-9]*$ ]] || die "CONNS must be a positive number"
[[ "$BEACONS" =~ ^[0-9]+$ ]] || die "BEACONS must be a number"
[[ "$QUIET_WAIT" =~ ^[0-9]+$ && "$QUIET_MAX" =~ ^[0-9]+$ ]] || die "QUIET_WAIT and QUIET_MAX must be numbers"

need_tools wrk=wrk
command -v curl >/dev/null || die "curl is needed"
command -v python3 >/dev/null || die "python3 is needed (to read the stored total)"

# ------------------------------------------------- cleanup (by PID only: bench/lib.sh)
VESTNIK_PID=""
WRK_PIDS=()
bench_traps

T=$(mktemp -d /tmp/vestnik-bench-reads.XXXXXX)
mkdir -p "$RESULTS"
STAMP=$(date +%Y-%m-%d-%H%M%S)
RAW=$RESULTS/reads-$STAMP
mkdir -p "$RAW"

# ------------------------------------------------------------ the binary
build_release
BUILT="$BUILT, commit $(tree_rev)"
[ -x "$BIN" ] || die "no binary at $BIN"

PORT=$(pick_port) || die "no free port"
DB=$T/reads.sqlite
log "vestnik on $HOST:$PORT, database $DB (de-duplication and rate limit off)"
VESTNIK_READ_DEDUP_MINUTES=0 VESTNIK_READ_RATE_LIMIT=0 LOG_LEVEL=warning \
  "$BIN" serve --database "$DB" --hostname $HOST --port "$PORT" >"$T/vestnik.log" 2>&1 &
VESTNIK_PID=$!
track "$VESTNIK_PID" vestnik
wait_http "http://$HOST:$PORT/" 120 "$VESTNIK_PID" vestnik "$T/vestnik.log"

BASE=http://$HOST:$PORT
PAGE=$(curl -fs "$BASE/" | grep -o 'href="/[a-z0-9-]*/[a-z0-9-]*"' | grep -v -E '"/(tag|avtor|tema|static)/' | head -n 1 | cut -d'"' -f2)
[ -n "$PAGE" ] || die "no article link on the home page"
ID=$(curl -fs "$BASE$PAGE" | grep -o 'data-beacon="/api/reads/[0-9]*"' | grep -o '[0-9]*' | head -n 1)
[ -n "$ID" ] || die "the article page $PAGE has no read beacon"
PAGE_BYTES=$(curl -fs "$BASE$PAGE" | wc -c)
log "article $PAGE (id $ID, $PAGE_BYTES bytes)"

stored() {   # the stored total of the article, and the sum of its hourly buckets
  python3 - "$DB" "$ID" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True, timeout=30)
total = db.execute("SELECT reads FROM articles WHERE id = ?", (int(sys.argv[2]),)).fetchone()[0]
hourly = db.execute("SELECT COALESCE(SUM(count), 0) FROM article_reads_hourly WHERE article_id = ?", (int(sys.argv[2]),)).fetchone()[0]
print(total, hourly)
EOF
}

# ------------------------------------------------------------ wrk scripts
cat >"$T/beacon.lua" <<EOF
wrk.method = "POST"
wrk.path = "/api/reads/$ID"
wrk.headers["User-Agent"] = "$UA"
wrk.headers["Content-Length"] = "0"
EOF
cat >"$T/page.lua" <<EOF
wrk.headers["User-Agent"] = "$UA"
EOF
cat >"$T/mixed.lua" <<EOF
-- One read beacon per page view: requests alternate page, beacon, page, beacon, ...
local page, beacon
local n = 0
function init(args)
  page = wrk.format("GET", "$PAGE", { ["User-Agent"] = "$UA" })
  beacon = wrk.format("POST", "/api/reads/$ID", { ["User-Agent"] = "$UA", ["Content-Length"] = "0" })
end
function request()
  n = n + 1
  if n % 2 == 1 then return page else return beacon end
end
EOF
cat >"$T/exact.lua" <<EOF
-- Exactly $BEACONS beacons, then a harmless static file for the connections still open; the thread stops once
-- every beacon is answered. wrk 4.1 calls request() once before sending anything, to check the script
-- (script_verify_request): that call sends nothing, hence issued starts at -1.
quota = $BEACONS
issued = -1
answered = 0
local threads = {}
local beacon, filler
function setup(thread) table.insert(threads, thread) end
function init(args)
  beacon = wrk.format("POST", "/api/reads/$ID", { ["User-Agent"] = "$UA", ["Content-Length"] = "0" })
  filler = wrk.format("GET", "/static/reads.js")
end
function request()
  if issued < quota then
    issued = issued + 1
    return beacon
  end
  return filler
end
function response(status, headers, body)
  if status == 204 then
    answered = answered + 1
    if answered == quota then wrk.thread:stop() end
  end
end
function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    io.write(string.format("beacons sent %d, answered 204: %d\n", thread:get("issued"), thread:get("answered")))
  end
end
EOF

# ---------------------------------------------------------------- helpers
rps() { awk '/^Requests\/sec:/ {print $2}' "$1"; }
p99() {   # in milliseconds, whatever unit wrk chose
  awk '$1 == "99%" {v = $2; u = v; sub(/^[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
    printf "%.2f\n", v * (u == "us" ? 0.001 : u == "s" ? 1000 : u == "m" ? 60000 : 1)}' "$1"
}
errors() { awk '/Non-2xx|Socket errors/ {printf "%s ", $0}' "$1"; }

run_wrk() {   # $1 output file, rest: wrk arguments
  local out=$1; shift
  wrk "$@" >"$out" 2>&1 &
  WRK_PIDS+=($!)
  track $! wrk
}
wait_wrk() { local pid; for pid in "${WRK_PIDS[@]}"; do wait "$pid" || die "wrk failed"; untrack "$pid"; done; WRK_PIDS=(); }

WRK=(-t1 -c"$CONNS" -d"$DURATION" --latency)

log "warm-up $WARMUP"
wrk -t1 -c"$CONNS" -d"$WARMUP" -s "$T/page.lua" "$BASE$PAGE" >/dev/null
wrk -t1 -c"$CONNS" -d"$WARMUP" -s "$T/beacon.lua" "$BASE/api/reads/$ID" >/dev/null

TSV=$RAW/runs.tsv
TICK=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$VESTNIK_PID/stat"; }   # the server's CPU time so far (user + system)
requests() { awk '/ requests in / {print $1}' "$1"; }
cpu_us() {   # $1 ticks before, $2 ticks after, $3 requests: the server's CPU microseconds per request
  awk -v a="$1" -v b="$2" -v n="$3" -v t="$TICK" 'BEGIN {if (n > 0) printf "%.1f", (b - a) * 1000000 / t / n}'
}
printf 'round\tmode\tpage_rps\tbeacon_rps\tpage_p99\tbeacon_p99\terrors\tcpu_us_per_request\n' >"$TSV"
for round in $(seq 1 "$ROUNDS"); do
  log "round $round/$ROUNDS: page alone"
  wait_quiet; before=$(ticks)
  run_wrk "$RAW/r$round-page.txt" "${WRK[@]}" -s "$T/page.lua" "$BASE$PAGE"; wait_wrk
  f=$RAW/r$round-page.txt
  printf '%s\tpage\t%s\t\t%s\t\t%s\t%s\n' "$round" "$(rps "$f")" "$(p99 "$f")" "$(errors "$f")" "$(cpu_us "$before" "$(ticks)" "$(requests "$f")")" >>"$TSV"

  log "round $round/$ROUNDS: one beacon per page view"
  wait_quiet; before=$(ticks)
  run_wrk "$RAW/r$round-mixed.txt" "${WRK[@]}" -s "$T/mixed.lua" "$BASE$PAGE"; wait_wrk
  f=$RAW/r$round-mixed.txt
  half=$(awk -v r="$(rps "$f")" 'BEGIN {printf "%.2f", r / 2}')
  # CPU per page view: a page and its beacon.
  printf '%s\tmixed\t%s\t%s\t%s\t\t%s\t%s\n' "$round" "$half" "$half" "$(p99 "$f")" "$(errors "$f")" \
    "$(cpu_us "$before" "$(ticks)" "$(( $(requests "$f") / 2 ))")" >>"$TSV"

  log "round $round/$ROUNDS: beacons alone"
  wait_quiet; before=$(ticks)
  run_wrk "$RAW/r$round-beacon.txt" "${WRK[@]}" -s "$T/beacon.lua" "$BASE/api/reads/$ID"; wait_wrk
  f=$RAW/r$round-beacon.txt
  printf '%s\tbeacon\t\t%s\t\t%s\t%s\t%s\n' "$round" "$(rps "$f")" "$(p99 "$f")" "$(errors "$f")" "$(cpu_us "$before" "$(ticks)" "$(requests "$f")")" >>"$TSV"

  log "round $round/$ROUNDS: page beside a beacon flood"
  wait_quiet
  run_wrk "$RAW/r$round-beside-page.txt" "${WRK[@]}" -s "$T/page.lua" "$BASE$PAGE"
  run_wrk "$RAW/r$round-beside-beacon.txt" "${WRK[@]}" -s "$T/beacon.lua" "$BASE/api/reads/$ID"
  wait_wrk
  printf '%s\tbeside\t%s\t%s\t%s\t%s\t%s\t\n' "$round" "$(rps "$RAW/r$round-beside-page.txt")" "$(rps "$RAW/r$round-beside-beacon.txt")" \
    "$(p99 "$RAW/r$round-beside-page.txt")" "$(p99 "$RAW/r$round-beside-beacon.txt")" \
    "$(errors "$RAW/r$round-beside-page.txt")$(errors "$RAW/r$round-beside-beacon.txt")" >>"$TSV"
done

# ------------------------------------------------------ exact 1,000,000
EXACT=""
if [ "$BEACONS" -gt 0 ]; then
  sleep 2   # the last flush of the rounds
  read -r BEFORE BEFORE_HOURLY < <(stored)
  log "exactly $BEACONS beacons (stored before: $BEFORE)"
  wait_quiet
  START=$(date +%s.%N)
  # wrk runs until told to stop: the stored total is watched, and wrk gets ^C once it has grown by BEACONS (or has
  # not grown for 15 s, which would be a failure the report shows).
  run_wrk "$RAW/exact.txt" -t1 -c"$CONNS" -d3600s -s "$T/exact.lua" "$BASE/api/reads/$ID"
  last=$BEFORE; still=0
  while kill -0 "${WRK_PIDS[0]}" 2>/dev/null; do
    sleep 1
    read -r now _ < <(stored)
    [ $((now - BEFORE)) -ge "$BEACONS" ] && break
    if [ "$now" = "$last" ]; then still=$((still + 1)); else still=0; last=$now; fi
    [ "$still" -ge 15 ] && { echo "bench: the total stopped growing at $((now - BEFORE))" >&2; break; }
  done
  END=$(date +%s.%N)
  kill -INT "${WRK_PIDS[0]}" 2>/dev/null || true
  wait_wrk
  cat "$RAW/exact.txt" >&2
  sleep 2   # one flush interval and then some
  read -r AFTER AFTER_HOURLY < <(stored)
  log "graceful stop, then the total once more"
  stop_pid "$VESTNIK_PID" vestnik; VESTNIK_PID=""
  read -r STOPPED STOPPED_HOURLY < <(stored)
  ANSWERED=$(awk '/answered 204:/ {print $NF}' "$RAW/exact.txt")
  SENT=$(awk '/answered 204:/ {sub(",", "", $3); print $3}' "$RAW/exact.txt")
  SECS=$(awk -v a="$START" -v b="$END" 'BEGIN {printf "%.1f", b - a}')
  DELTA=$((AFTER - BEFORE))
  VERDICT=$([ "$SENT" = "$BEACONS" ] && [ "$ANSWERED" = "$BEACONS" ] && [ "$DELTA" = "$BEACONS" ] && [ "$((AFTER_HOURLY - BEFORE_HOURLY))" = "$BEACONS" ] && [ "$STOPPED" = "$AFTER" ] && echo exact || echo "NOT EXACT")
  EXACT="| $SENT | $ANSWERED | $DELTA | $((AFTER_HOURLY - BEFORE_HOURLY)) | $((STOPPED - BEFORE)) | ${SECS} s | $VERDICT |"
fi

# ----------------------------------------------------------------- report
REPORT=$RESULTS/reads-$STAMP.md
median() { sort -g | awk '{a[NR] = $1} END {if (NR == 0) print ""; else if (NR % 2) print a[(NR + 1) / 2]; else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
col() { awk -F'\t' -v m="$1" -v c="$2" 'NR > 1 && $2 == m && $c != "" {print $c}' "$TSV" | median; }
PAGE_ALONE=$(col page 3)
PAGE_MIXED=$(col mixed 3)
# The cost in each round (page alone against one beacon per page view, measured back to back), and their median:
# pairing the runs of a round keeps a busy neighbour from reading as a cost.
COSTS=$(awk -F'\t' 'NR > 1 && $2 == "page" {p[$1] = $3} NR > 1 && $2 == "mixed" {m[$1] = $3}
  END {for (r in p) if (r in m) printf "%.1f\n", 100 * (1 - m[r] / p[r])}' "$TSV" | sort -g)
COST=$(echo "$COSTS" | median)
COST_LIST=$(echo "$COSTS" | paste -sd' ' | sed 's/ /, /g')
CPU_COST=$(awk -v b="$(col beacon 8)" -v p="$(col page 8)" 'BEGIN {if (p > 0) printf "%.1f", 100 * b / p}')
{
  echo "# Reads benchmark, $(date '+%Y-%m-%d %H:%M')"
  echo
  echo "vestnik $BUILT; $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')); $(wrk --version 2>&1 | head -n 1 | cut -d' ' -f1-2)."
  echo "Article page $PAGE ($PAGE_BYTES bytes), SQLite, de-duplication and rate limit off; wrk -t1 -c$CONNS -d$DURATION, $ROUNDS rounds, medians."
  echo
  echo "| mode | page req/s | beacon req/s | page p99 (ms) | beacon p99 (ms) |"
  echo "|---|---|---|---|---|"
  echo "| page alone | $PAGE_ALONE | | $(col page 5) | |"
  echo "| one beacon per page view | $PAGE_MIXED | $(col mixed 4) | $(col mixed 5) (both) | |"
  echo "| beacons alone | | $(col beacon 4) | | $(col beacon 6) |"
  echo "| page beside a beacon flood | $(col beside 3) | $(col beside 4) | $(col beside 5) | $(col beside 6) |"
  echo
  echo "Server CPU per request (user + system, from /proc): a page **$(col page 8) µs**, a beacon **$(col beacon 8) µs**, a page"
  echo "view with its beacon $(col mixed 8) µs. So counting one read per page view costs **$CPU_COST %** of the page's CPU, which"
  echo "bounds what it can take from page throughput on a busy server. Measured as throughput instead (each round's page"
  echo "alone against one beacon per page view, back to back; median of the rounds): $COST % (rounds, sorted: $COST_LIST %)."
  if [ -n "$EXACT" ]; then
    echo
    echo "| beacons sent | answered 204 | stored total grew by | hourly buckets grew by | after a graceful stop | until stored | |"
    echo "|---|---|---|---|---|---|---|"
    echo "$EXACT"
  fi
  echo
  echo "Every run: \`$RAW/\` (runs.tsv and the wrk output)."
} >"$REPORT"
cat "$REPORT"
OK=1
