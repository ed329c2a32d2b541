#!/usr/bin/env bash
# bench/edge.sh — issue 20 item 1: a cached page against nginx serving the same bytes, in both set-ups of the issue,
# with a second Vestnik binary (the one before a change) measured in the same rounds.
#
#   set-ups:  t1w1    wrk -t1 -c64 against nginx with `worker_processes 1`
#             t2auto  wrk -t2 -c64 against nginx with `worker_processes auto`
#   pages:    the demo site's first article and the home page, each as identity and as gzip (nginx: gzip_static with
#             Vestnik's own gzip bytes beside the file, so both send the very same bytes)
#   servers:  nginx, Vestnik (VESTNIK_BIN or a release build of the tree), and BASE_BIN if given, on copies of one
#             database (made by the first start of VESTNIK_BIN: the demo site), default serve options; every page is
#             asked for until it is a cache hit before measuring
#
#   Usage (root, Debian 12):   VESTNIK_BIN=.build/release/vestnik BASE_BIN=/tmp/edge-base/vestnik bash bench/edge.sh
#   Knobs: DURATION=8s ROUNDS=2 CONNS=64 SETUPS="t1w1 t2auto" PAGES="article home" ENCODINGS="identity gzip"
#          QUIET_WAIT=0 QUIET_MAX=20 (as in bench/run.sh), KEEP_TMP=1
#
# Each wrk run is bounded by timeout; everything started is stopped by PID at exit. Only 127.0.0.1 is used.
# Result: bench/results/edge-<date>.md with the raw wrk output beside it.
set -euo pipefail

DURATION=${DURATION:-8s}
ROUNDS=${ROUNDS:-2}
CONNS=${CONNS:-64}
SETUPS=${SETUPS:-t1w1 t2auto}
PAGES=${PAGES:-article home}
ENCODINGS=${ENCODINGS:-identity gzip}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/bench/lib.sh"   # also QUIET_WAIT=0 QUIET_MAX=20 KEEP_TMP=0 unless set

[ "$(id -u)" = 0 ] || die "run as root (it may apt-get install wrk and nginx-light)"
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ && "$CONNS" =~ ^[1-9][0-9]*$ ]] || die "ROUNDS and CONNS must be positive numbers"
[[ "$(secs "$DURATION")" =~ ^[1-9][0-9]*$ ]] || die "DURATION must look like 8s"
for s in $SETUPS; do case "$s" in t1w1 | t2auto) ;; *) die "SETUPS: t1w1 and/or t2auto, not '$s'" ;; esac; done
need_tools wrk=wrk /usr/sbin/nginx=nginx-light curl=curl
command -v ss >/dev/null || die "ss (iproute2) is needed to find free ports"

T=$(mktemp -d /tmp/vestnik-edge.XXXXXX)
chmod 755 "$T"
mkdir -p "$T/static" "$T/wrk"
bench_traps
cd "$ROOT"
build_release
REV=$(tree_rev)
SIDES="new"
if [ -n "${BASE_BIN:-}" ]; then
  BASE=$(readlink -f "$BASE_BIN")
  [ -x "$BASE" ] || die "BASE_BIN=$BASE_BIN is not an executable"
  SIDES="new base"
fi
bin_of() { case "$1" in new) echo "$BIN" ;; base) echo "$BASE" ;; esac; }

# ------------------------------------------------------------ one database, a copy for each binary
log "first start of $BIN: the demo site into $T/new.sqlite"
port=$(pick_port) || die "no free port"
"$BIN" serve --database "$T/new.sqlite" --hostname "$HOST" --port "$port" </dev/null >"$T/first.log" 2>&1 &
pid=$!
track "$pid" vestnik-first
wait_http "http://$HOST:$port/" 180 "$pid" vestnik-first "$T/first.log"
stop_pid "$pid" vestnik-first
cp "$T/new.sqlite" "$T/base.sqlite"
for f in wal shm; do [ ! -e "$T/new.sqlite-$f" ] || cp "$T/new.sqlite-$f" "$T/base.sqlite-$f"; done

LAST_PORT=""
for side in $SIDES; do
  port=$(pick_port "${LAST_PORT:-}") || die "no free port"; LAST_PORT=$port
  "$(bin_of "$side")" serve --database "$T/$side.sqlite" --hostname "$HOST" --port "$port" </dev/null >"$T/$side.log" 2>&1 &
  pid=$!
  track "$pid" "vestnik-$side"
  wait_http "http://$HOST:$port/" 120 "$pid" "vestnik-$side" "$T/$side.log"
  printf -v "PID_$side" '%s' "$pid"
  printf -v "URL_$side" '%s' "http://$HOST:$port"
done

# ------------------------------------------------------------ the pages' bytes, for nginx
fetch_html "$URL_new/" "$T/static/home.html"
ARTICLE_PATH=$(grep -oE 'href="/[^"/?#]+/[^"/?#]+"' "$T/static/home.html" | sed -E 's/^href="(.*)"$/\1/' |
  grep -vE '^/(static|tema|tag|avtor)/' | head -1 || true)
