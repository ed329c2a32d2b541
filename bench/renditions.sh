#!/usr/bin/env bash
# Renditions benchmark (issue 17): one 4000×3000 JPEG shrunk to 1280 pixels wide (JPEG, quality 80, no metadata) by
# Vestnik in-process (the same libvips call a rendition job makes, release build), by `vipsthumbnail` (one process per
# picture, and one process for all of them) and by ImageMagick's `convert -resize`, each on one thread; then whole
# rendition jobs (every width, format and crop of the picture), each in a fresh process, with its peak RSS.
#
#   bash bench/renditions.sh            # RUNS=20 pictures per tool, JOBS=3 jobs
#
# The report is printed and written to bench/results/renditions-<date>.md (git-ignored).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
. bench/lib.sh
RUNS=${RUNS:-20}
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

per_second() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.2f", n / s }'; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

log "Vestnik in-process, $RUNS renditions"
BUSY_V=$(busy_pct)
LINE=$("$BENCH" renditions one --input "$T/photo.jpg" --width 1280 --runs "$RUNS")
V_SECS=$(sed -n 's/.* seconds=\([^ ]*\).*/\1/p' <<<"$LINE")
V_RSS=$(/usr/bin/time -f %M "$BENCH" renditions one --input "$T/photo.jpg" --width 1280 --runs 1 2>&1 >/dev/null | tail -1)

log "vipsthumbnail, one process per picture"
BUSY_T=$(busy_pct)
start=$(now)
for i in $(seq "$RUNS"); do vipsthumbnail "$T/photo.jpg" -s 1280x -o "$T/vt.jpg[Q=80,strip]"; done
T_SECS=$(elapsed "$start" "$(now)")
T_RSS=$(/usr/bin/time -f %M vipsthumbnail "$T/photo.jpg" -s 1280x -o "$T/vt.jpg[Q=80,strip]" 2>&1 | tail -1)

log "vipsthumbnail, one process for all"
mkdir -p "$T/many"
for i in $(seq "$RUNS"); do ln "$T/photo.jpg" "$T/many/p$i.jpg"; done
start=$(now)
vipsthumbnail "$T"/many/p*.jpg -s 1280x -o "%s-t.jpg[Q=80,strip]"
M_SECS=$(elapsed "$start" "$(now)")

log "ImageMagick convert -resize, one process per picture"
BUSY_C=$(busy_pct)
start=$(now)
for i in $(seq "$RUNS"); do /usr/bin/convert "$T/photo.jpg" -resize 1280x -quality 80 -strip "$T/im.jpg"; done
C_SECS=$(elapsed "$start" "$(now)")
C_RSS=$(/usr/bin/time -f %M /usr/bin/convert "$T/photo.jpg" -resize 1280x -quality 80 -strip "$T/im.jpg" 2>&1 | tail -1)

log "$JOBS whole rendition jobs"
BUSY_J=$(busy_pct)
JOB_LINES=()
for i in $(seq "$JOBS"); do JOB_LINES+=("$("$BENCH" renditions job --input "$T/photo.jpg")"); done

{
  echo "# Renditions, $(date -u '+%Y-%m-%d %H:%M UTC'), $(tree_rev)"
  echo
  echo "Input: ${SIZE} bytes, 4000×3000 JPEG. Output: 1280 wide, JPEG Q80, no metadata. One thread each"
  echo "(VIPS_CONCURRENCY=1, MAGICK_THREAD_LIMIT=1). $RUNS pictures per tool; $(nproc) cores; $(vips --version);"
  echo "Vestnik: \`$BENCH\`."
  echo
  echo "| tool | seconds for $RUNS | renditions/s | ratio to vipsthumbnail (per process) | peak RSS, one run | machine busy before (other load) |"
  echo "|---|---:|---:|---:|---:|---:|"
  echo "| Vestnik, in-process | $V_SECS | $(per_second "$RUNS" "$V_SECS") | $(awk -v a="$T_SECS" -v b="$V_SECS" 'BEGIN{printf "%.2f", a/b}') | ${V_RSS} KiB | ${BUSY_V} % |"
  echo "| vipsthumbnail, a process per picture | $T_SECS | $(per_second "$RUNS" "$T_SECS") | 1 | ${T_RSS} KiB | ${BUSY_T} % |"
  echo "| vipsthumbnail, one process for all | $M_SECS | $(per_second "$RUNS" "$M_SECS") | $(awk -v a="$T_SECS" -v b="$M_SECS" 'BEGIN{printf "%.2f", a/b}') | | |"
  echo "| ImageMagick convert -resize | $C_SECS | $(per_second "$RUNS" "$C_SECS") | $(awk -v a="$T_SECS" -v b="$C_SECS" 'BEGIN{printf "%.2f", a/b}') | ${C_RSS} KiB | ${BUSY_C} % |"
  echo
  echo "Whole jobs (machine ${BUSY_J} % busy before), each in a fresh process:"
  echo
  for line in "${JOB_LINES[@]}"; do echo "    $line"; done
} | tee "$OUT"
OK=1
