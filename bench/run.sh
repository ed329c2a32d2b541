#!/usr/bin/env bash
# bench/run.sh — Vestnik baseline: the release binary serving the demo site from a
# fresh SQLite file, side by side with nginx serving the very same bytes as static
# files (the yardstick). Measured with wrk in alternating rounds.
#
#   Usage (root, Debian 12, from anywhere):   bash bench/run.sh
#   Knobs (environment):
#     DURATION=10s    length of each measured wrk run
#     ROUNDS=3        rounds; each round runs every target at every connection count
#     CONNS="64 1"    connection counts (wrk -t2 for 2+ connections, -t1 for 1)
#     WARMUP=3s       warm-up per target before the first round
#     QUIET_WAIT=0    before each measured run, wait up to this many seconds for the machine to
#                     be idle (others' CPU use at most QUIET_MAX % of all CPUs); 0 = do not wait
#     QUIET_MAX=20
#     VESTNIK_BIN=... use this vestnik binary instead of building one (the report says so)
#     KEEP_TMP=1      keep the temporary folder (database, pages, logs) after a successful run
#
# Everything it starts (vestnik, nginx, wrk) it stops by PID at exit, also on
# error or ^C. Only 127.0.0.1 is used; ports are picked free at start.
# Result: bench/results/baseline-<date>.md (plus the raw wrk output next to it).
set -euo pipefail

DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-64 1}
WARMUP=${WARMUP:-3s}
QUIET_WAIT=${QUIET_WAIT:-0}
QUIET_MAX=${QUIET_MAX:-20}
KEEP_TMP=${KEEP_TMP:-0}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/bench/lib.sh"

[ "$(id -u)" = 0 ] || die "run as root (it may apt-get install wrk and nginx-light)"
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive number"
for c in $CONNS; do [[ "$c" =~ ^[1-9][0-9]*$ ]] || die "CONNS must be positive numbers, not '$c'"; done
[[ "$(secs "$DURATION")" =~ ^[1-9][0-9]*$ ]] || die "DURATION must look like 10s"
[[ "$(secs "$WARMUP")" =~ ^[0-9]+$ ]] || die "WARMUP must look like 3s"
[[ "$QUIET_WAIT" =~ ^[0-9]+$ && "$QUIET_MAX" =~ ^[0-9]+$ ]] || die "QUIET_WAIT and QUIET_MAX must be numbers"

need_tools wrk=wrk /usr/sbin/nginx=nginx-light curl=curl
command -v ss >/dev/null || die "ss (iproute2) is needed to find free ports"

VESTNIK_PID=""
NGINX_PID=""
bench_traps

T=$(mktemp -d /tmp/vestnik-bench.XXXXXX)
chmod 755 "$T"                    # nginx workers (user nobody) read $T/static
mkdir -p "$T/static" "$T/wrk"

cd "$ROOT"
build_release
REV=$(tree_rev)

VPORT=$(pick_port) || die "no free port"
NPORT=$(pick_port "$VPORT") || die "no free port"

# --------------------------------------------------------------- vestnik
log "start vestnik on $HOST:$VPORT (fresh database $T/bench.sqlite)"
"$BIN" serve --database "$T/bench.sqlite" --hostname "$HOST" --port "$VPORT" </dev/null >"$T/vestnik.log" 2>&1 &
VESTNIK_PID=$!
track "$VESTNIK_PID" vestnik
VURL=http://$HOST:$VPORT
wait_http "$VURL/" 120 "$VESTNIK_PID" vestnik "$T/vestnik.log"   # first start migrates and imports the demo site
grep -h 'Loaded the demo site' "$T/vestnik.log" >&2 || true

# --------------------------------------------------- pages and the article
fetch_html "$VURL/" "$T/static/home.html"
# First link shaped /<section>/<slug>; topic, tag, author and asset links share that shape.
ARTICLE_PATH=$(grep -oE 'href="/[^"/?#]+/[^"/?#]+"' "$T/static/home.html" | sed -E 's/^href="(.*)"$/\1/' |
  grep -vE '^/(static|tema|tag|avtor)/' | head -1 || true)