[ -n "$ARTICLE_PATH" ] || die "no article link on the home page"
path_of() { case "$1" in article) echo "$ARTICLE_PATH" ;; home) echo "/" ;; esac; }
hdr_of() { case "$1" in gzip) echo "Accept-Encoding: gzip" ;; *) echo "Accept-Encoding: identity" ;; esac; }
x_cache() { curl -sS --max-time 10 -o /dev/null -D - -H "$(hdr_of "$2")" "$1" | tr -d '\r' | awk -F': ' 'tolower($1) == "x-cache" { print $2 }'; }
for side in $SIDES; do   # until each page is kept (and its gzip copy made)
  url=URL_$side
  for page in $PAGES; do
    for enc in $ENCODINGS; do
      for _ in $(seq 50); do [ "$(x_cache "${!url}$(path_of "$page")" "$enc")" = HIT ] && break; sleep 0.2; done
      [ "$(x_cache "${!url}$(path_of "$page")" "$enc")" = HIT ] || die "$side: $page ($enc) never became a cache hit"
    done
  done
done
SAMES=""
for page in $PAGES; do
  curl -sS --max-time 10 -o "$T/static/$page.html" "$URL_new$(path_of "$page")"
  curl -sS --max-time 10 -H 'Accept-Encoding: gzip' -o "$T/static/$page.html.gz" "$URL_new$(path_of "$page")"
  gzip -t "$T/static/$page.html.gz" || die "$page: Vestnik's gzip answer does not inflate"
  cmp -s <(gzip -dc "$T/static/$page.html.gz") "$T/static/$page.html" || die "$page: gzip and identity differ"
  if [ -n "${BASE:-}" ]; then
    same=yes
    cmp -s <(curl -sS --max-time 10 "$URL_base$(path_of "$page")") "$T/static/$page.html" || same=no
    SAMES="$SAMES $page: base sends the same bytes: $same;"
  fi
