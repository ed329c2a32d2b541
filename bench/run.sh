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
RESULTS=$ROOT/bench/results
HOST=127.0.0.1

log() { printf '\n== %s  %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { echo "bench: $*" >&2; exit 1; }
secs() {   # "10s" / "2m" / "10" -> seconds
  case "$1" in *s) echo "${1%s}" ;; *m) echo $((${1%m} * 60)) ;; *h) echo $((${1%h} * 3600)) ;; *) echo "$1" ;; esac
}

[ "$(id -u)" = 0 ] || die "run as root (it may apt-get install wrk and nginx-light)"
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive number"
for c in $CONNS; do [[ "$c" =~ ^[1-9][0-9]*$ ]] || die "CONNS must be positive numbers, not '$c'"; done
[[ "$(secs "$DURATION")" =~ ^[1-9][0-9]*$ ]] || die "DURATION must look like 10s"
[[ "$(secs "$WARMUP")" =~ ^[0-9]+$ ]] || die "WARMUP must look like 3s"
[[ "$QUIET_WAIT" =~ ^[0-9]+$ && "$QUIET_MAX" =~ ^[0-9]+$ ]] || die "QUIET_WAIT and QUIET_MAX must be numbers"

# ------------------------------------------------------------------ tools
missing=()
command -v wrk >/dev/null || missing+=(wrk)
[ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v curl >/dev/null || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi
NGINX=/usr/sbin/nginx
command -v ss >/dev/null || die "ss (iproute2) is needed to find free ports"

# ------------------------------------------------- cleanup (by PID only)
T=""
VESTNIK_PID=""
NGINX_PID=""
WRK_PID=""
OK=0
stop_pid() {   # $1 pid  $2 name: TERM, wait up to 15 s, then KILL
  local pid=$1 name=$2 i
  [ -n "$pid" ] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  kill "$pid" 2>/dev/null || true
  for i in $(seq 1 75); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then echo "bench: $name (pid $pid) still up after 15 s, sending KILL" >&2; kill -9 "$pid" 2>/dev/null || true; fi
  wait "$pid" 2>/dev/null || true
  echo "bench: stopped $name (pid $pid)" >&2
}
cleanup() {
  local rc=$?
  set +e
  stop_pid "$WRK_PID" wrk
  stop_pid "$NGINX_PID" nginx
  stop_pid "$VESTNIK_PID" vestnik
  if [ -n "$T" ] && [ -d "$T" ]; then
    if [ "$OK" = 1 ] && [ "$KEEP_TMP" != 1 ]; then rm -rf "$T"
    else echo "bench: temporary files kept in $T" >&2; fi
  fi
  [ "$rc" = 0 ] || echo "bench: FAILED (exit $rc)" >&2
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

T=$(mktemp -d /tmp/vestnik-bench.XXXXXX)
chmod 755 "$T"                    # nginx workers (user nobody) read $T/static
mkdir -p "$T/static" "$T/wrk"

# ------------------------------------------------------------------ build
cd "$ROOT"
if [ -n "${VESTNIK_BIN:-}" ]; then
  BIN=$(readlink -f "$VESTNIK_BIN")
  [ -x "$BIN" ] || die "VESTNIK_BIN=$VESTNIK_BIN is not an executable"
  BUILT="given binary $BIN (VESTNIK_BIN), modified $(date -r "$BIN" '+%F %H:%M'); not rebuilt"
else
log "swift build -c release --product vestnik --scratch-path .build-release"
build() { swift build -c release --product vestnik --scratch-path .build-release 2>&1 | tee "$T/build.log" >&2; }
# An editor saving a source file mid-build makes swiftc stop with "was modified during
# the build"; that is worth one more try, anything else is not.
if ! build; then
  grep -q 'was modified during the build' "$T/build.log" || die "release build failed (see above)"
  log "a source file changed during the build; building again"
  build || die "release build failed (see above)"
fi
BIN=$(swift build -c release --product vestnik --scratch-path .build-release --show-bin-path)/vestnik
[ -x "$BIN" ] || die "no binary at $BIN"
BUILT="swift build -c release (--scratch-path .build-release) of the working tree"
fi

# The tree as built (read now: someone may commit while we measure).
REV=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
# SwiftPM compiles every file under Sources/, committed or not.
DIRTY=$(git -C "$ROOT" status --porcelain -- Package.swift Sources content 2>/dev/null | wc -l)
[ "$DIRTY" = 0 ] || REV="$REV, plus $DIRTY uncommitted or untracked paths under Package.swift, Sources/, content/ (built in)"

# ------------------------------------------------------------ free ports
port_free() { [ -z "$(ss -Htln "sport = :$1")" ]; }
pick_port() {   # a free TCP port in 20000..59999, different from $1
  local p i
  for i in $(seq 1 500); do
    p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    [ "$p" != "${1:-}" ] && port_free "$p" && { echo "$p"; return 0; }
  done
  return 1
}
VPORT=$(pick_port) || die "no free port"
NPORT=$(pick_port "$VPORT") || die "no free port"

# --------------------------------------------------------------- vestnik
log "start vestnik on $HOST:$VPORT (fresh database $T/bench.sqlite)"
"$BIN" serve --database "$T/bench.sqlite" --hostname "$HOST" --port "$VPORT" </dev/null >"$T/vestnik.log" 2>&1 &
VESTNIK_PID=$!
VURL=http://$HOST:$VPORT
for i in $(seq 1 600); do     # up to 120 s: first start migrates and imports the demo site
  kill -0 "$VESTNIK_PID" 2>/dev/null || { tail -20 "$T/vestnik.log" >&2; VESTNIK_PID=""; die "vestnik exited during start"; }
  [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$VURL/" || true)" = 200 ] && break
  sleep 0.2
done
[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$VURL/" || true)" = 200 ] || { tail -20 "$T/vestnik.log" >&2; die "vestnik did not answer 200 on / within 120 s"; }
grep -h 'Loaded the demo site' "$T/vestnik.log" >&2 || true

# --------------------------------------------------- pages and the article
fetch() {   # $1 url  $2 file: exact bytes, must be 200 text/html
  local out code ctype
  out=$(curl -sS --max-time 30 -o "$2" -w '%{http_code} %{content_type}' "$1") || die "cannot fetch $1"
  code=${out%% *}; ctype=${out#* }
  [ "$code" = 200 ] || die "$1 answered HTTP $code"
  [[ "$ctype" == text/html* ]] || die "$1 answered Content-Type '$ctype'"
}
fetch "$VURL/" "$T/static/home.html"
# First link shaped /<section>/<slug>; topic, tag, author and asset links share that shape.
ARTICLE_PATH=$(grep -oE 'href="/[^"/?#]+/[^"/?#]+"' "$T/static/home.html" | sed -E 's/^href="(.*)"$/\1/' |
  grep -vE '^/(static|tema|tag|avtor)/' | head -1 || true)
[ -n "$ARTICLE_PATH" ] || die "no article link (href=\"/<section>/<slug>\") on the home page"
fetch "$VURL$ARTICLE_PATH" "$T/static/article.html"
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
cat >"$T/nginx.conf" <<EOF
# private nginx for bench/run.sh; started with -c $T/nginx.conf
daemon off;
worker_processes auto;
pid $T/nginx.pid;
error_log $T/nginx-error.log warn;
events { worker_connections 1024; }
http {
    client_body_temp_path $T/nginx-tmp/body;
    proxy_temp_path       $T/nginx-tmp/proxy;
    fastcgi_temp_path     $T/nginx-tmp/fastcgi;
    uwsgi_temp_path       $T/nginx-tmp/uwsgi;
    scgi_temp_path        $T/nginx-tmp/scgi;
    access_log off;
    sendfile on;
    # tcp_nopush (TCP_CORK) stays off: with it wrk 4.1 reports wrong latencies
    # for responses over 64 KiB (see /work/shared/peers/README.md).
    tcp_nopush off;
    server {
        listen $HOST:$NPORT;
        server_name $HOST;
        root $T/static;
        location / {
            types { }
            default_type "text/html; charset=utf-8";
        }
    }
}
EOF
mkdir -p "$T/nginx-tmp"
"$NGINX" -t -q -c "$T/nginx.conf" -e "$T/nginx-error.log" || die "nginx config test failed"
"$NGINX" -c "$T/nginx.conf" -e "$T/nginx-error.log" </dev/null >"$T/nginx.out" 2>&1 &
NGINX_PID=$!
NURL=http://$HOST:$NPORT
for i in $(seq 1 50); do
  kill -0 "$NGINX_PID" 2>/dev/null || { cat "$T/nginx-error.log" >&2; NGINX_PID=""; die "nginx exited during start"; }
  [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$NURL/home.html" || true)" = 200 ] && break
  sleep 0.1
done
for p in article home; do
  out=$(curl -sS --max-time 10 -o "$T/check-$p.html" -w '%{http_code} %{content_type}' "$NURL/$p.html") || die "nginx: cannot fetch /$p.html"
  [ "$out" = "200 text/html; charset=utf-8" ] || die "nginx /$p.html answered '$out'"
  cmp -s "$T/check-$p.html" "$T/static/$p.html" || die "nginx /$p.html differs from the saved page"
done

# ------------------------------------------------------------ measurement
HZ=$(getconf CLK_TCK)
NCPU=$(nproc)
tree_jiffies() {   # utime+stime+cutime+cstime of pid $1 and its direct children
  local p
  { cat "/proc/$1/stat"; for p in $(cat "/proc/$1/task/"*/children 2>/dev/null); do cat "/proc/$p/stat"; done; } 2>/dev/null |
    awk '{ sub(/^.*\) /, ""); t += $12 + $13 + $14 + $15 } END { printf "%d\n", t }'
}
cpu_snap() {   # "<machine busy> <vestnik> <nginx> <this shell's reaped children = wrk>" in jiffies
  echo "$(awk 'NR == 1 { print $2 + $3 + $4 + $7 + $8 }' /proc/stat) $(tree_jiffies "$VESTNIK_PID")" \
       "$(tree_jiffies "$NGINX_PID") $(awk '{ sub(/^.*\) /, ""); print $14 + $15 }' "/proc/$$/stat")"
}
to_ms() {   # wrk's "1.23ms" / "456.00us" / "1.02s" / "2.00m" -> milliseconds
  awk -v v="$1" 'BEGIN { if (v == "") { print "-"; exit } u = v; sub(/^[0-9.]+/, "", u); x = v + 0;
    if (u == "us") x /= 1000; else if (u == "s") x *= 1000; else if (u == "m") x *= 60000; printf "%.2f\n", x }'
}
url_of() { case "$1" in vestnik-article) echo "$VURL$ARTICLE_PATH" ;; nginx-article) echo "$NURL/article.html" ;;
                        vestnik-home) echo "$VURL/" ;; nginx-home) echo "$NURL/home.html" ;; esac; }
