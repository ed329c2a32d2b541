#!/usr/bin/env bash
# Fuzzes a parser of outside input under libFuzzer and AddressSanitizer, for SECONDS:
#   fuzz/run.sh [TARGET=scrub] [SECONDS=60] [extra libFuzzer flags…]
# Targets (each built from sources that need nothing but Foundation):
#   scrub      the picture scrubber (fuzz/ScrubFuzz.swift with Sources/VestnikCore/Media/{ImageFile,ExifBlock,
#              ImageScrubber}.swift); seeds: small pictures in the four formats carrying EXIF (GPS, thumbnail,
#              orientation), XMP, IPTC, comments and text (fuzz/seeds.py)
#   range      the media files' Range header (fuzz/RangeFuzz.swift with Sources/VestnikCore/Media/ByteRange.swift)
#   wordpress  the WordPress importer's text passes (fuzz/WordPressFuzz.swift with
#              Sources/VestnikStore/Import/WordPress/WordPressText.swift and Sources/VestnikCore/
#              SingleScalarCharacters.swift); seeds: bodies with shortcodes and comments
#   address    the outgoing requests' address rules (fuzz/AddressFuzz.swift with Sources/VestnikCore/Outbound/
#              OutboundAddress.swift): every IPv4 spelling inet_aton reads, IPv6; seeds: odd loopback spellings
#   lexicon    the Hunspell dictionary reader (fuzz/LexiconFuzz.swift with Sources/VestnikCore/Search/
#              BulgarianLexicon.swift); input: an .aff file, a NUL byte, a .dic file; seeds: small dictionaries
#   markdown   Markdown (Sources/VestnikCore/Markdown*.swift): no raw <script> gets through
#   sanitizer  the editor's HTML body sanitizer (Sources/VestnikCore/Newsroom/BodySanitizer.swift): no script,
#              iframe, style, event handler or javascript: survives
#   slug       slug transliteration (Sources/VestnikCore/Slug.swift): only [a-z0-9-], no edge or double hyphens
#   query      the search box's query parser and analyser (Sources/VestnikCore/Search/SearchQuery.swift)
#   multipart  the upload form parser (Sources/VestnikWeb/Media/MultipartForm.swift); input: a boundary line, then
#              the body
#   form       the form and query string decoder (Sources/VestnikCore/FormURLEncoding.swift): re-encoding what it
#              read gives the same pairs
#   template   the theme's Mustache template parser (Sources/VestnikWeb/Theme/Template.swift): any text parses or is
#              refused with a ThemeError; text without a tag always parses
#   frontrule  a front zone's rule as the newsroom's form sends it (Sources/VestnikCore/FrontZones.swift); input: the
#              choice (`newest`, `section:3` …), a newline, the age in hours
#   These eight are one binary (fuzz/ParsersFuzz.swift with all of VestnikCore, MultipartForm.swift and the template
#   parser), built once into fuzz/.work/parsers/ and picked by VESTNIK_FUZZ; their seeds are committed in
#   fuzz/corpus/TARGET/. The template parser's field names come from the .views files: the binary takes the FieldID
#   enum that `swift build` generates from them (.build/plugins/outputs/…/FieldIDs.swift), so build once first.
# Findings (crash-*, timeout-*, oom-*) land in fuzz/.work/TARGET/; rerun one with: fuzz/.work/TARGET/fuzz crash-…
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=scrub
case "${1:-}" in scrub|wordpress|range|lexicon|markdown|sanitizer|slug|query|multipart|form|template|frontrule|address) TARGET=$1; shift ;; esac
SECONDS_TO_RUN=${1:-60}
shift || true
WORK=fuzz/.work/$TARGET
mkdir -p "$WORK/corpus"
case "$TARGET" in
  scrub)
    MEDIA=Sources/VestnikCore/Media
    SOURCES=("$MEDIA/ImageFile.swift" "$MEDIA/ExifBlock.swift" "$MEDIA/ImageScrubber.swift" fuzz/ScrubFuzz.swift)
    MAX_LEN=4096 ;;
  range)
    SOURCES=(Sources/VestnikCore/Media/ByteRange.swift fuzz/RangeFuzz.swift)
    MAX_LEN=256 ;;
  wordpress)
    # WordPressText's shortcode search takes VestnikCore's Unicode.Scalar.standsAlone.
    SOURCES=(Sources/VestnikStore/Import/WordPress/WordPressText.swift Sources/VestnikCore/SingleScalarCharacters.swift
      fuzz/WordPressFuzz.swift)
    MAX_LEN=16384 ;;
  lexicon)
    SOURCES=(Sources/VestnikCore/Search/BulgarianLexicon.swift fuzz/LexiconFuzz.swift)
    MAX_LEN=8192 ;;
  address)
    SOURCES=(Sources/VestnikCore/Outbound/OutboundAddress.swift fuzz/AddressFuzz.swift)
    MAX_LEN=64 ;;
  markdown|sanitizer|slug|query|multipart|form|template|frontrule)
    # All of VestnikCore but SHA256.swift (swift-crypto's; nothing fuzzed here hashes).
    mapfile -t SOURCES < <(find Sources/VestnikCore -name '*.swift' ! -name SHA256.swift | sort)
    FIELD_IDS=$(find .build/plugins/outputs -path '*VestnikWeb*' -name FieldIDs.swift -printf '%T@ %p\n' 2>/dev/null |
      sort -rn | head -n 1 | cut -d' ' -f2-)   # the newest, should .build hold another checkout's too
    [ -n "$FIELD_IDS" ] || { echo "fuzz/run.sh: no generated FieldIDs.swift under .build: run swift build first" >&2; exit 1; }
    THEME=Sources/VestnikWeb/Theme
    SOURCES+=(Sources/VestnikWeb/Media/MultipartForm.swift "$THEME/Template.swift" "$THEME/TemplateProgram.swift"
      "$THEME/TemplateValue.swift" "$FIELD_IDS" fuzz/ParsersFuzz.swift)
    MAX_LEN=8192
    export VESTNIK_FUZZ=$TARGET ;;
