#!/usr/bin/env bash
# bench/nodes.sh — two Vestnik nodes on one PostgreSQL behind nginx, and what that must guarantee:
#   (a) an edit made through node A's newsroom is on node B's pages within 1 s (B had the page in its cache);
#   (b) read beacons spread over both nodes by nginx add up exactly in the database;
#   (c) one node killed with kill -9 under load: nginx routes around it; only requests in flight fail;
#   (d) PostgreSQL stopped: cached pages are still served, a page that needs the database is a 503 with
#       Retry-After (not a 500), and after PostgreSQL is back the nodes' listeners reconnect and (a) holds again.
#
#   Usage (root, Debian 12; apt-gets wrk, nginx-light, postgresql, curl if missing):   bash bench/nodes.sh
#   Knobs (environment):
#     BUILD=release     release (builds with --scratch-path .build-release) or debug (.build/debug)
#     VESTNIK_BIN=...   use this binary instead of building one
#     EDITS=5           edits of (a), alternating A→B and B→A
#     BEACONS=20000     beacons of (b)
#     LOAD=20s          length of the wrk run of (c); node B is killed after a third of it
#     CONNS=32          wrk connections of (c)
#     KEEP_TMP=1        keep the temporary folder (cluster, logs)
# Everything runs on 127.0.0.1 on free ports; everything it starts is stopped by PID at exit (also on error or ^C),
# every load is bounded by `timeout`. Result: bench/results/nodes-<date>.md, printed at the end.
set -euo pipefail

BUILD=${BUILD:-release}
EDITS=${EDITS:-5}
BEACONS=${BEACONS:-20000}
LOAD=${LOAD:-20s}
CONNS=${CONNS:-32}
KEEP_TMP=${KEEP_TMP:-0}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RESULTS=$ROOT/bench/results
HOST=127.0.0.1
UA="Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
EMAIL=nodes-chief@vestnik.bg

