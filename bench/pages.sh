#!/usr/bin/env bash
# bench/pages.sh — issue 7's page benchmark in one command:
#
#   phase 1 (the demo site, one article page, side by side in alternating rounds, wrk -t2 -c64 and -t1 -c1):
#     nginx      the article's exact bytes as a static file (the ceiling)
#     cached     Vestnik with its default serve options (the page cache, once it exists)
#     cold       Vestnik with the page cache off (--page-cache-mb 0, when the binary has that option)
#     wordpress  stock WordPress 6.1 on a comparable article (/work/shared/peers/wordpress-bench.sh's servers)
#   phase 2 (scale): the cold server on generated sites of SMALL and BIG articles (bench/generate.py), wrk -c64 on
#     random article pages of the whole site: p50, p99 and the server's peak resident memory (VmHWM).
#
#   Usage (root, Debian 12, from anywhere):   bash bench/pages.sh
#   Knobs (environment):
#     DURATION=10s ROUNDS=3 CONNS="64 1" WARMUP=3s  as in bench/run.sh
#     QUIET_WAIT=0 QUIET_MAX=20                     wait before each run for an idle machine (0: do not wait)
#     WORDPRESS=1      0 leaves WordPress out
#     WP_DIR=/tmp/wpbench-perf   wordpress-bench.sh's work folder (its W). If it holds a finished setup, its MariaDB,
#                      php-fpm and nginx are started again from it; otherwise wordpress-bench.sh is run once first
#                      (W=$WP_DIR ROUNDS=1 DURATION=3s QUIET_WAIT=0; it installs packages unless SKIP_INSTALL=1)
#     PHASE1=1         0 skips phase 1 (nginx, WordPress and the demo site)
#     ARTICLE=bench/article/plovdiv-plan-gradski-transport-2030.md   phase 1's article, imported into the demo site:
#                      40 paragraphs and three headings, the shape of WordPress's; ARTICLE=demo takes the demo's
#                      first article instead (about a tenth of the text), as runs before 2026-11-25 evening did
#     SCALE=1          0 skips phase 2
#     SMALL=1000 BIG=1000000   article counts of phase 2
#     SCALE_MODES="cold cached"  servers of phase 2: page cache off, and the default options, both up at once
#     SCALE_ROUNDS=1   alternating rounds of phase 2 (each mode measured once per round)
#     SCALE_DIR=/tmp/vestnik-pages-scale   where the generated databases live; kept and reused across runs
#                      (delete it to generate again; generating 1,000,000 takes several minutes)
#     VESTNIK_BIN=...  measure this binary instead of building
#     KEEP_TMP=1       keep the temporary folder
#
# Everything it starts (vestnik, nginx, wrk, and WordPress's mariadbd, php-fpm and nginx) is stopped by PID at exit,
# also on error or ^C; each wrk run is bounded by timeout. Only 127.0.0.1 is used.
# Result: bench/results/pages-<date>.md, with the raw wrk output beside it.
set -euo pipefail

DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-64 1}
WARMUP=${WARMUP:-3s}
WORDPRESS=${WORDPRESS:-1}
WP_DIR=${WP_DIR:-/tmp/wpbench-perf}
PHASE1=${PHASE1:-1}
SCALE=${SCALE:-1}
SCALE_MODES=${SCALE_MODES:-cold cached}
SMALL=${SMALL:-1000}
BIG=${BIG:-1000000}
SCALE_DIR=${SCALE_DIR:-/tmp/vestnik-pages-scale}
SCALE_ROUNDS=${SCALE_ROUNDS:-1}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/bench/lib.sh"
ARTICLE=${ARTICLE:-$BENCH_ARTICLE}
WP_SCRIPT=/work/shared/peers/wordpress-bench.sh

[ "$(id -u)" = 0 ] || die "run as root (it may apt-get install wrk and nginx-light, and WordPress runs as www-data)"
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive number"
for c in $CONNS; do [[ "$c" =~ ^[1-9][0-9]*$ ]] || die "CONNS must be positive numbers, not '$c'"; done
[[ "$(secs "$DURATION")" =~ ^[1-9][0-9]*$ ]] || die "DURATION must look like 10s"
[[ "$SMALL" =~ ^[1-9][0-9]*$ && "$BIG" =~ ^[1-9][0-9]*$ ]] || die "SMALL and BIG must be positive numbers"
case "$WP_DIR" in /tmp/?*) ;; *) die "WP_DIR must be under /tmp (wordpress-bench.sh wipes it)" ;; esac
need_tools wrk=wrk /usr/sbin/nginx=nginx-light curl=curl python3=python3
command -v ss >/dev/null || die "ss (iproute2) is needed to find free ports"

