#!/usr/bin/env bash
# bench/mixed.sh — a daily's real traffic on generated sites (issues 20 and 28), the page cache's admission policies
# side by side in alternating rounds:
#
#   mixed    readers on a site of MIXED_ARTICLES (10,000): bench/mixed.lua, i.e. 10 % home page, 5 % section fronts,
#            the rest Zipf-distributed articles with the newest most read, gzip, wrk -t2 -c64: req/s, p50, p99, the
#            page cache's hit ratio (from X-Cache) and the server's CPU per request
#   crawler  the same readers on an archive of ARCHIVE articles (100,000), alone and while bench/crawler.py walks
#            the archive at CRAWL_RATE (200) req/s with a search engine's User-Agent: the readers' hit ratio and p99
#            with and without the crawler
#   publish  the same readers on the MIXED_ARTICLES site, alone and while the newsroom publishes an article every
#            PUBLISH_EVERY (5) s through its own form (bench/publisher.py, signed in as a chief editor): req/s, p99,
#            hit ratio, and the publish request's p50/p99. With BASE_BIN (e.g. main's release binary) both binaries
#            run side by side in alternating rounds ("base" and "this"), each on a copy of the site of its own
#            (publishing writes to it), with PUBLISH_POLICY (tinylfu, the server's default) admission.
#
# Each policy (POLICIES="lru second tinylfu": today's LRU, "a second request within the window", TinyLFU) is a
# server of its own on the same database (`vestnik serve --page-cache-admission`); every measured run is preceded by
# WARMUP of readers on that server, so each starts from a cache in its readers' steady state.
#
#   Usage (root, Debian 12, from anywhere):   bash bench/mixed.sh
#   Knobs (environment):
#     DURATION=20s ROUNDS=3 WARMUP=5s CONNS=64   wrk runs (-t2)
#     PHASES="mixed crawler"                      which phases
#     POLICIES="lru second tinylfu"               servers compared
#     MIXED_ARTICLES=10000 ARCHIVE=100000 CRAWL_RATE=200 ZIPF_S=1.0
#     PHASES=publish BASE_BIN=/path/to/main/vestnik PUBLISH_EVERY=5 PUBLISH_POLICY=tinylfu
#     CACHE_MB=64                                 every server's --page-cache-mb (default: the server's own default)
#     PUBLISH_ACTION=save                          the newsroom saves one published article instead (publisher.py --action)
#     SCALE_DIR=/tmp/vestnik-pages-scale          generated databases, shared with bench/pages.sh and kept
#     QUIET_WAIT=0 QUIET_MAX=20                   wait before each run for an idle machine (0: do not wait)
#     VESTNIK_BIN=...  measure this binary instead of building;  KEEP_TMP=1 keep the temporary folder
#
# Everything it starts (vestnik, wrk, the crawler) is stopped by PID at exit, also on error or ^C; every wrk run and
# the crawler stop by themselves. Only 127.0.0.1 is used. Result: bench/results/mixed-<date>.md, raw output beside it.
set -euo pipefail

DURATION=${DURATION:-20s}
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-5s}
CONNS=${CONNS:-64}
PHASES=${PHASES:-mixed crawler}
POLICIES=${POLICIES:-lru second tinylfu}
MIXED_ARTICLES=${MIXED_ARTICLES:-10000}
ARCHIVE=${ARCHIVE:-100000}
CRAWL_RATE=${CRAWL_RATE:-200}
export ZIPF_S=${ZIPF_S:-1.0}
SCALE_DIR=${SCALE_DIR:-/tmp/vestnik-pages-scale}
PUBLISH_EVERY=${PUBLISH_EVERY:-5}
PUBLISH_POLICY=${PUBLISH_POLICY:-tinylfu}
PUBLISH_ACTION=${PUBLISH_ACTION:-publish}
BASE_BIN=${BASE_BIN:-}
CACHE_MB=${CACHE_MB:-}
CACHE_TEXT=${CACHE_MB:+$CACHE_MB MB}
CACHE_TEXT=${CACHE_TEXT:-the server default}
[ -z "$BASE_BIN" ] || [ -x "$BASE_BIN" ] || die "BASE_BIN=$BASE_BIN is not an executable"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/bench/lib.sh"
[ "$(id -u)" = 0 ] || die "run as root (it may apt-get install wrk)"
need_tools wrk=wrk python3=python3 curl=curl
T=$(mktemp -d /tmp/vestnik-mixed.XXXXXX)
mkdir -p "$T/wrk"
bench_traps

