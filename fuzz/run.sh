#!/usr/bin/env bash
# Fuzzes the picture scrubber: builds fuzz/ScrubFuzz.swift with the scrubber's sources (they need nothing but the
# Swift standard library) under libFuzzer and AddressSanitizer, writes a seed corpus of small pictures in the four
# formats carrying EXIF (GPS, thumbnail, orientation), XMP, IPTC, comments and text, and runs for SECONDS.
#   fuzz/run.sh [SECONDS=60] [extra libFuzzer flags…]
# Findings (crash-*, timeout-*, oom-*) land in fuzz/.work/; rerun one with: fuzz/.work/scrub-fuzz fuzz/.work/crash-…
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN=${1:-60}
shift || true
WORK=fuzz/.work
mkdir -p "$WORK/corpus"
MEDIA=Sources/VestnikCore/Media
swiftc -sanitize=fuzzer,address -parse-as-library -O -g \
    "$MEDIA/ImageFile.swift" "$MEDIA/ExifBlock.swift" "$MEDIA/ImageScrubber.swift" fuzz/ScrubFuzz.swift \
    -o "$WORK/scrub-fuzz" >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }  # (ld.gold warns about ASan's local symbols)
python3 fuzz/seeds.py "$WORK/corpus"
cd "$WORK"
exec ./scrub-fuzz -max_total_time="$SECONDS_TO_RUN" -max_len=4096 -timeout=5 -rss_limit_mb=1024 -print_final_stats=1 "$@" corpus