T=$(mktemp -d /tmp/vestnik-pages.XXXXXX)
chmod 755 "$T"                    # nginx workers read $T/static
mkdir -p "$T/static" "$T/wrk"

# ----------------------------------------------------- WordPress (its own pid files)
wp_alive() { [ -e "/proc/$1" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }
wp_stop_pidfile() {   # as wordpress-bench.sh: only the pid in the file, and only if it still runs what we started
  local f=$1 want=$2 pid i
  [ -s "$f" ] || return 0
  pid=$(cat "$f")
  if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$want"; then
    kill "$pid" 2>/dev/null || true
    for i in $(seq 1 150); do wp_alive "$pid" || break; sleep 0.2; done
    if wp_alive "$pid"; then echo "bench: pid $pid still up after 30 s, sending KILL" >&2; kill -9 "$pid" || true; fi
    echo "bench: stopped pid $pid ($f)" >&2
  fi
  rm -f "$f"
}
WP_STARTED=0
wp_stop() {
  [ "$WP_STARTED" = 1 ] || return 0
  wp_stop_pidfile "$WP_DIR/nginx.pid" "-c $WP_DIR/nginx.conf"
  wp_stop_pidfile "$WP_DIR/php-fpm.pid" "($WP_DIR/php-fpm.conf)"
  wp_stop_pidfile "$WP_DIR/mysql/mysqld.pid" "--pid-file=$WP_DIR/mysql/mysqld.pid"
  WP_STARTED=0
}
bench_on_exit() { wp_stop; }
bench_traps

wp_ready() {   # a finished wordpress-bench.sh setup in WP_DIR, and the site config still pointing at it
  [ -s "$WP_DIR/results/summary.txt" ] && [ -d "$WP_DIR/mysql/data" ] && [ -s "$WP_DIR/php-fpm.conf" ] &&
    grep -qF "$WP_DIR/mysql/mysqld.sock" /etc/wordpress/config-127.0.0.1.php 2>/dev/null
}
wp_start() {   # the servers of wordpress-bench.sh, started again from its files (same commands as the script)
  local phpv i
  port_free 8081 && port_free 8082 || die "ports 8081/8082 are taken (another wordpress-bench.sh running?); WORDPRESS=0 skips it"
  log "WordPress: MariaDB, php-fpm and nginx from $WP_DIR"
  WP_STARTED=1
  /usr/sbin/mariadbd --user=mysql --datadir="$WP_DIR/mysql/data" --socket="$WP_DIR/mysql/mysqld.sock" \
    --pid-file="$WP_DIR/mysql/mysqld.pid" --skip-networking --log-error="$WP_DIR/mysql/mysqld.err" \
    </dev/null >/dev/null 2>&1 &
  for i in $(seq 1 150); do mariadb-admin --socket="$WP_DIR/mysql/mysqld.sock" -uroot ping >/dev/null 2>&1 && break; sleep 0.2; done
  for i in $(seq 1 50); do [ -s "$WP_DIR/mysql/mysqld.pid" ] && break; sleep 0.1; done
  [ -s "$WP_DIR/mysql/mysqld.pid" ] || die "MariaDB did not start (see $WP_DIR/mysql/mysqld.err)"
  phpv=$(php -r 'echo PHP_MAJOR_VERSION.".".PHP_MINOR_VERSION;')
  "/usr/sbin/php-fpm$phpv" --fpm-config "$WP_DIR/php-fpm.conf"
  for i in $(seq 1 50); do [ -S "$WP_DIR/php-fpm.sock" ] && [ -s "$WP_DIR/php-fpm.pid" ] && break; sleep 0.1; done
  /usr/sbin/nginx -c "$WP_DIR/nginx.conf" -e "$WP_DIR/nginx-error.log"
  for i in $(seq 1 50); do [ -s "$WP_DIR/nginx.pid" ] && break; sleep 0.1; done
  WP_URL=$(awk '/^WordPress article:/ { print $3 }' "$WP_DIR/results/summary.txt")
  [ -n "$WP_URL" ] || die "no article URL in $WP_DIR/results/summary.txt"
  for i in $(seq 1 50); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$WP_URL" || true)" = 200 ] && break; sleep 0.2
  done
  WP_BYTES=$(curl -sS --max-time 10 "$WP_URL" | wc -c)
  [ "$WP_BYTES" -gt 10000 ] || die "WordPress did not answer its article ($WP_URL)"
}
[ "$PHASE1" = 1 ] || WORDPRESS=0
if [ "$WORDPRESS" = 1 ]; then
  if ! wp_ready; then
    log "no WordPress setup in $WP_DIR: running $WP_SCRIPT once (W=$WP_DIR ROUNDS=1 DURATION=3s QUIET_WAIT=0)"
    [ -r "$WP_SCRIPT" ] || die "$WP_SCRIPT is missing; WORDPRESS=0 skips WordPress"
    W=$WP_DIR ROUNDS=1 DURATION=3s QUIET_WAIT=0 bash "$WP_SCRIPT" >"$T/wordpress-setup.log" 2>&1 ||
      { tail -30 "$T/wordpress-setup.log" >&2; die "wordpress-bench.sh failed"; }
    wp_ready || die "wordpress-bench.sh finished but $WP_DIR holds no usable setup"
  fi
