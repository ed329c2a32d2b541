# bench/lib.sh — shell helpers shared by bench/run.sh, bench/reads.sh and bench/pages.sh. Source it; do not run it.
#
#   ROOT=…; . "$ROOT/bench/lib.sh"
#
# What it gives:
#   log, die, secs, to_ms           messages, "10s" -> 10, wrk's "1.23ms" / "456us" / "1.02s" -> milliseconds
#   track PID NAME / untrack PID    processes to stop (by PID, newest first) when the script exits, also on ^C
#   stop_pid PID NAME               TERM, wait up to 15 s, then KILL; never by name
#   bench_traps                     installs the EXIT/INT/TERM traps; at exit every tracked process is stopped and
#                                   $T is removed when $OK = 1 and $KEEP_TMP != 1 (kept and named otherwise)
#   need_tools CMD=PACKAGE …        apt-get installs what is missing (root only)
#   build_release                   swift build -c release --product vestnik --scratch-path .build-release; sets BIN
#                                   and BUILT (or takes $VESTNIK_BIN)
#   tree_rev                        the commit measured, and whether uncommitted sources were built in
#   pick_port [NOT]                 a free TCP port of 127.0.0.1 in 20000..59999
#   wait_http URL SECONDS PID NAME  polls URL until it answers 200; dies if PID exits first
#   fetch_html URL FILE             saves a page's exact bytes; dies unless 200 text/html
#   start_nginx_static DIR PORT     a private nginx serving DIR's files as text/html (sets NGINX_PID)
#   busy_pct, wait_quiet            the machine's CPU use; wait (QUIET_WAIT s at most) until it is at most QUIET_MAX %
#   tree_jiffies PID                CPU time (jiffies) of PID and its direct children, reaped ones included
#   wrk_run CONNS DURATION URL OUT  one wrk run bounded by timeout (-t2 from 2 connections, else -t1; $WRK_THREADS if set)
#   generated COUNT                 the path of a bench/generate.py site of COUNT articles, made once into SCALE_DIR

HOST=${HOST:-127.0.0.1}
RESULTS=${RESULTS:-$ROOT/bench/results}
QUIET_WAIT=${QUIET_WAIT:-0}
QUIET_MAX=${QUIET_MAX:-20}
KEEP_TMP=${KEEP_TMP:-0}
T=${T:-}
OK=${OK:-0}
TRACKED=()          # "pid name" entries
HZ=$(getconf CLK_TCK)
NCPU=$(nproc)

log() { printf '\n== %s  %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { echo "bench: $*" >&2; exit 1; }
secs() {   # "10s" / "2m" / "10" -> seconds
  case "$1" in *s) echo "${1%s}" ;; *m) echo $((${1%m} * 60)) ;; *h) echo $((${1%h} * 3600)) ;; *) echo "$1" ;; esac
}
to_ms() {   # wrk's "1.23ms" / "456.00us" / "1.02s" / "2.00m" -> milliseconds
  awk -v v="$1" 'BEGIN { if (v == "") { print "-"; exit } u = v; sub(/^[0-9.]+/, "", u); x = v + 0;
    if (u == "us") x /= 1000; else if (u == "s") x *= 1000; else if (u == "m") x *= 60000; printf "%.2f\n", x }'
}

