#!/usr/bin/env bash
# bench/soak.sh — issue 19's soak: a release server under a daily's mixed traffic for SECONDS (1800: 30 minutes)
#
#   readers    bench/soak.lua at CONNS (256) connections, wrk -t2: article pages (Zipf by age), home, section fronts,
#              searches, feeds and read beacons (POST /api/reads/ID), in back-to-back one-minute wrk runs: one p99 a
#              minute
#   newsroom   bench/soak_writer.py beside them: a save through the admin API every SAVE_EVERY (2) s and a new article
#              published every PUBLISH_EVERY (10) s, as a chief's token
#   sampler    every 10 s the server's RSS (VmRSS) and open file descriptors (/proc/PID/fd)
#
# It reports errors (wrk's socket errors, non-2xx/3xx responses and the writer's failed calls: 0 is the goal), RSS and
# fds at start / end / max, and p99 and req/s per minute. The site is a copy of bench/generate.py's MIXED_ARTICLES
# (10,000) site (made once into SCALE_DIR, as bench/mixed.sh does); read beacons count every read
# (`--read-dedup-minutes 0 --read-rate-limit 0`: one address sends them all).
#
#   Usage (root, Debian 12):   bash bench/soak.sh                  (VESTNIK_BIN=… to measure a given binary)
#   Knobs: SECONDS=1800 CONNS=256 TIMEOUT=30s (wrk's: a later response counts as an error) SAVE_EVERY=2 PUBLISH_EVERY=10 MIXED_ARTICLES=10000 SCALE_DIR=/tmp/vestnik-pages-scale
#
# Bounded: every wrk run and the writer stop by themselves; the server, wrk, the writer and the sampler are stopped
# by PID at exit, also on error or ^C. Only 127.0.0.1. Result: bench/results/soak-<date>.md, raw output beside it.
set -euo pipefail

# SECONDS from the environment (bash counts on from it, so it is read once, here); 1800 when not given.
DURATION_S=$(printenv SECONDS || echo 1800)
[ "$DURATION_S" -ge 30 ] 2>/dev/null || die_early=1
[ -z "${die_early:-}" ] || { echo "bench: SECONDS must be a whole number of at least 30" >&2; exit 1; }
CONNS=${CONNS:-256}
TIMEOUT=${TIMEOUT:-30s}
SAVE_EVERY=${SAVE_EVERY:-2}
PUBLISH_EVERY=${PUBLISH_EVERY:-10}
MIXED_ARTICLES=${MIXED_ARTICLES:-10000}
SCALE_DIR=${SCALE_DIR:-/tmp/vestnik-pages-scale}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/bench/lib.sh"
[ "$(id -u)" = 0 ] || die "run as root (it may apt-get install wrk)"
need_tools wrk=wrk python3=python3 curl=curl
T=$(mktemp -d /tmp/vestnik-soak.XXXXXX)
mkdir -p "$T/wrk"
bench_traps

cd "$ROOT"
build_release
REV=$(tree_rev)

# The site: generated once (kept in SCALE_DIR, shared with bench/mixed.sh and bench/pages.sh), copied for this run.
SRC=$(generated "$MIXED_ARTICLES")
DB=$T/site.sqlite
sqlite3 "$SRC" ".backup '$DB'" 2>/dev/null || python3 -c "import sqlite3,sys; s=sqlite3.connect(sys.argv[1]); d=sqlite3.connect(sys.argv[2]); s.backup(d)" "$SRC" "$DB"
"$BIN" migrate --database "$DB" >"$T/migrate.log" 2>&1 || { cat "$T/migrate.log" >&2; die "migrate failed"; }

PORT=$(pick_port) || die "no free port"
URL=http://$HOST:$PORT
"$BIN" serve --database "$DB" --media-dir "$T/media" --no-demo --hostname "$HOST" --port "$PORT" \
  --read-dedup-minutes 0 --read-rate-limit 0 </dev/null >"$T/vestnik.log" 2>&1 &
SERVER=$!
track "$SERVER" vestnik
wait_http "$URL/" 300 "$SERVER" vestnik "$T/vestnik.log"
curl -s -o /dev/null "$URL/rubrika-1/statia-1"   # the first page made, so that "start" is a serving process

sample() {   # one line: seconds since start, RSS in kB, open fds
  printf '%s\t%s\t%s\n' "$1" "$(awk '/^VmRSS/ { print $2 }' "/proc/$SERVER/status")" "$(ls "/proc/$SERVER/fd" | wc -l)"
}
printf 't_s\trss_kb\tfds\n' >"$T/samples.tsv"
sample 0 >>"$T/samples.tsv"
(
  t=0
  while [ "$t" -lt "$((DURATION_S + 20))" ] && kill -0 "$SERVER" 2>/dev/null; do
    sleep 10; t=$((t + 10))
    sample "$t" >>"$T/samples.tsv" 2>/dev/null || break
  done
) &
SAMPLER=$!
track "$SAMPLER" sampler

timeout -k 5 "$((DURATION_S + 180))" python3 "$ROOT/bench/soak_writer.py" --url "$URL" --database "$DB" --binary "$BIN" \
  --seconds "$DURATION_S" --save-every "$SAVE_EVERY" --publish-every "$PUBLISH_EVERY" >"$T/writer.json" 2>"$T/writer.log" &
