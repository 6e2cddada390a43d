#!/usr/bin/env bash
# Measures ingest speed against the floor of reading the same archive:
# `zcat | wc -l`. Prints lines/s, peak RSS and the ratio ingest/zcat.
set -euo pipefail
BIN=${1:-.build/release/mailtrace}
LINES=${BENCH_LINES:-2200000}
WORK=${BENCH_DIR:-/tmp/mailtrace-bench}
ARCHIVE="$WORK/archive-$LINES"
mkdir -p "$WORK"
if [ ! -f "$ARCHIVE/truth.json" ]; then
  echo "Generating a $LINES-line archive in $ARCHIVE"
  rm -rf "$ARCHIVE"
  "$BIN" simulate --out "$ARCHIVE" --seed 7 --servers 3 --lines-target "$LINES" >/dev/null
fi
files=$(find "$ARCHIVE" -type f -name 'maillog*' | sort)
compressed=$(cat $files | wc -c)

measure() { # prints "seconds peak_kb"
  local out
  out=$( { /usr/bin/time -f '%e %M' "$@" >/dev/null 2>/dev/null; } 2>&1 | tail -n1 )
  echo "$out"
}

lines=$(zcat -f $files | wc -l)
read zsec zkb < <( { /usr/bin/time -f '%e %M' bash -c "zcat -f $(echo $files) | wc -l" >/dev/null; } 2>&1 | tail -n1)
rm -f "$WORK/bench.db" "$WORK/bench.db-wal" "$WORK/bench.db-shm"
read isec ikb < <(measure "$BIN" ingest --quiet --db "$WORK/bench.db" "$ARCHIVE")
rows=$(sqlite3 "$WORK/bench.db" 'select count(*) from raw_lines' 2>/dev/null || echo "?")
ratio=$(awk -v a="$isec" -v b="$zsec" 'BEGIN { printf "%.2f", a / b }')
rate=$(awk -v l="$lines" -v s="$isec" 'BEGIN { printf "%.0f", l / s }')
dbsize=$(du -m "$WORK/bench.db" | cut -f1)
echo "archive:        $lines lines, $((compressed / 1048576)) MiB compressed, $(echo $files | wc -w) files"
echo "zcat | wc -l:   ${zsec} s"
echo "ingest:         ${isec} s, ${rate} lines/s, peak RSS $((ikb / 1024)) MiB, database ${dbsize} MiB, raw lines stored: $rows"
echo "ratio ingest/zcat: ${ratio}"