fi

# ------------------------------------------------------------------ build
cd "$ROOT"
build_release
REV=$(tree_rev)
# The help is read whole first: `grep -q` closing the pipe early would fail the pipeline under pipefail (and make
# this binary look as if it had no page cache).
SERVE_HELP=$("$BIN" serve --help 2>&1 || true)
if grep -q -- '--page-cache-mb' <<<"$SERVE_HELP"; then
  COLD_ARGS=(--page-cache-mb 0); HAS_CACHE=1
else
  COLD_ARGS=(); HAS_CACHE=0
fi

# ------------------------------------------------------------------ phase 1
start_vestnik() {   # $1 name  $2 database  $3 port  [serve options…]; sets PID_<name>
  local name=$1 db=$2 port=$3 pid
  shift 3
  "$BIN" serve --database "$db" --hostname "$HOST" --port "$port" "$@" </dev/null >"$T/vestnik-$name.log" 2>&1 &
  pid=$!
  track "$pid" "vestnik-$name"
  printf -v "PID_$name" '%s' "$pid"
  wait_http "http://$HOST:$port/" 300 "$pid" "vestnik ($name)" "$T/vestnik-$name.log"
}
stop_vestnik() { local v="PID_$1"; stop_pid "${!v}" "vestnik-$1"; printf -v "PID_$1" '%s' ""; }

TARGETS=""; ARTICLE_PATH=""; ASIZE=0; SAME=""; HWM_DEMO=""; LOAD_BEFORE=""; LOAD_AFTER=""; WP_URL=""; WP_BYTES=0
printf 'target\tconns\tround\treq_s\tp50_ms\tp99_ms\trequests\tnon2xx\tsocket_errors\tcpu_ms_req\tother_cpu_pct\n' >"$T/runs.tsv"
if [ "$PHASE1" = 1 ]; then
CPORT=$(pick_port) || die "no free port"
DPORT=$(pick_port "$CPORT") || die "no free port"
NPORT=$(pick_port "$DPORT") || die "no free port"
log "phase 1: vestnik on a fresh demo site ($T/demo.sqlite): default options on $CPORT, cold (${COLD_ARGS[*]:-no option: there is no page cache yet}) on $DPORT"
start_vestnik cached "$T/demo.sqlite" "$CPORT"
start_vestnik cold "$T/demo.sqlite" "$DPORT" "${COLD_ARGS[@]}"
CURL=http://$HOST:$CPORT
DURL=http://$HOST:$DPORT
if [ "$ARTICLE" = demo ]; then
  fetch_html "$DURL/" "$T/home.html"
  ARTICLE_PATH=$(grep -oE 'href="/[^"/?#]+/[^"/?#]+"' "$T/home.html" | sed -E 's/^href="(.*)"$/\1/' |
    grep -vE '^/(static|tema|tag|avtor)/' | head -1 || true)
  [ -n "$ARTICLE_PATH" ] || die "no article link on the home page"
else
  # The article WordPress is measured on has 40 paragraphs; the demo's are a tenth of that. Import one of the same
  # shape into the running demo site (as the newsroom's command line would) and measure on it.
  ARTICLE_PATH=$(import_article "$BIN" "$T/demo.sqlite" "$ARTICLE" "$DURL" "$CURL")
