#!/usr/bin/env bash
# bench/compare-render.sh — do two builds render the same pages? Both serve the built-in demo site, each from its
# own copy of one freshly imported SQLite file, with the page cache off; the script crawls the public site (home, then every page it links
# to, two levels deep, plus second pages, a 404 and searches), logs in to the newsroom as a chief made with
# `vestnik user create` and crawls the newsroom's pages, then compares status and body page by page.
#
#   Usage:   bash bench/compare-render.sh OLD_BINARY [NEW_BINARY]     (NEW: .build/debug/vestnik)
#   Knobs:   MAX_PAGES=200   public pages at most;  KEEP_TMP=1 keeps both servers' pages in $T;
#            MASK_FINGERPRINTS=1   ignore static assets' `?v=` fingerprints;  MASK_SPLICE=1   ignore splice marks
#
# What may differ between two runs and is masked before comparing: the port in absolute URLs (percent-encoded in
# share links too), the CSRF tokens (random per session) and relative times ("преди 5 минути", "5 minutes ago"), which move with the clock. Everything else must be identical.
# Exit status 0 when every page matches. Stops what it starts.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$ROOT/bench/lib.sh"
OLD=${1:?usage: bash bench/compare-render.sh OLD_BINARY [NEW_BINARY]}
NEW=${2:-$ROOT/.build/debug/vestnik}
MAX_PAGES=${MAX_PAGES:-200}
# MASK_FINGERPRINTS=1 also masks static assets' `?v=` fingerprints (for builds whose hash function differs).
FINGERPRINTS_MASK=""; [ "${MASK_FINGERPRINTS:-0}" = 1 ] && FINGERPRINTS_MASK='s/\?v=[0-9a-f]+/?v=FINGERPRINT/g'
# MASK_SPLICE=1 also drops the page cache's splice marks (`<!--splice:today-->`), which cold article pages carried
# before 12th session's change (they are spliced like cached ones since, and no page sent out carries them).
SPLICE_MASK=""; [ "${MASK_SPLICE:-0}" = 1 ] && SPLICE_MASK='s#<!--/?splice:[a-z_]+-->##g'
for b in "$OLD" "$NEW"; do [ -x "$b" ] || die "no binary at $b"; done
bench_traps
T=$(mktemp -d /tmp/vestnik-compare.XXXXXX)
EMAIL=compare@example.org
PASSWORD=compare-render-1234


links() {   # internal GET links of an HTML file, one per line, without fragments
  grep -oE 'href="/[^"#]*"' "$1" | sed -E 's/^href="(.*)"$/\1/; s/&amp;/\&/g' |
    grep -vE '^/(static|media)/|\.(xml|json|txt|gif|png|jpg|webp|css|js)(\?|$)|^/newsroom/logout' || true
}

login() {   # $1 side: cookie jar $T/$side.cookies with a newsroom session
  local side=$1 url csrf
  url=URL_$side; url=${!url}
  curl -sS -c "$T/$side.cookies" -o "$T/$side.login.html" "$url/newsroom/login"
  csrf=$(grep -oE 'name="csrf" value="[^"]*"' "$T/$side.login.html" | head -1 | sed -E 's/.*value="([^"]*)"/\1/')
  curl -sS -b "$T/$side.cookies" -c "$T/$side.cookies" -o /dev/null -w '%{http_code}' \
    --data-urlencode "email=$EMAIL" --data-urlencode "password=$PASSWORD" --data-urlencode "csrf=$csrf" \
    "$url/newsroom/login" | grep -q '^30' || die "$side: newsroom login failed"
}

fetch() {   # $1 side  $2 path  $3 file: body to the file, "status" as the first line
  local url=URL_$1
  { curl -sS -b "$T/$1.cookies" -o "$3.body" -w '%{http_code}\n' "${!url}$2"; cat "$3.body"; } >"$3"
  rm -f "$3.body"
}

normalise() {   # what legitimately differs between two runs
  sed -E -e "s#http://$HOST:[0-9]+#http://HOST#g" -e "s#http%3A%2F%2F$HOST%3A[0-9]+#http%3A%2F%2FHOST#g" \
    -e "${FINGERPRINTS_MASK:-}" -e "${SPLICE_MASK:-}" -e 's/(name="csrf" value=")[^"]*/\1CSRF/g; s/(data-csrf=")[^"]*/\1CSRF/g; s/("csrf": *")[^"]*/\1CSRF/g' \
    -e 's/преди [0-9]+ (секунди|секунда|минути|минута|часа|час)/преди N ВРЕМЕ/g' \
    -e 's/[0-9]+ (seconds?|minutes?|hours?) ago/N TIME ago/g' "$1"
}

