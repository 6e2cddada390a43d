#!/bin/sh
# Builds the fuzz targets in FuzzTesting/ with libFuzzer and AddressSanitizer,
# replays every kept crasher (FuzzTesting/FailCases/TARGET-*), then fuzzes
# each target for FUZZ_SECONDS (default 60) seeded with the shared corpus and
# the fixtures. A new crash leaves its input in FuzzTesting/crashes/ and fails.
#
#   scripts/fuzz.sh                 build, replay, fuzz every target 60 s
#   FUZZ_SECONDS=600 scripts/fuzz.sh FuzzMailLine
#   FUZZ_SECONDS=0 scripts/fuzz.sh  build and replay only
set -eu
cd "$(dirname "$0")/../FuzzTesting"
SWIFT=${SWIFT:-swift}
SECONDS_EACH=${FUZZ_SECONDS:-60}
TARGETS=${*:-FuzzMailLine FuzzLogFile}
# The Swift backtracer would hold a crashed fuzzer for minutes: libFuzzer reports.
export SWIFT_BACKTRACE=enable=no

# Release by default: about eight times the executions per second of a debug
# build here; FUZZ_CONFIG=debug for the debug build (it can find other things).
CONFIG=${FUZZ_CONFIG:-release}
$SWIFT build -c "$CONFIG" -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
BIN=.build/$CONFIG

# Seeds: one line per file from the shared corpus and the fixtures (MailLine),
# whole small files (LogFile, with two buffer-size bytes in front).
seed_dir() {
  target=$1
  dir=.build/seeds/$target
  if [ ! -d "$dir" ]; then
    mkdir -p "$dir"
    sources=""
    [ -d ../../shared/corpus ] && sources="../../shared/corpus"
    [ -d ../fixtures ] && sources="$sources ../fixtures"
    case $target in
      FuzzMailLine)
        # Every distinct line of the corpus, and the first 5,000 of each fixture log.
        { find $sources -type f ! -name '*.gz' ! -name '*.md' ! -name '*.yaml' -size -2M \
            ! -path '*/fixtures/*' -exec cat {} + 2>/dev/null
          find ../fixtures -type f -name 'maillog*' ! -name '*.gz' -exec head -n 5000 {} \; ; } \
          | awk 'length($0) < 4000' | sort -u | head -n 30000 \
          | awk -v dir="$dir" '{ f = sprintf("%s/line-%05d", dir, NR); printf "%s", $0 > f; close(f) }' ;;
      FuzzLogFile)
        i=0
        find $sources ../fixtures/bad -type f -size -64k 2>/dev/null | head -n 300 | while read -r f; do
          i=$((i + 1)); { printf '\007\037'; cat "$f"; } > "$dir/file-$i"
        done ;;
    esac
  fi
  echo "$dir"
}

# A dictionary of the tokens the parsers look for, where there is one.
dict() {
  case $1 in FuzzMailLine) echo "-dict=MailLine.dict" ;; esac
}

status=0
for target in $TARGETS; do
  # Regressions first: every input kept in FailCases must now run clean.
  cases=$(ls FailCases/"$target"-* 2>/dev/null || true)
  if [ -n "$cases" ]; then
    echo "== $target: replaying $(echo "$cases" | wc -l) kept crashers"
    "$BIN/$target" -runs=1 $cases || status=1
  fi
  [ "$SECONDS_EACH" -gt 0 ] || continue
  seeds=$(seed_dir "$target")
  work=.build/corpus/$target
  mkdir -p "$work" crashes
  echo "== $target: fuzzing for $SECONDS_EACH s"
  "$BIN/$target" "$work" "$seeds" -max_total_time="$SECONDS_EACH" -timeout=5 -rss_limit_mb=2048 \
    -max_len=8192 $(dict "$target") -print_final_stats=1 -artifact_prefix=crashes/"$target"- || status=1
done
exit $status