log() { printf '\n== %s  %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { echo "nodes: $*" >&2; exit 1; }
secs() { echo "${1%s}"; }
[ "$(id -u)" = 0 ] || die "run as root (it runs PostgreSQL as the postgres user and may apt-get install tools)"
[[ "$BUILD" = release || "$BUILD" = debug ]] || die "BUILD must be release or debug"
[[ "$EDITS" =~ ^[1-9][0-9]*$ && "$BEACONS" =~ ^[1-9][0-9]*$ && "$CONNS" =~ ^[1-9][0-9]*$ ]] || die "EDITS, BEACONS, CONNS must be positive numbers"
[[ "$(secs "$LOAD")" =~ ^[1-9][0-9]*$ ]] || die "LOAD must look like 20s"

# ------------------------------------------------------------------ tools
missing=()
command -v wrk >/dev/null || missing+=(wrk)
[ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v curl >/dev/null || missing+=(curl)
ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi
command -v python3 >/dev/null || die "python3 is needed"
NGINX=/usr/sbin/nginx
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PSQL="$PGBIN/psql"

# ------------------------------------------------- cleanup (by PID only)
T=""
A_PID="" B_PID="" NGINX_PID="" WRK_PID="" PG_UP=0
OK=0
stop_pid() {   # $1 pid  $2 name: TERM, wait up to 20 s, then KILL
  local pid=$1 name=$2 i
  [ -n "$pid" ] || return 0
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill "$pid" 2>/dev/null || true
  for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then echo "nodes: $name (pid $pid) still up after 20 s, sending KILL" >&2; kill -9 "$pid" 2>/dev/null || true; fi
  wait "$pid" 2>/dev/null || true
}
pg_stop() { [ "$PG_UP" = 1 ] && su postgres -c "$PGBIN/pg_ctl -D $T/pg/data -m fast -w stop" >/dev/null 2>&1; PG_UP=0; }
cleanup() {
  local rc=$?
  set +e
  stop_pid "$WRK_PID" wrk
  stop_pid "$NGINX_PID" nginx
  stop_pid "$A_PID" "node A"
  stop_pid "$B_PID" "node B"
  pg_stop
  if [ -n "$T" ]; then
    if [ "$OK" = 1 ] && [ "$KEEP_TMP" != 1 ]; then rm -rf "$T"; else echo "nodes: kept $T" >&2; fi
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# ----------------------------------------------------------------- binary
if [ -n "${VESTNIK_BIN:-}" ]; then
  BIN=$VESTNIK_BIN
  BIN_NOTE="given binary $BIN"
elif [ "$BUILD" = release ]; then
  log "swift build -c release --product vestnik --scratch-path .build-release"
  (cd "$ROOT" && swift build -c release --product vestnik --scratch-path .build-release 2>&1 | grep -Ev '^\[[0-9]+/[0-9]+\]' || true)
  BIN=$ROOT/.build-release/release/vestnik
  BIN_NOTE="release build"
else
  log "swift build --product vestnik"
  (cd "$ROOT" && swift build --product vestnik 2>&1 | grep -Ev '^\[[0-9]+/[0-9]+\]' || true)
  BIN=$ROOT/.build/debug/vestnik
  BIN_NOTE="debug build"
fi
[ -x "$BIN" ] || die "no binary at $BIN"

T=$(mktemp -d /tmp/vestnik-nodes.XXXXXX)
chmod 755 "$T"
mkdir -p "$RESULTS"
STAMP=$(date +%Y-%m-%d-%H%M)
REPORT=$RESULTS/nodes-$STAMP.md

# ------------------------------------------------------------- PostgreSQL
PGPORT=$(free_port)
log "throwaway PostgreSQL ($PGBIN) on $HOST:$PGPORT"
mkdir -p "$T/pg" && chown postgres "$T/pg"
su postgres -c "$PGBIN/initdb -D $T/pg/data -U vestnik --auth=trust -E UTF8 --locale=C.UTF-8" >"$T/initdb.log" 2>&1 || { cat "$T/initdb.log" >&2; die "initdb failed"; }
pg_start() {
  su postgres -c "$PGBIN/pg_ctl -D $T/pg/data -l $T/pg/server.log -w -o '-c listen_addresses=$HOST -p $PGPORT -k $T/pg -c max_connections=200' start" >/dev/null \
    || { tail -20 "$T/pg/server.log" >&2; die "PostgreSQL did not start"; }
  PG_UP=1
}
pg_start
su postgres -c "$PGBIN/createdb -h $HOST -p $PGPORT -U vestnik vestnik"
DB="postgres://vestnik@$HOST:$PGPORT/vestnik"
sql() { "$PSQL" "$DB" -Atq -c "$1"; }

# ------------------------------------------------------------------ nodes
A_PORT=$(free_port); B_PORT=$(free_port)
A=http://$HOST:$A_PORT; B=http://$HOST:$B_PORT
start_node() {   # $1 name  $2 port ; echoes the pid
  "$BIN" serve --database "$DB" --hostname "$HOST" --port "$2" --read-dedup-minutes 0 --read-rate-limit 0 \
    </dev/null >>"$T/node-$1.log" 2>&1 &
  echo $!
}
wait_ready() {   # $1 name  $2 url  $3 pid
  local i
  for i in $(seq 1 600); do
    kill -0 "$3" 2>/dev/null || { tail -20 "$T/node-$1.log" >&2; die "node $1 exited during start"; }
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$2/" || true)" = 200 ] && return 0
    sleep 0.1
  done
  die "node $1 not ready within 60 s"
}
log "node A on $A (loads the demo site), then node B on $B"
A_PID=$(start_node A "$A_PORT"); wait_ready A "$A" "$A_PID"
B_PID=$(start_node B "$B_PORT"); wait_ready B "$B" "$B_PID"
PASSWORD="nodes-$(date +%s)-парола"
printf '%s\n' "$PASSWORD" >"$T/password"
printf '%s\n' "$PASSWORD" | "$BIN" user create --database "$DB" --email "$EMAIL" --name "Главен Редактор" --role chief --password-stdin >/dev/null

# ------------------------------------------------------------------ nginx
NPORT=$(free_port)
N=http://$HOST:$NPORT
log "nginx on $N in front of both nodes"
mkdir -p "$T/nginx-tmp"
cat >"$T/nginx.conf" <<EOF
# private nginx for bench/nodes.sh; started with -c $T/nginx.conf
daemon off;
worker_processes 1;
pid $T/nginx.pid;
error_log $T/nginx-error.log warn;
events { worker_connections 4096; }
http {
    client_body_temp_path $T/nginx-tmp/body;
    proxy_temp_path       $T/nginx-tmp/proxy;
    fastcgi_temp_path     $T/nginx-tmp/fastcgi;
    uwsgi_temp_path       $T/nginx-tmp/uwsgi;
    scgi_temp_path        $T/nginx-tmp/scgi;
    log_format nodes '\$upstream_addr \$status \$request_method';
    access_log $T/nginx-access.log nodes;
    upstream vestnik {
        server $HOST:$A_PORT max_fails=1 fail_timeout=10s;
        server $HOST:$B_PORT max_fails=1 fail_timeout=10s;
        keepalive 32;
    }
    server {
        listen $HOST:$NPORT;
        location / {
            proxy_pass http://vestnik;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_connect_timeout 1s;
            proxy_send_timeout 10s;
            proxy_read_timeout 10s;
            proxy_next_upstream error timeout http_502 http_503;
            proxy_next_upstream_tries 2;
            proxy_next_upstream_timeout 5s;
        }
    }
}
EOF
"$NGINX" -t -q -c "$T/nginx.conf" -e "$T/nginx-error.log" || die "nginx config test failed"
"$NGINX" -c "$T/nginx.conf" -e "$T/nginx-error.log" </dev/null >"$T/nginx.out" 2>&1 &
NGINX_PID=$!
for i in $(seq 1 50); do
  kill -0 "$NGINX_PID" 2>/dev/null || { cat "$T/nginx-error.log" >&2; NGINX_PID=""; die "nginx exited during start"; }
  [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$N/" || true)" = 200 ] && break
  sleep 0.1
done

# ---------------------------------------------------- (a) edit on A, seen on B
ARTICLE=$(curl -s --max-time 10 "$B/" | grep -o 'href="/[a-z0-9-]*/[a-z0-9-]*"' | sed 's/href="//; s/"$//' \
  | grep -Ev '^/(tag|avtor|tema|static|newsroom|statistika|api)/' | head -1)
[ -n "$ARTICLE" ] || die "node B's home page links to no article"
ID=$(curl -s --max-time 10 "$B$ARTICLE" | grep -o 'data-beacon="/api/reads/[0-9]*"' | grep -o '[0-9]*' | head -1)
[ -n "$ID" ] || die "$ARTICLE has no read beacon"
log "(a) $EDITS edits through one node's newsroom, watched on the other's cached page $ARTICLE (article $ID)"
: >"$T/edits.jsonl"
edit() {   # $1 edit-node URL  $2 watch-node URL  $3 label
  timeout 60 python3 "$ROOT/bench/nodes_edit.py" --edit "$1" --watch "$2" --email "$EMAIL" --password-file "$T/password" \
    --path "$ARTICLE" --timeout 5 | sed "s/^{/{\"direction\": \"$3\", /" >>"$T/edits.jsonl" || die "(a) $3: the edit did not show within 5 s: $(tail -1 "$T/edits.jsonl")"
}
for i in $(seq 1 "$EDITS"); do
  if [ $((i % 2)) = 1 ]; then edit "$A" "$B" "A→B"; else edit "$B" "$A" "B→A"; fi
  tail -1 "$T/edits.jsonl" >&2
done
EDIT_SUMMARY=$(python3 - "$T/edits.jsonl" <<'EOF'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
delays = [r["delay_ms"] for r in rows]
each = ", ".join("%s %.1f" % (r["direction"], r["delay_ms"]) for r in rows)
first = sum(1 for r in rows if r["polls"] == 1)
print("%d edits, the page cached on the other node before each (X-Cache: HIT): %s; new title on the other node "
      "%.1f ms (median), %.1f ms (max) after the save was answered, on the first poll in %d of %d (%s ms)"
      % (len(rows), all(r["cached_before"] for r in rows), statistics.median(delays), max(delays), first, len(rows), each))
EOF
)
echo "$EDIT_SUMMARY" >&2

# ------------------------------------------- (b) beacons through nginx sum exactly
log "(b) $BEACONS beacons to article $ID through nginx"
stored() { sql "SELECT reads FROM articles WHERE id = $ID"; }
stored_hourly() { sql "SELECT coalesce(sum(count), 0) FROM article_reads_hourly WHERE article_id = $ID"; }
BEFORE=$(stored); BEFORE_HOURLY=$(stored_hourly)
: >"$T/nginx-access.log"; kill -USR1 "$NGINX_PID"   # reopen the log: count only the beacons
cat >"$T/beacons.py" <<'EOF'
import http.client, sys, threading
host, port, path, total, ua = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
lock = threading.Lock(); state = {"next": 0, "ok": 0, "failed": 0}
def worker():
    conn = http.client.HTTPConnection(host, port, timeout=10)
    while True:
        with lock:
            if state["next"] >= total: return
            state["next"] += 1
        try:
            conn.request("POST", path, headers={"User-Agent": ua, "Content-Length": "0"})
            r = conn.getresponse(); r.read()
            with lock: state["ok" if r.status == 204 else "failed"] += 1
        except Exception:
            with lock: state["failed"] += 1
            conn.close(); conn = http.client.HTTPConnection(host, port, timeout=10)
threads = [threading.Thread(target=worker) for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
print(state["ok"], state["failed"])
EOF
read -r SENT_OK SENT_FAILED < <(timeout 600 python3 "$T/beacons.py" "$HOST" "$NPORT" "/api/reads/$ID" "$BEACONS" "$UA")
sleep 0.5; kill -USR1 "$NGINX_PID"; sleep 0.2
# Each log line: the upstream(s) tried ("B, A" when nginx went on to the next), the status, the method.
SPREAD=$(awk -v a="$HOST:$A_PORT" -v b="$HOST:$B_PORT" '$NF == "POST" { if ($1 == a) na++; else if ($1 == b) nb++; else other++ }
  END { printf "node A %d, node B %d, other/retried %d", na, nb, other }' "$T/nginx-access.log")
log "stopping both nodes gracefully (SIGTERM): each flushes what it counted"
stop_pid "$A_PID" "node A"; A_PID=""
stop_pid "$B_PID" "node B"; B_PID=""
AFTER=$(stored); AFTER_HOURLY=$(stored_hourly)
DELTA=$((AFTER - BEFORE)); DELTA_HOURLY=$((AFTER_HOURLY - BEFORE_HOURLY))
BEACON_VERDICT=$([ "$SENT_OK" = "$BEACONS" ] && [ "$DELTA" = "$BEACONS" ] && [ "$DELTA_HOURLY" = "$BEACONS" ] && echo exact || echo "NOT EXACT")
BEACON_SUMMARY="$BEACONS beacons sent, $SENT_OK answered 204, $SENT_FAILED failed; nginx spread them: $SPREAD; stored total grew by $DELTA, hourly buckets by $DELTA_HOURLY: $BEACON_VERDICT"
echo "$BEACON_SUMMARY" >&2
[ "$BEACON_VERDICT" = exact ] || die "(b) $BEACON_SUMMARY"

# ------------------------------------------ (c) kill -9 one node under load
log "(c) wrk -t2 -c$CONNS -d$LOAD through nginx; node B gets kill -9 after $(( $(secs "$LOAD") / 3 )) s"
A_PID=$(start_node A "$A_PORT"); wait_ready A "$A" "$A_PID"
B_PID=$(start_node B "$B_PORT"); wait_ready B "$B" "$B_PID"
# nginx may have marked the restarted nodes failed for fail_timeout: let a few requests through first.
for i in $(seq 1 20); do curl -s -o /dev/null --max-time 5 "$N$ARTICLE"; curl -s -o /dev/null --max-time 5 "$N/"; done
: >"$T/nginx-access.log"; kill -USR1 "$NGINX_PID"
cat >"$T/pages.lua" <<EOF
local paths = { "$ARTICLE", "/" }
local n = 0
function request()
  n = n + 1
  return wrk.format("GET", paths[n % 2 + 1], { ["User-Agent"] = "$UA" })
end
EOF
timeout $(( $(secs "$LOAD") + 30 )) wrk -t2 -c"$CONNS" -d"$LOAD" --latency -s "$T/pages.lua" "$N" >"$T/wrk-kill.txt" 2>&1 &
WRK_PID=$!
sleep $(( $(secs "$LOAD") / 3 ))
kill -9 "$B_PID"; wait "$B_PID" 2>/dev/null || true; B_PID=""
wait "$WRK_PID" || true; WRK_PID=""
sleep 0.5; kill -USR1 "$NGINX_PID"; sleep 0.2
cat "$T/wrk-kill.txt" >&2
TOTAL=$(awk '/requests in/ { print $1 }' "$T/wrk-kill.txt")
NON2XX=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$T/wrk-kill.txt"); NON2XX=${NON2XX:-0}
SOCKERR=$(awk '/Socket errors:/ { sub(/.*Socket errors: /, ""); print }' "$T/wrk-kill.txt"); SOCKERR=${SOCKERR:-none}
RPS=$(awk '/Requests\/sec:/ { print $2 }' "$T/wrk-kill.txt")
UPSTREAMS=$(awk -v a="$HOST:$A_PORT" -v b="$HOST:$B_PORT" '{ if ($1 == a) na++; else if ($1 == b) nb++; else if (index($1, ",")) both++; else other++; st[$(NF-1)]++ }
  END { printf "answered by node A %d, node B %d, tried B then A %d, other %d; statuses:", na, nb, both, other; for (s in st) printf " %s×%d", s, st[s] }' "$T/nginx-access.log")
NGINX_ERRORS=$(grep -c 'connect() failed\|upstream prematurely closed\|recv() failed' "$T/nginx-error.log" || true)
KILL_SUMMARY="$TOTAL requests in $LOAD ($RPS req/s); non-2xx: $NON2XX; socket errors: $SOCKERR; nginx: $UPSTREAMS; nginx error-log lines about node B: $NGINX_ERRORS"
echo "$KILL_SUMMARY" >&2

# --------------------------------------------- (d) PostgreSQL stopped, then back
log "(d) PostgreSQL stopped under node A"
B_PID=$(start_node B "$B_PORT"); wait_ready B "$B" "$B_PID"
curl -s -o /dev/null --max-time 10 "$A$ARTICLE"
CACHED_STATE=$(curl -s -o /dev/null -D - --max-time 10 "$A$ARTICLE" | tr -d '\r' | awk -F': ' 'tolower($1) == "x-cache" { print $2 }')
pg_stop
sleep 1
DOWN_CACHED=$(curl -s -o /dev/null -w '%{http_code} in %{time_total} s' --max-time 30 "$A$ARTICLE")
DOWN_UNCACHED=$(curl -s -o "$T/down.html" -D "$T/down.headers" -w '%{http_code} in %{time_total} s' --max-time 30 "$A/tarsene?q=%D0%B1%D1%8E%D0%B4%D0%B6%D0%B5%D1%82")
RETRY_AFTER=$(tr -d '\r' <"$T/down.headers" | awk -F': ' 'tolower($1) == "retry-after" { print $2 }')
log "PostgreSQL started again"
pg_start
BACK_START=$(date +%s.%N)
for i in $(seq 1 100); do
  grep -q 'listening for changes of other nodes again' "$T/node-A.log" && grep -q 'listening for changes of other nodes again' "$T/node-B.log" && break
  sleep 0.1
done
RECONNECT=$(python3 -c "import time; print(f'{time.time() - $BACK_START:.1f}')")
timeout 60 python3 "$ROOT/bench/nodes_edit.py" --edit "$A" --watch "$B" --email "$EMAIL" --password-file "$T/password" \
  --path "$ARTICLE" --timeout 5 >"$T/edit-after.json" || die "(d) after PostgreSQL came back, an edit on A did not show on B: $(cat "$T/edit-after.json")"
AFTER_DELAY=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['delay_ms'])" "$T/edit-after.json")
DOWN_SUMMARY="node A's page cache had the article ($CACHED_STATE); with PostgreSQL stopped it answered $DOWN_CACHED; a search (needs the database) answered $DOWN_UNCACHED, Retry-After: ${RETRY_AFTER:-none}; both listeners were back within $RECONNECT s of the restart; then an edit on A showed on B after $AFTER_DELAY ms"
echo "$DOWN_SUMMARY" >&2

# ----------------------------------------------------------------- report
PGV=$("$PGBIN/postgres" --version | awk '{ print $3 }')
{
  echo "# Two nodes, one PostgreSQL, nginx in front — $(date '+%Y-%m-%d %H:%M')"
  echo
  echo "- $BIN_NOTE; commit $(cd "$ROOT" && git rev-parse --short HEAD)$(cd "$ROOT" && git diff --quiet || echo ' + uncommitted changes'); PostgreSQL $PGV; $($NGINX -v 2>&1); $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- nginx: upstream of both nodes, keepalive 32, proxy_connect_timeout 1s, proxy_next_upstream error timeout http_502 http_503 (2 tries)"
  echo
  echo "| check | result |"
  echo "|---|---|"
  echo "| (a) edit through one node's newsroom, seen on the other | $EDIT_SUMMARY |"
  echo "| (b) beacons through nginx over both nodes, then a graceful stop | $BEACON_SUMMARY |"
  echo "| (c) kill -9 of node B under wrk -t2 -c$CONNS | $KILL_SUMMARY |"
  echo "| (d) PostgreSQL stopped and started again | $DOWN_SUMMARY |"
  echo
  echo '```'
  cat "$T/wrk-kill.txt"
  echo '```'
} >"$REPORT"
OK=1
log "report: $REPORT"
cat "$REPORT"