WRITER=$!
track "$WRITER" writer

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
log "soak: $DURATION_S s, wrk -t2 -c$CONNS in one-minute runs on $URL (server pid $SERVER), newsroom writer pid $WRITER"
export ARTICLES=$MIXED_ARTICLES
printf 'minute\treq_s\tp50_ms\tp99_ms\trequests\tsocket_errors\ttimeouts\tnon_2xx_3xx\t4xx\t5xx\tload1\n' >"$T/minutes.tsv"
minute=0
started=$(date +%s)
while [ "$(( $(date +%s) - started ))" -lt "$DURATION_S" ]; do
  minute=$((minute + 1))
  left=$((DURATION_S - ($(date +%s) - started)))
  d=$(( left < 60 ? left : 60 ))
  [ "$d" -ge 5 ] || break
  f=$T/wrk/minute-$minute.txt
  wrk_run "$CONNS" "${d}s" "$URL/" "$f" -s "$ROOT/bench/soak.lua" --timeout "$TIMEOUT"
  sock=$(awk '/Socket errors/ { gsub(",", ""); print $4 + $6 + $8 }' "$f"); sock=${sock:-0}
  tmo=$(awk '/Socket errors/ { print $10 }' "$f"); tmo=${tmo:-0}
  non=$(awk '/Non-2xx or 3xx/ { print $NF }' "$f"); non=${non:-0}
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$minute" "$(awk '/^Requests\/sec/ { print $2 }' "$f")" \
    "$(to_ms "$(awk '$1 == "50%" { print $2 }' "$f")")" "$(to_ms "$(awk '$1 == "99%" { print $2 }' "$f")")" \
    "$(awk '/requests in/ { print $1 }' "$f")" "$sock" "$tmo" "$non" "$(awk '/^STATUS/ { print $7 }' "$f")" \
    "$(awk '/^STATUS/ { print $9 }' "$f")" "$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$T/minutes.tsv" >&2
  kill -0 "$SERVER" 2>/dev/null || die "vestnik died during the soak (minute $minute)"
done
wait "$WRITER" || die "the newsroom writer failed: $(tail -5 "$T/writer.log")"
untrack "$WRITER"
sample end >>"$T/samples.tsv"
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
kill -0 "$SERVER" 2>/dev/null || die "vestnik died during the soak"
PEAK=$(awk '/^VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$SERVER/status")
stop_pid "$SAMPLER" sampler
stop_pid "$SERVER" vestnik

# ------------------------------------------------------------------ report
WRITER_JSON=$(cat "$T/writer.json")
read -r WRK_ERR WRK_REQ < <(awk -F'\t' 'NR > 1 { e += $6 + $7 + $8; r += $5 } END { print e + 0, r + 0 }' "$T/minutes.tsv")
W_ERR=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["errors"])' "$WRITER_JSON")
mem() {   # $1 column (2 RSS kB, 3 fds): start end max
  awk -F'\t' -v c="$1" 'NR == 2 { s = $c } NR > 1 { e = $c; if ($c + 0 > m) m = $c + 0 } END {
    if (c == 2) printf "%.1f / %.1f / %.1f MB", s / 1024, e / 1024, m / 1024; else printf "%d / %d / %d", s, e, m }' "$T/samples.tsv"
}
mkdir -p "$RESULTS"
STAMP=$(date +%F-%H%M%S)
OUT=$RESULTS/soak-$STAMP.md
mkdir -p "$RESULTS/soak-$STAMP-raw"
cp "$T/wrk/"* "$T/minutes.tsv" "$T/samples.tsv" "$T/writer.json" "$RESULTS/soak-$STAMP-raw/" 2>/dev/null || true
{
  echo "# Soak (bench/soak.sh), $(date '+%F %H:%M %Z'), $DURATION_S s"
  echo
  echo "- errors: $((WRK_ERR + W_ERR)) ($WRK_ERR of $WRK_REQ reader requests: socket errors + timeouts + non-2xx/3xx; $W_ERR newsroom calls)"
  echo "- RSS start / end / max (every 10 s): $(mem 2); peak (VmHWM) $PEAK MB"
  echo "- open fds start / end / max: $(mem 3)"
  echo "- newsroom (admin API): $WRITER_JSON"
  echo "- set-up: $MIXED_ARTICLES-article site (bench/generate.py), wrk -t2 -c$CONNS --timeout $TIMEOUT (a response later than that is a timeout), bench/soak.lua;"
  echo "  a save every $SAVE_EVERY s, a publication every $PUBLISH_EVERY s; $NCPU CPUs, git $REV; $BUILT"
  echo "- load average before / after: $LOAD_BEFORE / $LOAD_AFTER"
  echo
  echo "| minute | req/s | p50 | p99 | requests | socket errors | timeouts | non-2xx/3xx | 4xx | 5xx | load (1 min) |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  awk -F'\t' 'NR > 1 { printf "| %s | %s | %s ms | %s ms | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 }' "$T/minutes.tsv"
  echo
  echo "RSS and fds every 10 s: bench/results/soak-$STAMP-raw/samples.tsv"
} >"$OUT"
OK=1
cat "$OUT"
echo "bench: wrote $OUT" >&2
[ "$((WRK_ERR + W_ERR))" = 0 ]