[ -n "$ARTICLE_PATH" ] || die "no article link (href=\"/<section>/<slug>\") on the home page"
fetch_html "$VURL$ARTICLE_PATH" "$T/static/article.html"
chmod 644 "$T/static"/*.html
curl -sS --max-time 30 -o "$T/article-again.html" "$VURL$ARTICLE_PATH"
curl -sS --max-time 30 -o "$T/home-again.html" "$VURL/"
SAME_A=yes; cmp -s "$T/static/article.html" "$T/article-again.html" || SAME_A=no
SAME_H=yes; cmp -s "$T/static/home.html" "$T/home-again.html" || SAME_H=no
ASIZE=$(stat -c %s "$T/static/article.html")
HSIZE=$(stat -c %s "$T/static/home.html")
echo "article $ARTICLE_PATH: $ASIZE bytes (identical on a second request: $SAME_A); home: $HSIZE bytes (identical: $SAME_H)" >&2

# ----------------------------------------------------------------- nginx
log "start nginx on $HOST:$NPORT (static copies)"
start_nginx_static "$T/static" "$NPORT"
NURL=http://$HOST:$NPORT
for p in article home; do
  out=$(curl -sS --max-time 10 -o "$T/check-$p.html" -w '%{http_code} %{content_type}' "$NURL/$p.html") || die "nginx: cannot fetch /$p.html"
  [ "$out" = "200 text/html; charset=utf-8" ] || die "nginx /$p.html answered '$out'"
  cmp -s "$T/check-$p.html" "$T/static/$p.html" || die "nginx /$p.html differs from the saved page"
done

# ------------------------------------------------------------ measurement
cpu_snap() {   # "<machine busy> <vestnik> <nginx> <this shell's reaped children = wrk>" in jiffies
  echo "$(machine_jiffies) $(tree_jiffies "$VESTNIK_PID") $(tree_jiffies "$NGINX_PID") $(own_children_jiffies)"
}
url_of() { case "$1" in vestnik-article) echo "$VURL$ARTICLE_PATH" ;; nginx-article) echo "$NURL/article.html" ;;
                        vestnik-home) echo "$VURL/" ;; nginx-home) echo "$NURL/home.html" ;; esac; }
TARGETS="vestnik-article nginx-article vestnik-home nginx-home"
printf 'target\tconns\tround\treq_s\tlat_avg_ms\tp99_ms\trequests\tnon2xx\tsocket_errors\tvestnik_cpu_ms_req\tnginx_cpu_ms_req\tother_cpu_pct\n' >"$T/runs.tsv"
measure() {   # $1 target  $2 conns  $3 round
  local target=$1 c=$2 r=$3 f s0 s1 t0 t1 rps avg p99 reqs non2xx serr cpu
  f="$T/wrk/$target-c$c-r$r.txt"
  wait_quiet
  s0=$(cpu_snap); t0=$(date +%s.%N)
  wrk_run "$c" "$DURATION" "$(url_of "$target")" "$f"
  t1=$(date +%s.%N); s1=$(cpu_snap)
  rps=$(awk '/^Requests\/sec/ { print $2 }' "$f")
  [ -n "$rps" ] || { cat "$f" >&2; die "no Requests/sec in wrk output ($target c=$c)"; }
  avg=$(to_ms "$(awk '$1 == "Latency" && NF >= 5 { print $2; exit }' "$f")")
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$f")")
  reqs=$(awk '/requests in/ { print $1 }' "$f")
  non2xx=$(awk '/Non-2xx or 3xx responses/ { print $NF }' "$f"); non2xx=${non2xx:-0}
  serr=$(awk -F': ' '/Socket errors/ { gsub(/,/, ""); print $2 }' "$f"); serr=${serr:-none}
  # CPU per request of each server, and the CPU % of everything else on the machine
  # (not vestnik, nginx or wrk: e.g. someone else's compiler) during the run.
  cpu=$(awk -v a="$s0" -v b="$s1" -v t0="$t0" -v t1="$t1" -v hz="$HZ" -v n="$NCPU" -v q="$reqs" 'BEGIN {
    split(a, x, " "); split(b, y, " "); ours = 0; for (i = 2; i <= 4; i++) { d[i] = y[i] - x[i]; ours += d[i] }
    o = (y[1] - x[1]) - ours; if (o < 0) o = 0; if (q < 1) q = 1
    printf "%.3f\t%.3f\t%.0f", 1000 * d[2] / hz / q, 1000 * d[3] / hz / q, 100 * o / ((t1 - t0) * hz * n) }')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$target" "$c" "$r" "$rps" "$avg" "$p99" "$reqs" "$non2xx" "$serr" "$cpu" >>"$T/runs.tsv"
  printf '%-16s c=%-3s round %s: %10s req/s  avg %8s ms  p99 %8s ms  non-2xx %s  socket errors: %s  (other CPU %s%%)\n' \
    "$target" "$c" "$r" "$rps" "$avg" "$p99" "$non2xx" "$serr" "${cpu##*$'\t'}" >&2
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
if [ "$(secs "$WARMUP")" -gt 0 ]; then
  log "warm-up: $WARMUP per target at $(echo "$CONNS" | awk '{ print $1 }') connections"
  for target in $TARGETS; do
    wrk_run "$(echo "$CONNS" | awk '{ print $1 }')" "$WARMUP" "$(url_of "$target")" "$T/wrk/warmup-$target.txt"
  done
fi
log "measure: $ROUNDS rounds x conns [$CONNS] x [$TARGETS], wrk -d$DURATION --latency each"
for r in $(seq 1 "$ROUNDS"); do
  for c in $CONNS; do
    for target in $TARGETS; do measure "$target" "$c" "$r"; done
  done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
kill -0 "$VESTNIK_PID" 2>/dev/null || die "vestnik died during the measurement"
kill -0 "$NGINX_PID" 2>/dev/null || die "nginx died during the measurement"

# ---------------------------------------------------------------- report
log "report"
mkdir -p "$RESULTS"
STAMP=$(date +%F)
OUT=$RESULTS/baseline-$STAMP.md
[ -e "$OUT" ] && { STAMP=$(date +%F-%H%M%S); OUT=$RESULTS/baseline-$STAMP.md; }
mkdir -p "$RESULTS/baseline-$STAMP-wrk"
cp "$T/wrk/"*.txt "$T/runs.tsv" "$RESULTS/baseline-$STAMP-wrk/"

ERRLINES=$(grep -hE 'Non-2xx|Socket errors' "$T/wrk/"*-r*.txt 2>/dev/null | sort | uniq -c || true)
VERRORS=$(grep -ciE 'error|critical' "$T/vestnik.log" || true)

# Median round per (target, conns) by req/s (lower median for an even count);
# its p99 is reported alongside; ratio = req/s / nginx's req/s for the same page and conns.
SUMMARY=$(awk -F'\t' -v conns="$CONNS" -v targets="$TARGETS" 'NR > 1 { k = $1 SUBSEP $2; n[k]++; rps[k, n[k]] = $4; p99[k, n[k]] = $6
    cpu[k, n[k]] = ($1 ~ /^vestnik/ ? $10 : $11); oth[k, n[k]] = $12 }
  END {
    nt = split(targets, tg, " "); nc = split(conns, cs, " ")
    for (i = 1; i <= nt; i++) for (j = 1; j <= nc; j++) {
      k = tg[i] SUBSEP cs[j]; m = n[k]
      for (a = 1; a <= m; a++) idx[a] = a
      for (a = 1; a <= m; a++) for (b = a + 1; b <= m; b++) if (rps[k, idx[b]] + 0 < rps[k, idx[a]] + 0) { t = idx[a]; idx[a] = idx[b]; idx[b] = t }
      med = idx[int((m + 1) / 2)]; R[k] = rps[k, med]; P[k] = p99[k, med]; lo[k] = rps[k, idx[1]]; hi[k] = rps[k, idx[m]]
      C[k] = cpu[k, med]; O[k] = oth[k, med]
    }
    print "| target | conns | req/s | p99 | ratio to nginx (req/s) | req/s range over rounds | server CPU ms/req | other CPU |"
    print "|---|---:|---:|---:|---:|---|---:|---:|"
    for (j = 1; j <= nc; j++) for (i = 1; i <= nt; i++) {
      k = tg[i] SUBSEP cs[j]; page = tg[i]; sub(/^[a-z]+-/, "", page); ref = "nginx-" page SUBSEP cs[j]
      ratio = (R[ref] > 0 ? R[k] / R[ref] : 0)
      printf "| %s | %s | %.0f | %s ms | %s | %.0f–%.0f | %s | %s %% |\n", tg[i], cs[j], R[k], P[k],
        (ratio > 0 && ratio < 0.5 ? sprintf("%.4f (1/%.0f)", ratio, 1 / ratio) : sprintf("%.3f", ratio)), lo[k], hi[k], C[k], O[k]
    }
  }' "$T/runs.tsv")

{
  echo "# Vestnik baseline benchmark, $(date '+%F %H:%M %Z')"
  echo
  echo "Vestnik (release build, demo site, fresh SQLite, no page cache: every request renders from SQLite through Mustache)"
  echo "against nginx serving the same bytes as static files. wrk --latency, -t2 at 2+ connections, -t1 at 1;"
  echo "$ROUNDS alternating rounds of $DURATION per target after a $WARMUP warm-up; the table shows the median round"
  echo "(by req/s) and that round's p99; ratio = req/s over nginx's req/s for the same page and connections."
  echo "Server CPU ms/req: CPU time (user+system) of vestnik, or of all nginx processes, per request in that round;"
  echo "it hardly moves with machine noise. Other CPU: share of both cores used by everything but vestnik, nginx and wrk."
  echo
  echo "$SUMMARY"
  echo
  echo "## Machine"
  echo
  echo "- nproc: $NCPU ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'))"
  echo "- date: $(date -Is)"
  echo "- swift: $(swift --version 2>&1 | grep -m1 -i 'swift version' || swift --version 2>&1 | head -1)"
  echo "- git: $REV"
  echo "- binary: $BUILT"
  echo "- kernel $(uname -r); $(/usr/sbin/nginx -v 2>&1); $( (wrk -v 2>&1 || true) | head -1 | awk '{ print "wrk " $2 }')"
  echo "- load average before / after the measurement: $LOAD_BEFORE / $LOAD_AFTER"
  echo
  echo "## Pages"
  echo
  echo "- article: \`$ARTICLE_PATH\`, $ASIZE bytes (byte-identical on a second request: $SAME_A)"
  echo "- home: \`/\`, $HSIZE bytes (byte-identical on a second request: $SAME_H)"
  echo
  echo "## Every round"
  echo
  echo "Same columns as above, every run in the order it ran."
  echo
  echo "| target | conns | round | req/s | avg | p99 | requests | non-2xx/3xx | socket errors | vestnik CPU ms/req | nginx CPU ms/req | other CPU |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|"
  awk -F'\t' 'NR > 1 { printf "| %s | %s | %s | %s | %s ms | %s ms | %s | %s | %s | %s | %s | %s %% |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12 }' "$T/runs.tsv"
  echo
  echo "## Errors"
  echo
  if [ -n "$ERRLINES" ]; then echo "wrk reported (count of runs, line):"; echo; echo '```'; echo "$ERRLINES"; echo '```'
  else echo "wrk reported no non-2xx/3xx responses and no socket errors."; fi
  echo
  echo "vestnik log lines mentioning error/critical: $VERRORS"
  echo
  echo "Raw wrk output: bench/results/baseline-$STAMP-wrk/"
} >"$OUT"

OK=1
cat "$OUT"
echo >&2
echo "bench: wrote $OUT" >&2