cd "$ROOT"
build_release
REV=$(tree_rev)
# The help is read whole first: `grep -q` closing the pipe early would fail the pipeline under pipefail.
SERVE_HELP=$("$BIN" serve --help 2>&1 || true)
grep -q -- '--page-cache-admission' <<<"$SERVE_HELP" || die "$BIN has no --page-cache-admission option"

declare -A PID_OF PORT_OF
serve_one() {   # $1 name  $2 binary  $3 database  $4 admission policy: sets PID_OF[$1] and PORT_OF[$1]
  local port pid
  port=$(pick_port) || die "no free port"
  "$2" serve --database "$3" --no-demo --hostname "$HOST" --port "$port" --page-cache-admission "$4" \
    ${CACHE_MB:+--page-cache-mb "$CACHE_MB"} \
    </dev/null >"$T/vestnik-$1.log" 2>&1 &
  pid=$!
  track "$pid" "vestnik-$1"
  PID_OF[$1]=$pid; PORT_OF[$1]=$port
  wait_http "http://$HOST:$port/" 300 "$pid" "vestnik ($1)" "$T/vestnik-$1.log"
}
start_servers() {   # $1 database: one server per policy
  local policy
  for policy in $POLICIES; do serve_one "$policy" "$BIN" "$1" "$policy"; done
}
stop_servers() { local policy; for policy in $POLICIES; do stop_pid "${PID_OF[$policy]}" "vestnik-$policy"; done; }

# The publish phase: one server per binary ("base": BASE_BIN, "this": the build), each on its own copy of $1 with a
# chief editor to publish as. Reuses PID_OF/PORT_OF with the side as the name, and POLICIES as the list of sides.
EMAIL=publisher@bench.example
PASSWORD=bench-publisher-$$-password
printf '%s\n' "$PASSWORD" >"$T/password"
start_sides() {   # $1 database
  local side bin db
  for side in $POLICIES; do
    bin=$BIN; [ "$side" = base ] && bin=$BASE_BIN
    db=$T/publish-$side.sqlite
    cp "$1" "$db"; [ -e "$1-wal" ] && cp "$1-wal" "$db-wal"
    "$bin" migrate --database "$db" >"$T/migrate-$side.log" 2>&1 || { cat "$T/migrate-$side.log" >&2; die "migrate ($side) failed"; }
    printf '%s\n' "$PASSWORD" | "$bin" user create --database "$db" --email "$EMAIL" --name "Главен Редактор" --role chief \
      --password-stdin >/dev/null || die "cannot create the chief editor ($side)"
    serve_one "$side" "$bin" "$db" "$PUBLISH_POLICY"
  done
}

