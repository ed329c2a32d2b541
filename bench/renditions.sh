#!/usr/bin/env bash
# Renditions benchmark (issue 17): one 4000×3000 JPEG shrunk to 1280 pixels wide (JPEG Q80, no metadata, progressive
# with optimised Huffman tables: the saver options a Vestnik rendition has) by Vestnik in-process (the libvips call a
# rendition makes from a file, release build) and by `vipsthumbnail` (one process for a batch of pictures, and one
# process per picture) given the same saver options, so both write the same file; vipsthumbnail with its own default
# saver options (baseline JPEG) and ImageMagick's `convert -resize` for scale. All on one thread. The tools take turns
# round by round (their order rotates), so a change of load falls on all of them alike; each run is timed by
# /usr/bin/time (wall clock, and CPU time, which a busy machine inflates less). Then whole rendition jobs (every
# width, format and crop of the picture), each in a fresh process, interleaved: the job decoding the file anew for
# every rendition (`--decode each`), decoding it once (`--decode once`, what a node does), and BEFORE_BIN's job
# (an older VestnikBench, e.g. main's release build before this change; it joins the per-picture rounds too).
#
#   bash bench/renditions.sh        # ROUNDS=5 rounds of BATCH=4 pictures per tool, JOBS=3 jobs of each kind
#   BENCH_BIN=.build/release/VestnikBench BEFORE_BIN=/tmp/old/VestnikBench nice -n 5 bash bench/renditions.sh
#
# The report is printed and written to bench/results/renditions-<date>.md (git-ignored).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
. bench/lib.sh
ROUNDS=${ROUNDS:-5}
BATCH=${BATCH:-4}
JOBS=${JOBS:-3}
need_tools vipsthumbnail=libvips-tools /usr/bin/convert=imagemagick /usr/bin/time=time
# BENCH_BIN: measure that VestnikBench instead of building a release one (the report says which).
if [ -n "${BENCH_BIN:-}" ]; then
  BENCH=$BENCH_BIN
else
  log "release build of VestnikBench"
  swift build -c release --scratch-path .build-release --product VestnikBench >/dev/null
  BENCH=.build-release/release/VestnikBench
fi
T=$(mktemp -d /tmp/vestnik-renditions-bench.XXXXXX)
bench_traps
mkdir -p "$RESULTS"
OUT="$RESULTS/renditions-$(date -u +%Y%m%d-%H%M).md"
UPTIME_START=$(uptime)

