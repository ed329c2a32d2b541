#!/usr/bin/env bash
# bench/api.sh — the content API against the same content as HTML (issue 16), cached and cold, wrk -c64:
#
#   list    GET /api/v1/articles?limit=20 (JSON)      against   GET /  (the home page: the newest articles, HTML)
#   single  GET /api/v1/articles/<id> (JSON, body)    against   GET <the article's page> (HTML)
#
# Two servers on one copy of the demo site: "cached" (the default page cache; the API has its own quarter of it)
# and "cold" (--page-cache-mb 0: every request is read from the database and rendered or encoded). Every request
# of one row is measured in the same run of the script, one after the other, so the ratios compare like with like
# on whatever load the machine has; `uptime` is written beside them.
#
#   Usage (from anywhere):   bash bench/api.sh
#   Knobs (environment):
#     DURATION=10s CONNS=64 ROUNDS=1   wrk runs (-t2); with ROUNDS>1 the rounds alternate and the best is kept
#     RELEASE=1                        swift build -c release (bench/lib.sh build_release), the default; RELEASE=0 measures
#                                      the debug build: a smoke check of the script only, never a figure to record
#     VESTNIK_BIN=...                  measure this binary instead of building
#     KEEP_TMP=1                       keep the temporary folder
#
# Everything it starts (two vestnik servers, wrk) is stopped by PID at exit, also on error or ^C; every wrk run stops
# by itself. Only 127.0.0.1 is used. Result: bench/results/api-<date>.md, raw wrk output beside it.
set -euo pipefail

DURATION=${DURATION:-10s}
CONNS=${CONNS:-64}
ROUNDS=${ROUNDS:-1}
RELEASE=${RELEASE:-1}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/bench/lib.sh"
need_tools wrk=wrk curl=curl python3=python3
T=$(mktemp -d /tmp/vestnik-api-bench.XXXXXX)
mkdir -p "$T/wrk" "$RESULTS"
bench_traps

cd "$ROOT"
if [ "$RELEASE" = 1 ] || [ -n "${VESTNIK_BIN:-}" ]; then
  build_release
else
  log "swift build --product vestnik (debug)"
  swift build --product vestnik >&2 || die "debug build failed"
  BIN=$(swift build --show-bin-path)/vestnik
  BUILT="swift build (debug) of the working tree: A SMOKE CHECK OF THE SCRIPT, NOT A FIGURE (debug numbers are not comparable)"
fi
REV=$(tree_rev)

# One database with the demo site (loaded on the first start), shared by both servers.
DB=$T/site.sqlite
declare -A URL_OF PID_OF
start() {   # $1 name  $2.. extra serve arguments
  local name=$1 port pid
  shift
  port=$(pick_port "${LAST_PORT:-}") || die "no free port"; LAST_PORT=$port
  "$BIN" serve --database "$DB" --hostname "$HOST" --port "$port" "$@" </dev/null >>"$T/$name.log" 2>&1 &
  pid=$!; track "$pid" "vestnik-$name"
  wait_http "http://$HOST:$port/" 300 "$pid" "vestnik-$name" "$T/$name.log"
  URL_OF[$name]="http://$HOST:$port"; PID_OF[$name]=$pid
}
start cached
start cold --page-cache-mb 0

# The newest article: its id (API) and its page (HTML).
read -r ID PAGE < <(curl -sS --max-time 30 "${URL_OF[cached]}/api/v1/articles?limit=1&fields=id,url" |
  python3 -c 'import json, sys, urllib.parse; a = json.load(sys.stdin)["items"][0]; print(a["id"], urllib.parse.urlparse(a["url"]).path)')
[ -n "$ID" ] && [ -n "$PAGE" ] || die "no article in the demo site"
declare -A PATH_OF=(
  [list-json]="/api/v1/articles?limit=20" [list-html]="/"
  [single-json]="/api/v1/articles/$ID" [single-html]="$PAGE"
)
for key in "${!PATH_OF[@]}"; do
  for name in cached cold; do
    code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 30 "${URL_OF[$name]}${PATH_OF[$key]}")
    [ "$code" = 200 ] || die "${URL_OF[$name]}${PATH_OF[$key]} answered $code"
  done
done

declare -A RPS P50 P99
measure() {   # $1 server  $2 key  $3 round
  local out=$T/wrk/$1-$2-$3.txt rps
  wrk_run "$CONNS" "$DURATION" "${URL_OF[$1]}${PATH_OF[$2]}" "$out" -H 'Accept-Encoding: gzip'
  rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
  grep -q 'Non-2xx' "$out" && die "$1 $2: non-2xx answers (see $out)"
  if awk -v a="$rps" -v b="${RPS[$1/$2]:-0}" 'BEGIN { exit !(a > b) }'; then
    RPS[$1/$2]=$rps
    P50[$1/$2]=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
    P99[$1/$2]=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
  fi
}
LOAD_BEFORE=$(uptime)
for round in $(seq 1 "$ROUNDS"); do
  for name in cached cold; do
    for key in list-json list-html single-json single-html; do
      log "round $round: $name $key (${PATH_OF[$key]})"
      measure "$name" "$key" "$round"
    done
  done
done
LOAD_AFTER=$(uptime)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf (b > 0 ? "%.2f×" : "-"), a / b }'; }
REPORT=$RESULTS/api-$(date +%Y%m%d-%H%M%S).md
{
  echo "# bench/api.sh, $(date -u '+%F %H:%M UTC')"
  echo
  echo "- commit: $REV; binary: $BUILT"
  echo "- wrk -t2 -c$CONNS -d$DURATION, gzip accepted, $ROUNDS round(s) (best kept); demo site on SQLite; 127.0.0.1"
  echo "- article $ID ($PAGE); load before: $LOAD_BEFORE"
  echo "- load after: $LOAD_AFTER"
  echo
  echo "| server | what | JSON req/s | JSON p50 / p99 ms | HTML req/s | HTML p50 / p99 ms | JSON ÷ HTML (req/s) |"
  echo "|---|---|---:|---:|---:|---:|---:|"
  for name in cached cold; do
    for kind in list single; do
      j=$name/$kind-json h=$name/$kind-html
      echo "| $name | $kind | ${RPS[$j]} | ${P50[$j]} / ${P99[$j]} | ${RPS[$h]} | ${P50[$h]} / ${P99[$h]} | $(ratio "${RPS[$j]}" "${RPS[$h]}") |"
    done
  done
} | tee "$REPORT"
cp -r "$T/wrk" "${REPORT%.md}-wrk"
OK=1