printf 'phase\tpolicy\tmode\tround\treq_s\tp50_ms\tp99_ms\thits\tmisses\thit_ratio\tcpu_ms_req\tother_cpu_pct\tcrawler\n' >"$T/runs.tsv"
measure() {   # $1 phase  $2 policy  $3 mode (alone | crawler)  $4 round  $5 articles
  local phase=$1 policy=$2 mode=$3 r=$4 n=$5 url f m0 m1 j0 j1 w0 w1 t0 t1 reqs hits misses cpu crawl=- cpid="" start
  url=http://$HOST:${PORT_OF[$policy]}/
  export ARTICLES=$n
  wrk_run "$CONNS" "$WARMUP" "$url" "$T/wrk/warmup-$phase-$policy-$mode-r$r.txt" -s "$ROOT/bench/mixed.lua"
  wait_quiet
  f=$T/wrk/$phase-$policy-$mode-r$r.txt
  if [ "$mode" = publishing ]; then
    timeout -k 5 "$(( $(secs "$DURATION") + 60 ))" python3 "$ROOT/bench/publisher.py" "${url%/}" --email "$EMAIL" \
      --password-file "$T/password" --every "$PUBLISH_EVERY" --seconds "$(secs "$DURATION")" --action "$PUBLISH_ACTION" \
      >"$T/wrk/$phase-$policy-publisher-r$r.json" &
    cpid=$!
    track "$cpid" publisher
    sleep 0.5
  fi
  if [ "$mode" = crawler ]; then
    # Each round walks a part of the archive no server has seen yet; every policy walks the same part.
    start=$((1 + ((r - 1) * CRAWL_RATE * ($(secs "$DURATION") + 2)) % n))
    timeout -k 5 "$(( $(secs "$DURATION") + 30 ))" python3 "$ROOT/bench/crawler.py" "$url" --articles "$n" \
      --rate "$CRAWL_RATE" --seconds "$(( $(secs "$DURATION") + 2 ))" --start "$start" >"$T/wrk/$phase-$policy-crawler-r$r.json" &
    cpid=$!
    track "$cpid" crawler
    sleep 1
  fi
  m0=$(machine_jiffies); j0=$(tree_jiffies "${PID_OF[$policy]}"); w0=$(own_children_jiffies); t0=$(date +%s.%N)
  wrk_run "$CONNS" "$DURATION" "$url" "$f" -s "$ROOT/bench/mixed.lua"
  t1=$(date +%s.%N); m1=$(machine_jiffies); j1=$(tree_jiffies "${PID_OF[$policy]}"); w1=$(own_children_jiffies)
  if [ -n "$cpid" ] && [ "$mode" = publishing ]; then
    wait "$cpid" || die "the publisher failed"
    untrack "$cpid"
    crawl=$(cat "$T/wrk/$phase-$policy-publisher-r$r.json")
  elif [ -n "$cpid" ]; then
    wait "$cpid" || die "the crawler failed"
    untrack "$cpid"
    crawl=$(cat "$T/wrk/$phase-$policy-crawler-r$r.json")
  fi
  reqs=$(awk '/requests in/ { print $1 }' "$f")
  hits=$(awk '/^CACHE/ { print $3 }' "$f"); misses=$(awk '/^CACHE/ { print $5 }' "$f")
  [ -n "$hits" ] || { cat "$f" >&2; die "no CACHE line in wrk output ($policy $mode)"; }
  # The crawler's requests are in the server's CPU too (and in "other" for its own Python): CPU per reader request.
  cpu=$(awk -v m0="$m0" -v m1="$m1" -v j0="$j0" -v j1="$j1" -v w0="$w0" -v w1="$w1" -v t0="$t0" -v t1="$t1" \
      -v hz="$HZ" -v n="$NCPU" -v q="$reqs" 'BEGIN { if (q < 1) q = 1
    o = (m1 - m0) - (j1 - j0) - (w1 - w0); if (o < 0) o = 0
    printf "%.3f\t%.0f", 1000 * (j1 - j0) / hz / q, 100 * o / ((t1 - t0) * hz * n) }')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$phase" "$policy" "$mode" "$r" \
    "$(awk '/^Requests\/sec/ { print $2 }' "$f")" "$(to_ms "$(awk '$1 == "50%" { print $2 }' "$f")")" \
    "$(to_ms "$(awk '$1 == "99%" { print $2 }' "$f")")" "$hits" "$misses" \
    "$(awk -v h="$hits" -v m="$misses" 'BEGIN { printf "%.3f", h + m ? h / (h + m) : 0 }')" "$cpu" "$crawl" | tee -a "$T/runs.tsv" >&2
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
SITES=""
ALL_POLICIES=$POLICIES
for phase in $PHASES; do
  POLICIES=$ALL_POLICIES
  case "$phase" in
    mixed) n=$MIXED_ARTICLES; modes="alone" ;;
    crawler) n=$ARCHIVE; modes="alone crawler" ;;
    publish) n=$MIXED_ARTICLES; modes="alone publishing"; POLICIES="this"; [ -n "$BASE_BIN" ] && POLICIES="base this" ;;
    *) die "unknown phase $phase" ;;
  esac
  db=$(generated "$n")
  SITES+="- $phase: $db ($(cat "$db.done"); $(du -m "$db" | cut -f1) MB)"$'\n'
  log "$phase: servers [$POLICIES] on $n articles; $ROUNDS rounds x [$modes], wrk -t2 -c$CONNS -d$DURATION after $WARMUP of warm-up"
  if [ "$phase" = publish ]; then start_sides "$db"; else start_servers "$db"; fi
  for r in $(seq 1 "$ROUNDS"); do
    for mode in $modes; do
      for policy in $POLICIES; do measure "$phase" "$policy" "$mode" "$r" "$n"; done
    done
  done
  for policy in $POLICIES; do kill -0 "${PID_OF[$policy]}" 2>/dev/null || die "vestnik ($policy) died during the measurement"; done
  for policy in $POLICIES; do
    echo "$policy: peak RSS $(awk '/^VmHWM/ { printf "%.0f MB", $2 / 1024 }' "/proc/${PID_OF[$policy]}/status")" >>"$T/rss-$phase.txt"
  done
  stop_servers
  [ "$phase" = publish ] && PUBLISH_SIDES=$POLICIES
