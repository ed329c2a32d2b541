#!/usr/bin/env bash
# bench/wordpress-import.sh — `vestnik import-wordpress` on a generated export: items per second and peak RSS, on
# SQLite and on a throwaway PostgreSQL, release build. Bounded: it imports POSTS posts once per database, and stops.
#
#   Usage (root, Debian 12; apt-gets postgresql and GNU time if missing):   POSTS=100000 bash bench/wordpress-import.sh
#   Knobs:   VESTNIK_BIN=…   a release binary already built (default: build one, see lib.sh's build_release)
#            PG_URL=postgres://…   an existing database with no tables (a running server's) instead of a throwaway
#                            server of its own; the import's tables stay there afterwards
#
# Columns: items read, wall seconds of the whole command (reading and writing the posts, then the archives' redirects
# and every article's "Още:" list), items/s over that, items/s while reading (the importer's last progress line,
# before the redirects and lists), peak RSS.
#
# Writes bench/results/wordpress-import-<date>.md.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/bench/lib.sh"
POSTS=${POSTS:-100000}
bench_traps
T=$(mktemp -d /tmp/vestnik-wpimport.XXXXXX)
need_tools /usr/bin/time=time
[ -n "${PG_URL:-}" ] || ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || need_tools /usr/lib/postgresql=postgresql
build_release
REV=$(tree_rev)
log "generating an export of $POSTS posts"
python3 "$ROOT/bench/wordpress-export.py" "$POSTS" > "$T/export.xml"
SIZE=$(du -m "$T/export.xml" | cut -f1)

measure() {   # NAME DATABASE -> a table row
  local name=$1 db=$2
  log "importing into $name"
  "$BIN" migrate --database "$db" >/dev/null
  /usr/bin/time -v -o "$T/$name.time" "$BIN" import-wordpress "$T/export.xml" --database "$db" > "$T/$name.out" 2> "$T/$name.err" || true
  local secs rss items
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$T/$name.time")
  rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$T/$name.time")
  items=$(grep -o 'Items read: [0-9]*' "$T/$name.out" | grep -o '[0-9]*$' || echo 0)
  reading=$(grep -o '[0-9]* items/s' "$T/$name.err" | tail -n 1 | grep -o '^[0-9]*' || echo -)
  echo "| $name | $items | $secs | $(awk -v i="$items" -v s="$secs" 'BEGIN { printf "%.0f", i / s }') | $reading | $rss |"
  tail -n 8 "$T/$name.out" >&2
}

ROWS=()
ROWS+=("$(measure sqlite "$T/vestnik.sqlite")")
if [ -n "${PG_URL:-}" ]; then
  TABLES=$(psql "$PG_URL" -Atc "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()") || die "cannot reach $PG_URL"
  [ "$TABLES" = 0 ] || die "PG_URL's schema has $TABLES tables: give an empty database"
  ROWS+=("$(measure postgresql "$PG_URL")")
else
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
mkdir -p "$T/pg" && chown postgres "$T/pg"
PGPORT=$(pick_port)
su postgres -c "$PGBIN/initdb -D $T/pg/data -U vestnik --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
su postgres -c "$PGBIN/pg_ctl -D $T/pg/data -l $T/pg/server.log -w -o '-c listen_addresses=$HOST -p $PGPORT -k $T/pg' start" >/dev/null
PG_PID=$(head -n 1 "$T/pg/data/postmaster.pid"); track "$PG_PID" postgresql
su postgres -c "$PGBIN/createdb -h $HOST -p $PGPORT -U vestnik vestnik"
ROWS+=("$(measure postgresql "postgres://vestnik@$HOST:$PGPORT/vestnik")")
su postgres -c "$PGBIN/pg_ctl -D $T/pg/data -m fast -w stop" >/dev/null; untrack "$PG_PID"
fi

mkdir -p "$RESULTS"
REPORT="$RESULTS/wordpress-import-$(date +%F-%H%M%S).md"
{
  echo "# vestnik import-wordpress, $POSTS generated posts ($SIZE MB export)"
  echo
  echo "Commit $REV; $BUILT; $(nproc) cores; $(date -u '+%F %H:%M UTC'); PostgreSQL: ${PG_URL:+an existing database of a running server}${PG_URL:-a throwaway server}; load average at the end:$(uptime | sed 's/.*load average://')."
  echo
  echo "| database | items | seconds | items/s | items/s while reading | peak RSS (MB) |"
  echo "|---|---|---|---|---|---|"
  printf '%s\n' "${ROWS[@]}"
} > "$REPORT"
cat "$REPORT"
OK=1