done
chmod 644 "$T/static"/*
ASIZE=$(stat -c %s "$T/static/article.html" 2>/dev/null || echo -)
HSIZE=$(stat -c %s "$T/static/home.html" 2>/dev/null || echo -)
AGZ=$(stat -c %s "$T/static/article.html.gz" 2>/dev/null || echo -)
HGZ=$(stat -c %s "$T/static/home.html.gz" 2>/dev/null || echo -)

# ------------------------------------------------------------ nginx, 1 worker and auto
for s in $SETUPS; do
  port=$(pick_port "$LAST_PORT") || die "no free port"; LAST_PORT=$port
  case "$s" in t1w1) workers=1 ;; t2auto) workers=auto ;; esac
  start_nginx_static "$T/static" "$port" "$workers"
  printf -v "PID_nginx_$s" '%s' "$NGINX_PID"
  printf -v "URL_nginx_$s" '%s' "http://$HOST:$port"
  for page in $PAGES; do
    curl -sS --max-time 10 -H 'Accept-Encoding: gzip' -o "$T/nginx-check.gz" "http://$HOST:$port/$page.html"
    cmp -s "$T/nginx-check.gz" "$T/static/$page.html.gz" || die "nginx ($s) does not send Vestnik's gzip bytes of $page"
  done
done

# ------------------------------------------------------------ measuring
printf 'setup\tpage\tencoding\ttarget\tround\treq_s\tp99_ms\tcpu_ms_req\tother_cpu_pct\n' >"$T/runs.tsv"
measure() {   # $1 setup $2 page $3 encoding $4 target $5 round
  local setup=$1 page=$2 enc=$3 target=$4 round=$5 url pid threads out rps p99 m0 m1 s0 s1 w0 w1 req
  case "$setup" in t1w1) threads=1 ;; t2auto) threads=2 ;; esac
  if [ "$target" = nginx ]; then
    local u=URL_nginx_$setup p=PID_nginx_$setup
    url="${!u}/$page.html"; pid=${!p}
  else
    local u=URL_$target p=PID_$target
    url="${!u}$(path_of "$page")"; pid=${!p}
  fi
  out="$T/wrk/$setup-$page-$enc-$target-$round.txt"
  wait_quiet
  m0=$(machine_jiffies); s0=$(tree_jiffies "$pid"); w0=$(own_children_jiffies)
  WRK_THREADS=$threads wrk_run "$CONNS" "$DURATION" "$url" "$out" -H "$(hdr_of "$enc")"
  m1=$(machine_jiffies); s1=$(tree_jiffies "$pid"); w1=$(own_children_jiffies)
  rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
  [ -n "$rps" ] || { cat "$out" >&2; die "no Requests/sec in wrk output ($out)"; }
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
  req=$(awk '/requests in/ { print $1 }' "$out")
  awk -v setup="$setup" -v page="$page" -v enc="$enc" -v target="$target" -v round="$round" -v rps="$rps" -v p99="$p99" \
    -v req="$req" -v s=$((s1 - s0)) -v m=$((m1 - m0)) -v w=$((w1 - w0)) -v hz="$HZ" -v secs="$(secs "$DURATION")" -v ncpu="$NCPU" \
    'BEGIN { other = m - s - w; if (other < 0) other = 0
      printf "%s\t%s\t%s\t%s\t%s\t%.0f\t%s\t%.4f\t%.0f\n", setup, page, enc, target, round, rps, p99,
        (req > 0 ? 1000 * s / hz / req : 0), 100 * other / hz / (secs * ncpu) }' >>"$T/runs.tsv"
  tail -1 "$T/runs.tsv" >&2
}
LOAD_BEFORE=$(uptime)
log "measure: $ROUNDS rounds x [$SETUPS] x [$PAGES] x [$ENCODINGS] x [nginx $SIDES], wrk -c$CONNS -d$DURATION"
for round in $(seq 1 "$ROUNDS"); do
  for setup in $SETUPS; do
    for page in $PAGES; do
      for enc in $ENCODINGS; do
        for target in nginx $SIDES; do measure "$setup" "$page" "$enc" "$target" "$round"; done
      done
    done
  done
done
LOAD_AFTER=$(uptime)
for side in $SIDES; do p=PID_$side; kill -0 "${!p}" 2>/dev/null || die "vestnik-$side died during the measurement"; done

# ------------------------------------------------------------ report
STAMP=$(date +%Y%m%d-%H%M%S)
mkdir -p "$RESULTS"
REPORT=$RESULTS/edge-$STAMP.md
{
  echo "# Cached pages against nginx (bench/edge.sh, $(date -Is))"
  echo
  echo "- Vestnik: $BUILT; tree $REV"
  [ -z "${BASE:-}" ] || echo "- base: $BASE (modified $(date -r "$BASE" '+%F %H:%M'))"
  echo "- article $ARTICLE_PATH: $ASIZE bytes, gzip $AGZ; home: $HSIZE bytes, gzip $HGZ;$SAMES"
  echo "- wrk -c$CONNS -d$DURATION, $ROUNDS rounds; t1w1: wrk -t1, nginx worker_processes 1; t2auto: wrk -t2, nginx auto"
  echo "  ($NCPU CPUs); nginx: sendfile on, access_log off, gzip_static with Vestnik's gzip bytes"
  echo "- load before: $LOAD_BEFORE; after: $LOAD_AFTER"
  echo
  echo "Median over rounds of req/s; ratio = req/s ÷ nginx's in the same set-up, page and encoding; CPU ms/req of"
  echo "the server (all nginx processes); other CPU: share of all CPUs used by anything but the server and wrk."
  echo
  printf '| set-up | page | encoding | nginx req/s | nginx p99 | nginx CPU ms/req |'
  for side in $SIDES; do printf ' %s req/s (ratio) | %s p99 | %s CPU ms/req |' "$side" "$side" "$side"; done
  printf ' other CPU |\n|---|---|---|---|---|---|'
  for side in $SIDES; do printf '%s' '---|---|---|'; done
  printf '%s\n' '---|'
  awk -F'\t' -v sides="$SIDES" 'NR > 1 { k = $1 SUBSEP $2 SUBSEP $3 SUBSEP $4; n[k]++; r[k, n[k]] = $6; p[k, n[k]] = $7; c[k, n[k]] = $8
      o[$1 SUBSEP $2 SUBSEP $3] = (o[$1 SUBSEP $2 SUBSEP $3] > $9 ? o[$1 SUBSEP $2 SUBSEP $3] : $9)
      if (!(($1 SUBSEP $2 SUBSEP $3) in seen)) { seen[$1 SUBSEP $2 SUBSEP $3] = 1; order[++m] = $1 SUBSEP $2 SUBSEP $3 } }
    function med(a, k, cnt,   i, j, t, v) { for (i = 1; i <= cnt; i++) v[i] = a[k, i] + 0
      for (i = 1; i <= cnt; i++) for (j = i + 1; j <= cnt; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
      return cnt % 2 ? v[(cnt + 1) / 2] : (v[cnt / 2] + v[cnt / 2 + 1]) / 2 }
    END { ns = split(sides, sd, " ")
      for (i = 1; i <= m; i++) { split(order[i], q, SUBSEP); kn = order[i] SUBSEP "nginx"; nr = med(r, kn, n[kn])
        printf "| %s | %s | %s | %.0f | %.2f ms | %.4f |", q[1], q[2], q[3], nr, med(p, kn, n[kn]), med(c, kn, n[kn])
        for (j = 1; j <= ns; j++) { kv = order[i] SUBSEP sd[j]; vr = med(r, kv, n[kv])
          printf " %.0f (**%.2f×**) | %.2f ms | %.4f |", vr, (nr ? vr / nr : 0), med(p, kv, n[kv]), med(c, kv, n[kv]) }
        printf " ≤ %.0f %% |\n", o[order[i]] } }' "$T/runs.tsv"
  echo
  echo "Every run (req/s, p99 ms, CPU ms/req, other CPU %):"
  echo
  echo '```'
  column -t -s $'\t' "$T/runs.tsv"
  echo '```'
} >"$REPORT"
cp -r "$T/wrk" "$RESULTS/edge-$STAMP-wrk"
cat "$REPORT"
OK=1