done
POLICIES=$ALL_POLICIES
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ------------------------------------------------------------------ report
mkdir -p "$RESULTS"
STAMP=$(date +%F-%H%M%S)
OUT=$RESULTS/mixed-$STAMP.md
mkdir -p "$RESULTS/mixed-$STAMP-wrk"
cp "$T/wrk/"* "$T/runs.tsv" "$RESULTS/mixed-$STAMP-wrk/" 2>/dev/null || true
SUMMARY=$(awk -F'\t' -v policies="$POLICIES" 'NR > 1 { k = $1 SUBSEP $3 SUBSEP $2; n[k]++; rps[k] += $5; hr[k] += $10
    cpu[k] += $11; p99[k, n[k]] = $7; p50[k, n[k]] = $6; h[k] += $8; m[k] += $9; seen[$1 SUBSEP $3] = 1 }
  function median(k, arr,   i, j, v, c, t) { c = n[k]; for (i = 1; i <= c; i++) v[i] = arr[k, i] + 0
    for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
    return v[int((c + 1) / 2)] }
  END {
    np = split(policies, ps, " ")
    print "| phase | readers | policy | req/s (mean) | p50 (median) | p99 (median) | hit ratio (all rounds) | CPU ms/request | req/s ÷ lru | p99 ÷ lru |"
    print "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"
    split("mixed alone,crawler alone,crawler crawler", order, ",")
    for (o = 1; o <= 3; o++) { split(order[o], pm, " "); if (!((pm[1] SUBSEP pm[2]) in seen)) continue
      base = pm[1] SUBSEP pm[2] SUBSEP "lru"
      for (i = 1; i <= np; i++) { k = pm[1] SUBSEP pm[2] SUBSEP ps[i]; if (!(k in n)) continue
        printf "| %s | %s | %s | %.0f | %.2f ms | %.2f ms | %.3f | %.3f | %s | %s |\n", pm[1],
          (pm[2] == "crawler" ? "with the crawler" : "alone"), ps[i], rps[k] / n[k], median(k, p50), median(k, p99),
          h[k] / (h[k] + m[k]), cpu[k] / n[k],
          ((base in n) ? sprintf("%.2f", (rps[k] / n[k]) / (rps[base] / n[base])) : "–"),
          ((base in n) ? sprintf("%.2f", median(k, p99) / median(base, p99)) : "–") } }
  }' "$T/runs.tsv")