# ------------------------------------------------------- processes (by PID only)
track() { TRACKED+=("$1 $2"); }
untrack() {
  local keep=() e
  for e in "${TRACKED[@]}"; do [ "${e%% *}" = "$1" ] || keep+=("$e"); done
  TRACKED=("${keep[@]}")
}
stop_pid() {   # $1 pid  $2 name: TERM, wait up to 15 s, then KILL
  local pid=$1 name=${2:-process} i
  [ -n "$pid" ] || return 0
  untrack "$pid"
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill "$pid" 2>/dev/null || true
  for i in $(seq 1 75); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then echo "bench: $name (pid $pid) still up after 15 s, sending KILL" >&2; kill -9 "$pid" 2>/dev/null || true; fi
  wait "$pid" 2>/dev/null || true
  echo "bench: stopped $name (pid $pid)" >&2
}
bench_cleanup() {
  local rc=$? i e
  set +e
  for ((i = ${#TRACKED[@]} - 1; i >= 0; i--)); do e=${TRACKED[i]}; [ -n "$e" ] && stop_pid "${e%% *}" "${e#* }"; done
  if declare -F bench_on_exit >/dev/null; then bench_on_exit; fi
  if [ -n "$T" ] && [ -d "$T" ]; then
    if [ "$OK" = 1 ] && [ "$KEEP_TMP" != 1 ]; then rm -rf "$T"
    else echo "bench: temporary files kept in $T" >&2; fi
  fi
  [ "$rc" = 0 ] || echo "bench: FAILED (exit $rc)" >&2
  exit "$rc"
}
bench_traps() {
  trap bench_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

# ------------------------------------------------------------------ tools, build
need_tools() {   # CMD=PACKAGE … (CMD a command name or an absolute path)
  local pair cmd pkg missing=()
  for pair in "$@"; do
    cmd=${pair%%=*}; pkg=${pair#*=}
    if [[ "$cmd" == /* ]]; then [ -x "$cmd" ] || missing+=("$pkg"); else command -v "$cmd" >/dev/null || missing+=("$pkg"); fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "missing: ${missing[*]} (apt-get install them, or run as root)"
  log "apt-get install ${missing[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
}

build_release() {   # sets BIN and BUILT
  if [ -n "${VESTNIK_BIN:-}" ]; then
    BIN=$(readlink -f "$VESTNIK_BIN")
    [ -x "$BIN" ] || die "VESTNIK_BIN=$VESTNIK_BIN is not an executable"
    BUILT="given binary $BIN (VESTNIK_BIN), modified $(date -r "$BIN" '+%F %H:%M'); not rebuilt"
    return 0
  fi
  log "swift build -c release --product vestnik --scratch-path .build-release"
  local blog=${T:-/tmp}/build.log
  _build() { (cd "$ROOT" && swift build -c release --product vestnik --scratch-path .build-release) 2>&1 | tee "$blog" >&2; }
  # An editor saving a source file mid-build makes swiftc stop with "was modified during the build"; that is worth
  # one more try, anything else is not.
  if ! _build; then
    grep -q 'was modified during the build' "$blog" || die "release build failed (see above)"
    log "a source file changed during the build; building again"
    _build || die "release build failed (see above)"
  fi
  BIN=$(cd "$ROOT" && swift build -c release --product vestnik --scratch-path .build-release --show-bin-path)/vestnik
  [ -x "$BIN" ] || die "no binary at $BIN"
  BUILT="swift build -c release (--scratch-path .build-release) of the working tree"
}

tree_rev() {   # the tree as built (read it right after the build: someone may commit while we measure)
  local rev dirty
  rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
  # SwiftPM compiles every file under Sources/, committed or not.
  dirty=$(git -C "$ROOT" status --porcelain -- Package.swift Sources content 2>/dev/null | wc -l)
  [ "$dirty" = 0 ] || rev="$rev, plus $dirty uncommitted or untracked paths under Package.swift, Sources/, content/ (built in)"
  echo "$rev"
}

# ------------------------------------------------------------------ ports, servers
port_free() { [ -z "$(ss -Htln "sport = :$1")" ]; }
pick_port() {   # a free TCP port in 20000..59999, different from $1
  local p i
  for i in $(seq 1 500); do
    p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    [ "$p" != "${1:-}" ] && port_free "$p" && { echo "$p"; return 0; }
  done
  return 1
}

wait_http() {   # $1 url  $2 seconds  $3 pid  $4 name  [$5 log file shown on failure]
  local i
  for i in $(seq 1 $(($2 * 5))); do
    kill -0 "$3" 2>/dev/null || { [ -n "${5:-}" ] && tail -20 "$5" >&2; die "$4 exited during start"; }
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$1" || true)" = 200 ] && return 0
    sleep 0.2
  done
  [ -n "${5:-}" ] && tail -20 "$5" >&2
  die "$4 did not answer 200 on $1 within $2 s"
}

fetch_html() {   # $1 url  $2 file: the exact bytes, which must be a 200 text/html
  local out code ctype
  out=$(curl -sS --max-time 30 -o "$2" -w '%{http_code} %{content_type}' "$1") || die "cannot fetch $1"
  code=${out%% *}; ctype=${out#* }
  [ "$code" = 200 ] || die "$1 answered HTTP $code"
  [[ "$ctype" == text/html* ]] || die "$1 answered Content-Type '$ctype'"
}

start_nginx_static() {   # $1 folder of *.html  $2 port  [$3 worker_processes, default auto]; the config and logs go to
                         # $T (named by the port when $3 is given); sets NGINX_PID. A FILE.gz beside FILE is sent
                         # to clients that take gzip (gzip_static).
  local dir=$1 port=$2 workers=${3:-auto} nginx=/usr/sbin/nginx conf=$T/nginx.conf
  [ -z "${3:-}" ] || conf=$T/nginx-$port.conf
  mkdir -p "$T/nginx-tmp"
  cat >"$conf" <<EOF
# private nginx for the benchmarks in bench/; started with -c $conf
daemon off;
worker_processes $workers;
pid $conf.pid;
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
        listen $HOST:$port;
        server_name $HOST;
        root $dir;
        location / {
            types { }
            default_type "text/html; charset=utf-8";
            gzip_static on;
        }
    }
}
EOF
  "$nginx" -t -q -c "$conf" -e "$T/nginx-error.log" || die "nginx config test failed"
  "$nginx" -c "$conf" -e "$T/nginx-error.log" </dev/null >"$conf.out" 2>&1 &
  NGINX_PID=$!
  track "$NGINX_PID" nginx
  local first
  first=$(cd "$dir" && ls *.html | head -1)
  wait_http "http://$HOST:$port/$first" 10 "$NGINX_PID" nginx "$T/nginx-error.log"
}

serve_cold() {   # $1 side  $2 binary  $3 database: `vestnik serve` with the page cache off, logging to $T/$1.log;
                 # sets PID_<side> and URL_<side>
  local port pid
  port=$(pick_port "${LAST_PORT:-}") || die "no free port"; LAST_PORT=$port
  "$2" serve --database "$3" --hostname "$HOST" --port "$port" --page-cache-mb 0 </dev/null >>"$T/$1.log" 2>&1 &
  pid=$!; track "$pid" "vestnik-$1"
  wait_http "http://$HOST:$port/" 180 "$pid" "vestnik-$1" "$T/$1.log"
  printf -v "PID_$1" '%s' "$pid"
  printf -v "URL_$1" '%s' "http://$HOST:$port"
}

# ------------------------------------------------------------------ measuring
busy_pct() {   # whole-machine busy % over 2 s
  local a b
  read -r -a a < <(head -1 /proc/stat); sleep 2; read -r -a b < <(head -1 /proc/stat)
  awk -v a="${a[*]}" -v b="${b[*]}" 'BEGIN { split(a, x, " "); split(b, y, " "); t = 0
    for (i = 2; i <= 9; i++) t += y[i] - x[i]; idle = (y[5] - x[5]) + (y[6] - x[6]); printf "%.0f\n", t ? 100 * (t - idle) / t : 0 }'
}
wait_quiet() {   # wait up to QUIET_WAIT s until the machine is at most QUIET_MAX % busy (0: do not wait)
  [ "$QUIET_WAIT" -gt 0 ] || return 0
  local t0=$SECONDS b
  while :; do
    b=$(busy_pct)
    [ "$b" -le "$QUIET_MAX" ] && return 0
    if [ $((SECONDS - t0)) -ge "$QUIET_WAIT" ]; then echo "  (machine still ${b}% busy after ${QUIET_WAIT}s; measuring anyway)" >&2; return 0; fi
    sleep 1
  done
}
# The article phase 1 of pages.sh and `profile.sh big` measure: WordPress's article's shape (40 paragraphs).
BENCH_ARTICLE=${BENCH_ARTICLE:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/article/plovdiv-plan-gradski-transport-2030.md}
import_article() {   # $1 binary  $2 database  $3 article .md  $4.. base URLs of servers on that database: prints the path
  local bin=$1 db=$2 md=$3 slug path url ok
  shift 3
  "$bin" import --database "$db" --rebase-dates "$md" >/dev/null 2>&1 || die "vestnik import $md failed"
  slug=$(sed -n 's/^slug: *//p' "$md" | head -1)
  for _ in $(seq 50); do   # servers notice another process's write within a second or two
    path=$(curl -sS --max-time 5 "$1/" | grep -oE "href=\"/[^\"/?#]+/$slug\"" | head -1 | sed -E 's/^href="(.*)"$/\1/' || true)
    ok=${path:+yes}
    for url in "$@"; do curl -sS --max-time 5 "$url/" | grep -q "href=\"$path\"" || ok=""; done
    [ -n "$path" ] && [ -n "$ok" ] && { echo "$path"; return 0; }
    sleep 0.2
  done
  die "the imported article $slug did not show on the home page of $*"
}

tree_jiffies() {   # utime+stime+cutime+cstime of pid $1 and its direct children
  local p
  [ -n "$1" ] || { echo 0; return; }
  { cat "/proc/$1/stat"; for p in $(cat "/proc/$1/task/"*/children 2>/dev/null); do cat "/proc/$p/stat"; done; } 2>/dev/null |
    awk '{ sub(/^.*\) /, ""); t += $12 + $13 + $14 + $15 } END { printf "%d\n", t }'
}
machine_jiffies() { awk 'NR == 1 { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }
own_children_jiffies() { awk '{ sub(/^.*\) /, ""); print $14 + $15 }' "/proc/$$/stat"; }   # reaped children: wrk

WRK_PID=""
wrk_run() {   # $1 conns  $2 duration  $3 url  $4 output file  [more wrk arguments]
  local c=$1 d=$2 url=$3 out=$4 t=2 rc=0
  shift 4
  [ "$c" -ge 2 ] || t=1
  [ -z "${WRK_THREADS:-}" ] || t=$WRK_THREADS
  timeout -k 5 "$(( $(secs "$d") + 30 ))" wrk -t"$t" -c"$c" -d"$d" --latency "$@" "$url" >"$out" 2>&1 &
  WRK_PID=$!
  track "$WRK_PID" wrk
  wait "$WRK_PID" || rc=$?
  untrack "$WRK_PID"
  WRK_PID=""
  [ "$rc" = 0 ] || { cat "$out" >&2; die "wrk exited with $rc ($url)"; }
}

generated() {   # $1 article count: the path of a generated database (made once, kept in SCALE_DIR)
  local count=$1 db=$SCALE_DIR/site-$1.sqlite t0
  mkdir -p "$SCALE_DIR"
  if [ ! -s "$db" ] || [ ! -e "$db.done" ]; then
    log "generating $count articles into $db"
    rm -f "$db" "$db-wal" "$db-shm" "$db.done"
    "$BIN" migrate --database "$db" >"$T/migrate-$count.log" 2>&1 || { cat "$T/migrate-$count.log" >&2; die "migrate failed"; }
    t0=$SECONDS
    python3 "$ROOT/bench/generate.py" "$db" "$count" >&2 || die "generate.py failed"
    echo "$count articles generated in $((SECONDS - t0)) s on $(date -Is)" >"$db.done"
  fi
  cat "$db" "$db-wal" >/dev/null 2>&1 || true   # into the OS's file cache, as a server up for a while has it
  echo "$db"
}