esac
if [ -n "${VESTNIK_FUZZ:-}" ]; then
  # One build for the eight: rebuilt only when a source is newer than the binary.
  BUILT=fuzz/.work/parsers/fuzz
  mkdir -p fuzz/.work/parsers
  if [ ! -x "$BUILT" ] || [ -n "$(find "${SOURCES[@]}" -newer "$BUILT" | head -n 1)" ]; then
    swiftc -sanitize=fuzzer,address -parse-as-library -O -g "${SOURCES[@]}" \
        -o "$BUILT" >fuzz/.work/parsers/build.log 2>&1 || { cat fuzz/.work/parsers/build.log; exit 1; }
  fi
  ln -sf "../parsers/fuzz" "$WORK/fuzz"
else
  swiftc -sanitize=fuzzer,address -parse-as-library -O -g "${SOURCES[@]}" \
      -o "$WORK/fuzz" >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }  # (ld.gold warns about ASan's local symbols)
fi
# Committed seeds, among them every finding turned into a regression input.
cp -n fuzz/corpus/"$TARGET"/* "$WORK/corpus/" 2>/dev/null || true
if [ -n "${VESTNIK_FUZZ:-}" ]; then
  :  # seeds copied above
elif [ "$TARGET" = scrub ]; then
  python3 fuzz/seeds.py "$WORK/corpus"
elif [ "$TARGET" = range ]; then
  for seed in 'bytes=0-99' 'bytes=-500' 'bytes=100-' 'bytes=5-1' 'bytes=0-0,5-9' 'bytes=99999999999999999999999-'; do
    printf '%s' "$seed" > "$WORK/corpus/$(printf '%s' "$seed" | md5sum | cut -c1-8)"
  done
elif [ "$TARGET" = address ]; then
  for seed in '127.0.0.1' '0x7f.1' '2130706433' '0177.0.0.1' '[::ffff:127.0.0.1]' 'fe80::1%eth0' '64:ff9b::a9fe:a9fe' '1.2.3.4.5'; do
    printf '%s' "$seed" > "$WORK/corpus/$(printf '%s' "$seed" | md5sum | cut -c1-8)"
  done
elif [ "$TARGET" = lexicon ]; then
  printf '%b' 'SET UTF-8\nSFX A Y 2\nSFX A 0 и .\nSFX A 0 ите [^щ]\nPFX P Y 1\nPFX P 0 най .\n\0003\nград/A\nдобър/P\nхор/AP\n' > "$WORK/corpus/small"
  printf '%b' 'SET UTF-8\nFLAG long\nSFX Ab Y 1\nSFX Ab а и а\n\0001\nжена/Ab\n' > "$WORK/corpus/long"
  printf '%b' 'SET UTF-8\nFLAG num\nSFX 12 Y 1\nSFX 12 0 ове .\n\0001\nград/7,12\n' > "$WORK/corpus/num"
else
  printf '%b' 'Абзац.\n\n[caption id="a" width="300"]<a href="/x"><img src="/i.jpg" alt=""></a> Надпис[/caption]' > "$WORK/corpus/caption"
  printf '%b' '<!-- wp:paragraph --><p>Текст</p><!-- /wp:paragraph -->\n[gallery ids="1,2"] [[escaped]] [/embed] [audio src="x" /]' > "$WORK/corpus/blocks"
  printf '%b' 'Ред едно\nред две\n\n\nТрети [caption]<img src="/a.jpg"> без край' > "$WORK/corpus/unclosed"
fi
cd "$WORK"
exec ./fuzz -max_total_time="$SECONDS_TO_RUN" -max_len="$MAX_LEN" -timeout=5 -rss_limit_mb=1024 -print_final_stats=1 "$@" corpus