# The publish phase: each side with and without publishing, and what publishing cost it.
PUBLISH=$(python3 - "$T/runs.tsv" "$PUBLISH_EVERY" <<'PY'
import json, statistics, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1], encoding="utf-8")][1:]
rows = [r for r in rows if r[0] == "publish"]
if rows:
    print("| binary | readers | req/s (mean) | p99 (median) | hit ratio | publishes | publish p50 | publish p99 | req/s ÷ alone | hit ratio − alone |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    sides = []
    for r in rows:
        if r[1] not in sides: sides.append(r[1])
    for side in sides:
        stats = {}
        for mode in ("alone", "publishing"):
            runs = [r for r in rows if r[1] == side and r[2] == mode]
            if not runs: continue
            hits = sum(int(r[7]) for r in runs); misses = sum(int(r[8]) for r in runs)
            published = [json.loads(r[12]) for r in runs if r[12] not in ("", "-")]
            stats[mode] = (statistics.mean(float(r[4]) for r in runs), statistics.median(float(r[6]) for r in runs),
                           hits / max(1, hits + misses), sum(p["publishes"] for p in published),
                           max((p["publish_ms"]["p50"] for p in published), default=None),
                           max((p["publish_ms"]["p99"] for p in published), default=None),
                           sum(p["errors"] for p in published))
        for mode, (rps, p99, ratio, count, p50p, p99p, errors) in stats.items():
            base = stats.get("alone")
            readers = "alone" if mode == "alone" else f"publishing every {sys.argv[2]} s"
            print(f"| {side} | {readers} | {rps:.0f} | {p99:.2f} ms | {ratio:.3f} | "
                  f"{count if mode == 'publishing' else '–'}{' (%d errors)' % errors if errors else ''} | "
                  f"{'%.1f ms' % p50p if p50p is not None else '–'} | {'%.1f ms' % p99p if p99p is not None else '–'} | "
                  f"{'%.3f' % (rps / base[0]) if base else '–'} | {'%+.3f' % (ratio - base[2]) if base else '–'} |")
PY
)
DROP=$(awk -F'\t' 'NR > 1 && $1 == "crawler" { k = $2 SUBSEP $3; h[k] += $8; m[k] += $9; p[$2] = 1 }
  END { for (q in p) { a = q SUBSEP "alone"; c = q SUBSEP "crawler"; if ((a in h) && (c in h))
    printf "- %s: readers'"'"' hit ratio %.3f alone, %.3f with the crawler: drop %.3f\n", q, h[a] / (h[a] + m[a]), h[c] / (h[c] + m[c]),
      h[a] / (h[a] + m[a]) - h[c] / (h[c] + m[c]) } }' "$T/runs.tsv" | sort)
{
  echo "# Mixed workload and crawler (bench/mixed.sh), $(date '+%F %H:%M %Z')"
  echo
  echo "Readers: bench/mixed.lua (10 % home, 5 % section fronts, 85 % articles Zipf s=$ZIPF_S by age, newest most read,"
  echo "Accept-Encoding: gzip), wrk -t2 -c$CONNS -d$DURATION --latency after $WARMUP of the same; $ROUNDS alternating rounds."
  echo "Crawler: bench/crawler.py at $CRAWL_RATE req/s (Googlebot's User-Agent), walking articles the server has not seen."
  echo "Hit ratio: the readers' X-Cache HIT ÷ (HIT + MISS). CPU ms/request: the server's CPU ÷ readers' requests"
  echo "(with the crawler, its requests' CPU is in it too). Page cache: $CACHE_TEXT, 60 s lifetime."
  echo
  echo "$SUMMARY"
  echo
  [ -n "$DROP" ] && echo "$DROP" && echo
  if [ -n "$PUBLISH" ]; then
    echo "Publish phase: the newsroom's form every $PUBLISH_EVERY s, action=$PUBLISH_ACTION (bench/publisher.py; publish p50/p99: the POST until"
    echo "its 303, worst round's), $PUBLISH_POLICY admission; base: ${BASE_BIN:-none}, this: the build."
    echo
    echo "$PUBLISH"
    echo
  fi
  echo "## Set-up"
  echo
  printf '%s' "$SITES"
  for phase in $PHASES; do echo "- $phase, servers' peak RSS: $(paste -sd ';' "$T/rss-$phase.txt" | sed 's/;/; /g')"; done
  echo "- $NCPU CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')), $(date -Is)"
  echo "- git: $REV; binary: $BUILT; $( (wrk -v 2>&1 || true) | head -1 | awk '{ print "wrk " $2 }')"
  echo "- load average before / after: $LOAD_BEFORE / $LOAD_AFTER"
  echo
  echo "## Every run"
  echo
  echo "| phase | policy | readers | round | req/s | p50 | p99 | hits | misses | hit ratio | CPU ms/req | other CPU | crawler |"
  echo "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  awk -F'\t' 'NR > 1 { printf "| %s | %s | %s | %s | %s | %s ms | %s ms | %s | %s | %s | %s | %s %% | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13 }' "$T/runs.tsv"
  echo
  echo "Raw output: bench/results/mixed-$STAMP-wrk/"
} >"$OUT"
OK=1
cat "$OUT"
echo >&2
echo "bench: wrote $OUT" >&2