# A photograph's statistics, roughly: smooth gradients under fine noise (which JPEG cannot squeeze away).
python3 - "$T/photo.jpg" <<'PY'
import sys, random
from PIL import Image, ImageFilter
random.seed(17)
w, h = 4000, 3000
base = Image.linear_gradient("L").resize((w, h))
noise = Image.effect_noise((w, h), 40).filter(ImageFilter.GaussianBlur(1))
rgb = Image.merge("RGB", (base, noise, base.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
rgb.save(sys.argv[1], quality=88)
PY
SIZE=$(stat -c %s "$T/photo.jpg")
export VIPS_CONCURRENCY=1 MAGICK_THREAD_LIMIT=1 OMP_NUM_THREADS=1
SAVE="Q=80,strip,optimize_coding,interlace"   # Sources/CVips' JPEG saver options
mkdir -p "$T/many" "$T/plain"
for i in $(seq "$BATCH"); do ln "$T/photo.jpg" "$T/many/p$i.jpg"; ln "$T/photo.jpg" "$T/plain/p$i.jpg"; done

# One timed run: "wall user sys maxrss_kib" appended to $T/<tool>.times.
timed() {
  local tool=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$T/last.time" "$@" >/dev/null 2>"$T/last.err" || { cat "$T/last.err" >&2; die "$tool failed"; }
  cat "$T/last.time" >>"$T/$tool.times"
}
run_tool() {
  case "$1" in
    vestnik) timed vestnik "$BENCH" renditions one --input "$T/photo.jpg" --width 1280 --runs "$BATCH" --output "$T/vestnik.jpg" ;;
    vestnik_before) timed vestnik_before "$BEFORE_BIN" renditions one --input "$T/photo.jpg" --width 1280 --runs "$BATCH" ;;
    vt_one) timed vt_one vipsthumbnail "$T"/many/p*.jpg -s 1280x -o "%s-t.jpg[$SAVE]" ;;
    vt_each) timed vt_each bash -c 'for i in $(seq "$1"); do vipsthumbnail "$2" -s 1280x -o "$3/each.jpg[$4]"; done' _ \
      "$BATCH" "$T/photo.jpg" "$T" "$SAVE" ;;
    vt_plain) timed vt_plain vipsthumbnail "$T"/plain/p*.jpg -s 1280x -o "%s-t.jpg[Q=80,strip]" ;;
    magick) timed magick bash -c 'for i in $(seq "$1"); do /usr/bin/convert "$2" -resize 1280x -quality 80 -strip "$3/im.jpg"; done' _ \
      "$BATCH" "$T/photo.jpg" "$T" ;;
  esac
}
TOOLS=(vestnik vt_one vt_each vt_plain magick)
[ -n "${BEFORE_BIN:-}" ] && TOOLS+=(vestnik_before)
for r in $(seq "$ROUNDS"); do
  log "round $r of $ROUNDS ($(uptime | sed 's/.*load/load/'))"
  uptime | sed 's/.*load average: //' >>"$T/loads"
  n=${#TOOLS[@]}
  for k in $(seq 0 $((n - 1))); do run_tool "${TOOLS[$(((k + r - 1) % n))]}"; done
  # This round's ratio, Vestnik against one vipsthumbnail process (wall clock).
  awk 'NR==FNR { v = $1; next } { t = $1 } END { printf "%.2f\n", t / v }' <(tail -1 "$T/vestnik.times") <(tail -1 "$T/vt_one.times") >>"$T/round-ratios"
done

# Whole jobs, interleaved.
JOB_KINDS=("$BENCH each" "$BENCH once")
[ -n "${BEFORE_BIN:-}" ] && JOB_KINDS=("$BEFORE_BIN before" "${JOB_KINDS[@]}")
for i in $(seq "$JOBS"); do
  for kind in "${JOB_KINDS[@]}"; do
    bin=${kind% *} mode=${kind##* }
    log "job $i: $mode"
    if [ "$mode" = before ]; then line=$("$bin" renditions job --input "$T/photo.jpg")
    else line=$("$bin" renditions job --input "$T/photo.jpg" --decode "$mode"); fi
    echo "$mode $(uptime | sed 's/.*load average: //' | cut -d, -f1) $line" >>"$T/jobs"
  done
done
UPTIME_END=$(uptime)

# Are the two files the same? (Vestnik's last output and one vipsthumbnail's, with the same saver options.)
if cmp -s "$T/vestnik.jpg" "$T/many/p1-t.jpg"; then SAME="byte for byte identical ($(stat -c %s "$T/vestnik.jpg") bytes)"
else
  SAME=$(python3 - "$T/vestnik.jpg" "$T/many/p1-t.jpg" <<'PY'
import sys
from PIL import Image, ImageChops
a, b = (Image.open(p).convert("RGB") for p in sys.argv[1:3])
if a.size != b.size:
    print(f"different sizes {a.size} and {b.size}")
else:
    d = ImageChops.difference(a, b)
    hist = d.convert("L").histogram()
    print(f"different bytes; same size {a.size}; largest difference of a sample {max(max(x) for x in d.getextrema())}, "
          f"pixels differing {sum(hist[1:]) / (a.size[0] * a.size[1]):.1%}")
PY
)
fi

row() {   # tool label
  awk -v n="$BATCH" -v label="$2" -v ref="$(awk '{ s += $1 } END { print s }' "$T/vt_one.times")" \
      -v refcpu="$(awk '{ s += $2 + $3 } END { print s }' "$T/vt_one.times")" '
    { wall += $1; cpu += $2 + $3; if ($4 > rss) rss = $4; runs++ }
    END { pics = runs * n; printf "| %s | %d | %.1f | %.2f | %.2f | %.0f | %.2f | %d KiB |\n", label, pics, wall, pics / wall,
          ref / wall, 1000 * cpu / pics, refcpu / cpu, rss }' "$T/$1.times"
}
{
  echo "# Renditions, $(date -u '+%Y-%m-%d %H:%M UTC'), $(tree_rev)"
  echo
  echo "Input: ${SIZE} bytes, 4000×3000 JPEG. Output: 1280 wide, JPEG Q80, no metadata. One thread each"
  echo "(VIPS_CONCURRENCY=1, MAGICK_THREAD_LIMIT=1). $ROUNDS rounds × $BATCH pictures per tool, the tools' order rotating;"
  echo "$(nproc) cores; $(vips --version). Vestnik: \`$BENCH\`. vipsthumbnail with \`[$SAVE]\` (Vestnik's options)"
  echo "unless said. Load at the start: $UPTIME_START. At the end: $UPTIME_END."
  echo
  echo "| tool | pictures | wall s | pictures/s | vs one vipsthumbnail (wall) | CPU ms a picture | vs one vipsthumbnail (CPU) | peak RSS |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  row vestnik "Vestnik, in-process"
  row vt_one "vipsthumbnail, one process for a batch"
  row vt_each "vipsthumbnail, a process per picture"
  row vt_plain "vipsthumbnail, one process, its default saver (baseline JPEG)"
  row magick "ImageMagick convert -resize, a process per picture"
  [ -n "${BEFORE_BIN:-}" ] && row vestnik_before "Vestnik before, in-process (\`$BEFORE_BIN\`)"
  echo
  echo "Vestnik against one vipsthumbnail process, round by round (wall): $(paste -sd' ' "$T/round-ratios")."
  echo "Load average (1, 5, 15 min) at each round's start: $(paste -sd';' "$T/loads")."
  echo "Output, Vestnik and vipsthumbnail with the same options: $SAME."
  echo
  echo "Whole jobs (every width × format and the crops), each a fresh process, interleaved (kind, load, its line):"
  echo
  sed 's/^/    /' "$T/jobs"
} | tee "$OUT"
OK=1