# The old binary imports the demo site and the user is added; both servers then start on copies of that one file,
# so their data (the demo's times are set relative to the import) is the same to the second.
log "old: $OLD (imports the demo site)"
serve_cold seed "$OLD" "$T/seed.sqlite"
printf '%s\n' "$PASSWORD" | "$OLD" user create --database "$T/seed.sqlite" --email "$EMAIL" --name "Сравнение" \
  --role chief --password-stdin >/dev/null
stop_pid "$PID_seed" vestnik-seed
for side in old new; do
  for f in "$T"/seed.sqlite*; do cp "$f" "$T/$side.sqlite${f#"$T"/seed.sqlite}"; done
done
serve_cold old "$OLD" "$T/old.sqlite"
log "new: $NEW"; serve_cold new "$NEW" "$T/new.sqlite"
login old; login new

# The page list comes from the old server and is asked of both.
mkdir -p "$T/old" "$T/new"
SEARCH=/%D1%82%D1%8A%D1%80%D1%81%D0%B5%D0%BD%D0%B5   # SiteURLs.search, /търсене
: >"$T/pages"
add() { grep -qxF -- "$1" "$T/pages" || echo "$1" >>"$T/pages"; }
add /; add /no-such-page; add /no/such-article; add /tag/no-such-tag
for q in България вестник 'а' 'zzzz-nothing' '<script>&"'"'"; do
  add "$SEARCH?q=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$q")"
done
add "$SEARCH?q=%D0%B0&page=2"
crawl() {   # $1 root path  $2 depth  $3 filter (grep -E)
  local level=0 frontier=("$1") next path f
  while [ "$level" -le "$2" ] && [ "${#frontier[@]}" -gt 0 ]; do
    next=()
    for path in "${frontier[@]}"; do
      [ "$(wc -l <"$T/pages")" -lt "$MAX_PAGES" ] || return 0
      add "$path"
      f=$T/crawl.html; fetch old "$path" "$f"
      while read -r link; do
        grep -qxF -- "$link" "$T/pages" && continue
        [[ "$link" =~ $3 ]] || continue
        add "$link"; next+=("$link")
      done < <(links "$f")
    done
    frontier=("${next[@]}"); level=$((level + 1))
  done
}
crawl / 2 '^/[^n]|^/n[^e]'
for p in $(grep -E '^/(tema|tag|avtor)/|^/[^/?]+$' "$T/pages" | head -8); do add "$p?page=2"; done
NEWSROOM_START=$(wc -l <"$T/pages")
MAX_PAGES=$((MAX_PAGES + 150))
for p in /newsroom /newsroom/review /newsroom/articles/new /newsroom/users /newsroom/audit /newsroom/password \
  /newsroom/sections /newsroom/topics /newsroom/tags /newsroom/authors /newsroom/media /newsroom/statistika \
  /newsroom/articles/1 /newsroom/articles/1/revisions/1 /newsroom/statistika/1; do
  add "$p"
done
crawl /newsroom 1 '^/newsroom/'

total=0; same=0; differ=()
while read -r path; do
  total=$((total + 1)); name=$(printf '%04d' "$total")
  fetch old "$path" "$T/old/$name"; fetch new "$path" "$T/new/$name"
  if cmp -s <(normalise "$T/old/$name") <(normalise "$T/new/$name"); then same=$((same + 1))
  else differ+=("$name $path"); fi
done <"$T/pages"

statuses=$(for f in "$T"/old/*; do head -1 "$f"; done | sort | uniq -c | awk '{ printf "%s×%s ", $1, $2 }')
echo "compared $total pages ($((total - NEWSROOM_START)) of them the newsroom's; statuses: $statuses)"
echo "identical: $same; different: ${#differ[@]}"
for d in "${differ[@]}"; do
  echo "--- ${d#* }"
  diff <(normalise "$T/old/${d%% *}") <(normalise "$T/new/${d%% *}") | head -20 || true
done
[ "${#differ[@]}" -eq 0 ] || { KEEP_TMP=1; exit 1; }
OK=1