fi
fetch_html "$DURL$ARTICLE_PATH" "$T/static/article.html"
chmod 644 "$T/static/article.html"
fetch_html "$CURL$ARTICLE_PATH" "$T/article-cached.html"
ASIZE=$(stat -c %s "$T/static/article.html")
# The two servers differ only in their port, which absolute links carry.
SAME=yes; cmp -s "$T/static/article.html" <(sed "s/:$CPORT\//:$DPORT\//g" "$T/article-cached.html") || SAME=no
echo "article $ARTICLE_PATH: $ASIZE bytes (cached server's copy identical but for the port: $SAME)" >&2

start_nginx_static "$T/static" "$NPORT"
NURL=http://$HOST:$NPORT

WP_URL=""; WP_BYTES=0
[ "$WORDPRESS" = 1 ] && wp_start

TARGETS="nginx cached cold"
[ "$WORDPRESS" = 1 ] && TARGETS="$TARGETS wordpress"
url_of() { case "$1" in nginx) echo "$NURL/article.html" ;; cached) echo "$CURL$ARTICLE_PATH" ;;
                        cold) echo "$DURL$ARTICLE_PATH" ;; wordpress) echo "$WP_URL" ;; esac; }
server_jiffies() {   # CPU of the processes serving a target (WordPress: nginx + php-fpm + MariaDB)
  case "$1" in
    nginx) tree_jiffies "$NGINX_PID" ;;
    cached) tree_jiffies "$PID_cached" ;;
    cold) tree_jiffies "$PID_cold" ;;
    wordpress) echo $(( $(tree_jiffies "$(cat "$WP_DIR/nginx.pid")") + $(tree_jiffies "$(cat "$WP_DIR/php-fpm.pid")") \
                       + $(tree_jiffies "$(cat "$WP_DIR/mysql/mysqld.pid")") )) ;;
  esac
}

measure() {   # $1 target  $2 conns  $3 round
  local target=$1 c=$2 r=$3 f m0 m1 j0 j1 w0 w1 t0 t1 rps p50 p99 reqs non2xx serr cpu
  f="$T/wrk/$target-c$c-r$r.txt"
  wait_quiet
  m0=$(machine_jiffies); j0=$(server_jiffies "$target"); w0=$(own_children_jiffies); t0=$(date +%s.%N)
  wrk_run "$c" "$DURATION" "$(url_of "$target")" "$f"
  t1=$(date +%s.%N); m1=$(machine_jiffies); j1=$(server_jiffies "$target"); w1=$(own_children_jiffies)
  rps=$(awk '/^Requests\/sec/ { print $2 }' "$f")
  [ -n "$rps" ] || { cat "$f" >&2; die "no Requests/sec in wrk output ($target c=$c)"; }
  p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$f")")
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$f")")
  reqs=$(awk '/requests in/ { print $1 }' "$f")
  non2xx=$(awk '/Non-2xx or 3xx responses/ { print $NF }' "$f"); non2xx=${non2xx:-0}
  serr=$(awk -F': ' '/Socket errors/ { gsub(/,/, ""); print $2 }' "$f"); serr=${serr:-none}
  cpu=$(awk -v m0="$m0" -v m1="$m1" -v j0="$j0" -v j1="$j1" -v w0="$w0" -v w1="$w1" -v t0="$t0" -v t1="$t1" \
      -v hz="$HZ" -v n="$NCPU" -v q="$reqs" 'BEGIN { if (q < 1) q = 1
    o = (m1 - m0) - (j1 - j0) - (w1 - w0); if (o < 0) o = 0
    printf "%.3f\t%.0f", 1000 * (j1 - j0) / hz / q, 100 * o / ((t1 - t0) * hz * n) }')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$target" "$c" "$r" "$rps" "$p50" "$p99" "$reqs" "$non2xx" "$serr" "$cpu" >>"$T/runs.tsv"
  printf '%-10s c=%-3s round %s: %10s req/s  p50 %8s ms  p99 %8s ms  CPU %s ms/req  non-2xx %s  socket errors: %s  (other CPU %s%%)\n' \
    "$target" "$c" "$r" "$rps" "$p50" "$p99" "${cpu%%$'\t'*}" "$non2xx" "$serr" "${cpu##*$'\t'}" >&2
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
if [ "$(secs "$WARMUP")" -gt 0 ]; then
  log "warm-up: $WARMUP per target"
  for target in $TARGETS; do wrk_run 8 "$WARMUP" "$(url_of "$target")" "$T/wrk/warmup-$target.txt"; done