TARGETS="vestnik-article nginx-article vestnik-home nginx-home"
WRK_LIMIT=$(( $(secs "$DURATION") + 30 ))

wrk_run() {   # $1 conns  $2 duration  $3 url  $4 output file
  local c=$1 t=2 rc=0
  [ "$c" -ge 2 ] || t=1
  timeout -k 5 "$WRK_LIMIT" wrk -t"$t" -c"$c" -d"$2" --latency "$3" >"$4" 2>&1 &
  WRK_PID=$!
  wait "$WRK_PID" || rc=$?
  WRK_PID=""
  [ "$rc" = 0 ] || { cat "$4" >&2; die "wrk exited with $rc ($3)"; }
}

busy_pct() {   # whole-machine busy % over 2 s (between runs our servers are idle, so: others)
  local a b
  read -r -a a < <(head -1 /proc/stat); sleep 2; read -r -a b < <(head -1 /proc/stat)
  awk -v a="${a[*]}" -v b="${b[*]}" 'BEGIN { split(a, x, " "); split(b, y, " "); t = 0
    for (i = 2; i <= 9; i++) t += y[i] - x[i]; idle = (y[5] - x[5]) + (y[6] - x[6]); printf "%.0f\n", t ? 100 * (t - idle) / t : 0 }'
}
wait_quiet() {
  [ "$QUIET_WAIT" -gt 0 ] || return 0
  local t0=$SECONDS b
  while :; do
    b=$(busy_pct)
    [ "$b" -le "$QUIET_MAX" ] && return 0
    if [ $((SECONDS - t0)) -ge "$QUIET_WAIT" ]; then echo "  (machine still ${b}% busy after ${QUIET_WAIT}s; measuring anyway)" >&2; return 0; fi
    sleep 1
  done
}

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