fi
log "measure: $ROUNDS rounds x conns [$CONNS] x [$TARGETS], wrk -d$DURATION --latency each"
for r in $(seq 1 "$ROUNDS"); do
  for c in $CONNS; do
    for target in $TARGETS; do measure "$target" "$c" "$r"; done
  done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
for v in cached cold; do pv="PID_$v"; kill -0 "${!pv}" 2>/dev/null || die "vestnik ($v) died during the measurement"; done
HWM_DEMO=$(awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$PID_cold/status")
stop_vestnik cached; stop_vestnik cold
stop_pid "$NGINX_PID" nginx
wp_stop
fi

# ------------------------------------------------------------------ phase 2
SCALE_ROWS=""
if [ "$SCALE" = 1 ]; then
  mkdir -p "$SCALE_DIR"
  cat >"$T/random.lua" <<'EOF'
-- A random article of the generated site on every request: /rubrika-<1 + i % 8>/statia-<i>, i in 1..N.
local n = tonumber(os.getenv("ARTICLES"))
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
request = function()
  local i = math.random(1, n)
  return wrk.format("GET", "/rubrika-" .. (1 + i % 8) .. "/statia-" .. i)
end
EOF
  for count in "$SMALL" "$BIG"; do
    db=$SCALE_DIR/site-$count.sqlite
    if [ ! -s "$db" ] || [ ! -e "$db.done" ]; then
      log "phase 2: generating $count articles into $db"
      rm -f "$db" "$db-wal" "$db-shm" "$db.done"
      "$BIN" migrate --database "$db" >"$T/migrate-$count.log" 2>&1 || { cat "$T/migrate-$count.log" >&2; die "migrate failed"; }
      t0=$SECONDS
      python3 "$ROOT/bench/generate.py" "$db" "$count" || die "generate.py failed"
      echo "$count articles generated in $((SECONDS - t0)) s on $(date -Is)" >"$db.done"
    fi
    # Read the whole file once, so that both sites are measured from the OS's file cache, as a server that has been
    # up for a while reads them: a cold 5.5 GB file would measure the disk instead (the 3 s warm-up below touches
    # only a fraction of a million articles).
    log "phase 2: reading $db into the OS's file cache"
    cat "$db" "$db-wal" >/dev/null 2>&1 || true
    # Both servers run at once and are measured in alternating rounds, so a change in the machine's load falls on both.
    declare -A SPID SURL_OF
    for mode in $SCALE_MODES; do
      SPORT=$(pick_port) || die "no free port"
      log "phase 2: $mode vestnik on $count articles ($(cat "$db.done"); $(du -m "$db" | cut -f1) MB)"
      if [ "$mode" = cold ]; then start_vestnik "scale_$mode" "$db" "$SPORT" --no-demo "${COLD_ARGS[@]}"
      else start_vestnik "scale_$mode" "$db" "$SPORT" --no-demo; fi
      pv="PID_scale_$mode"; SPID[$mode]=${!pv}; SURL_OF[$mode]=http://$HOST:$SPORT
      fetch_html "${SURL_OF[$mode]}/rubrika-2/statia-1" "$T/scale-$mode-$count-article.html"
    done
    export ARTICLES=$count
    for mode in $SCALE_MODES; do
      wrk_run 64 "$WARMUP" "${SURL_OF[$mode]}/" "$T/wrk/scale-$mode-$count-warmup.txt" -s "$T/random.lua"
    done
    for r in $(seq 1 "$SCALE_ROUNDS"); do
    for mode in $SCALE_MODES; do
    wait_quiet
    m0=$(machine_jiffies); j0=$(tree_jiffies "${SPID[$mode]}"); w0=$(own_children_jiffies); t0=$(date +%s.%N)
    f=$T/wrk/scale-$mode-$count-r$r.txt
    wrk_run 64 "$DURATION" "${SURL_OF[$mode]}/" "$f" -s "$T/random.lua"
    t1=$(date +%s.%N); m1=$(machine_jiffies); j1=$(tree_jiffies "${SPID[$mode]}"); w1=$(own_children_jiffies)
    reqs=$(awk '/requests in/ { print $1 }' "$f")
    non2xx=$(awk '/Non-2xx or 3xx responses/ { print $NF }' "$f"); non2xx=${non2xx:-0}
    hwm=$(awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/${SPID[$mode]}/status")
    rss=$(awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/${SPID[$mode]}/status")
    other=$(awk -v m0="$m0" -v m1="$m1" -v j0="$j0" -v j1="$j1" -v w0="$w0" -v w1="$w1" -v t0="$t0" -v t1="$t1" \
      -v hz="$HZ" -v n="$NCPU" 'BEGIN { o = (m1 - m0) - (j1 - j0) - (w1 - w0); if (o < 0) o = 0
      printf "%.0f", 100 * o / ((t1 - t0) * hz * n) }')
    row=$(printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s' "$mode" "$count" "$(awk '/^Requests\/sec/ { print $2 }' "$f")" \
      "$(to_ms "$(awk '$1 == "50%" { print $2 }' "$f")")" "$(to_ms "$(awk '$1 == "99%" { print $2 }' "$f")")" \
      "$(awk -v a="$j0" -v b="$j1" -v hz="$HZ" -v q="$reqs" 'BEGIN { printf "%.3f", q ? 1000 * (b - a) / hz / q : 0 }')" \
      "$non2xx" "$hwm" "$rss" "$r" "$other")
    echo "$row" >&2
    SCALE_ROWS+="$row"$'\n'
    done
    done
    for mode in $SCALE_MODES; do stop_vestnik "scale_$mode"; done
  done
fi

# ------------------------------------------------------------------ report
log "report"
mkdir -p "$RESULTS"
STAMP=$(date +%F-%H%M%S)
OUT=$RESULTS/pages-$STAMP.md
mkdir -p "$RESULTS/pages-$STAMP-wrk"
cp "$T/wrk/"*.txt "$T/runs.tsv" "$RESULTS/pages-$STAMP-wrk/" 2>/dev/null || true
printf '%s' "$SCALE_ROWS" >"$RESULTS/pages-$STAMP-wrk/scale.tsv"

SUMMARY=$(awk -F'\t' -v conns="$CONNS" -v targets="$TARGETS" 'NR > 1 { k = $1 SUBSEP $2; n[k]++; rps[k, n[k]] = $4
    p50[k, n[k]] = $5; p99[k, n[k]] = $6; cpu[k, n[k]] = $10 }
  END {
    nt = split(targets, tg, " "); nc = split(conns, cs, " ")
    for (i = 1; i <= nt; i++) for (j = 1; j <= nc; j++) {
      k = tg[i] SUBSEP cs[j]; m = n[k]
      for (a = 1; a <= m; a++) idx[a] = a
      for (a = 1; a <= m; a++) for (b = a + 1; b <= m; b++) if (rps[k, idx[b]] + 0 < rps[k, idx[a]] + 0) { t = idx[a]; idx[a] = idx[b]; idx[b] = t }
      med = idx[int((m + 1) / 2)]; R[k] = rps[k, med]; P5[k] = p50[k, med]; P9[k] = p99[k, med]
      lo[k] = rps[k, idx[1]]; hi[k] = rps[k, idx[m]]; C[k] = cpu[k, med]
    }
    print "| target | conns | req/s | p50 | p99 | CPU ms/request | ÷ nginx req/s | × WordPress req/s | req/s over the rounds |"
    print "|---|---:|---:|---:|---:|---:|---:|---:|---|"
    for (j = 1; j <= nc; j++) for (i = 1; i <= nt; i++) {
      k = tg[i] SUBSEP cs[j]; ng = "nginx" SUBSEP cs[j]; wp = "wordpress" SUBSEP cs[j]
      printf "| %s | %s | %.0f | %s ms | %s ms | %s | %s | %s | %.0f–%.0f |\n", tg[i], cs[j], R[k], P5[k], P9[k], C[k],
        (R[ng] > 0 ? sprintf("%.3f", R[k] / R[ng]) : "–"), (R[wp] > 0 ? sprintf("%.1f", R[k] / R[wp]) : "–"), lo[k], hi[k]
    }
  }' "$T/runs.tsv")

{
  echo "# Vestnik page benchmark (bench/pages.sh), $(date '+%F %H:%M %Z')"
  echo
  echo "Article page ($( [ "$ARTICLE" = demo ] && echo "the demo site's first article" || echo "$(basename "$ARTICLE"), imported into the demo site: 40 paragraphs, as WordPress's")): nginx serving its exact bytes, Vestnik with default options (\`cached\`) and with"
  echo "the page cache off (\`cold\`), and stock WordPress 6.1 on its own comparable article. wrk --latency, -t2 at 2+"
  echo "connections, -t1 at 1; $ROUNDS alternating rounds of $DURATION; the table shows the median round by req/s."
  echo "CPU ms/request: user+system time of the serving processes (WordPress: nginx, php-fpm and MariaDB) per request."
  if [ "$HAS_CACHE" = 0 ]; then
    echo
    echo "**This binary has no page cache** (no \`--page-cache-mb\` option): \`cached\` and \`cold\` are the same uncached"
    echo "server, started twice."
  fi
  echo
  [ "$PHASE1" = 1 ] && echo "$SUMMARY" && echo
  [ "$PHASE1" = 1 ] && echo "- Vestnik article: \`$ARTICLE_PATH\`, $ASIZE bytes (the default-options server sent the same bytes but for its port in absolute links: $SAME); cold server's peak RSS $HWM_DEMO MB"
  [ "$WORDPRESS" = 1 ] && echo "- WordPress article: $WP_URL, $WP_BYTES bytes (from $WP_DIR, set up by $WP_SCRIPT)"
  if [ "$SCALE" = 1 ]; then
    echo
    echo "## Scale: cold article pages of generated sites"
    echo
    echo "wrk -t2 -c64 -d$DURATION on a random article of the whole site per request (bench/generate.py; no search index):"
    echo "\`cold\` is the server with ${COLD_ARGS[*]:-no page cache (this binary has none)}, \`cached\` the default options (random"
    echo "articles of a big site mostly miss the cache, which then fills to its bound). Peak RSS = VmHWM of the server"
    echo "after the run (start-up included)."
    echo
    echo "| server | articles | round | req/s | p50 | p99 | CPU ms/request | non-2xx | peak RSS | RSS at the end | other CPU |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    printf '%s' "$SCALE_ROWS" | awk -F'\t' '{ printf "| %s | %\047d | %s | %.0f | %s ms | %s ms | %s | %s | %s MB | %s MB | %s %% |\n", $1, $2, $10, $3, $4, $5, $6, $7, $8, $9, $11 }'
    echo
    printf '%s' "$SCALE_ROWS" | awk -F'\t' '{ k = $1 SUBSEP $2; r[k] += $3; c[k] += $6; n[k]++; counts[$2] = 1 }
      END { for (a in counts) if (("cached" SUBSEP a) in n && ("cold" SUBSEP a) in n) {
        x = "cached" SUBSEP a; y = "cold" SUBSEP a
        printf "- %\047d articles, default ÷ cache off (means over the rounds): req/s %.2f×, CPU per request %.2f×\n", a,
          (r[x] / n[x]) / (r[y] / n[y]), (c[x] / n[x]) / (c[y] / n[y]) } }'
    echo
    printf '%s' "$SCALE_ROWS" | awk -F'\t' -v small="$SMALL" -v big="$BIG" '$2 == small { a[$1] = $4 } $2 == big { b[$1] = $4 }
      END { for (m in a) if (a[m] > 0 && (m in b)) printf "- %s: p50 with %\047d articles ÷ p50 with %\047d: %.2f\n", m, big, small, b[m] / a[m] }'
  fi
  echo
  echo "## Machine"
  echo
  echo "- $NCPU CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')), $(date -Is)"
  echo "- git: $REV; binary: $BUILT"
  echo "- $(/usr/sbin/nginx -v 2>&1); $( (wrk -v 2>&1 || true) | head -1 | awk '{ print "wrk " $2 }')"
  echo "- load average before / after phase 1: $LOAD_BEFORE / $LOAD_AFTER"
  echo
  echo "## Every round"
  echo
  echo "| target | conns | round | req/s | p50 | p99 | requests | non-2xx | socket errors | CPU ms/req | other CPU |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|"
  awk -F'\t' 'NR > 1 { printf "| %s | %s | %s | %s | %s ms | %s ms | %s | %s | %s | %s | %s %% |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 }' "$T/runs.tsv"
  echo
  echo "Raw wrk output: bench/results/pages-$STAMP-wrk/"
} >"$OUT"

OK=1
cat "$OUT"
echo >&2
echo "bench: wrote $OUT" >&2
