#!/usr/bin/env bash
# Measures ingest speed against the floor of reading the same archive,
# `zcat | wc -l`, in one run: lines/s, peak RSS and the ratio ingest/zcat.
# The archive (2.2 million lines, gzipped rotations of three servers) is made
# once by `mailtrace simulate` outside the repository and reused.
set -euo pipefail
BIN=${1:-.build/release/mailtrace}
LINES=${BENCH_LINES:-2200000}
WORK=${BENCH_DIR:-${TMPDIR:-/tmp}/mailtrace-bench}
ARCHIVE="$WORK/archive-$LINES"
mkdir -p "$WORK"
if [ ! -f "$ARCHIVE/truth.json" ]; then
  echo "Generating a $LINES-line archive in $ARCHIVE (once)"
  rm -rf "$ARCHIVE"
  "$BIN" simulate --out "$ARCHIVE" --seed 7 --servers 3 --hosts 400 --days 7 \
    --lines-target "$LINES" >/dev/null
fi
mapfile -t files < <(find "$ARCHIVE" -type f -name 'maillog*' | sort)
compressed=$(cat "${files[@]}" | wc -c)
gzipped=$(printf '%s\n' "${files[@]}" | grep -c '\.gz$' || true)

# The floor: decompress and count lines.
read -r zsec zkb < <( { /usr/bin/time -f '%e %M' sh -c 'zcat -f "$@" | wc -l >/dev/null' sh "${files[@]}"; } 2>&1 | tail -n1)
lines=$(zcat -f "${files[@]}" | wc -l)

# The ingest into a fresh database, indexes included.
rm -f "$WORK/bench.db" "$WORK/bench.db-wal" "$WORK/bench.db-shm"
out=$( { /usr/bin/time -f 'TIME %e %M' "$BIN" ingest --quiet --format json --db "$WORK/bench.db" "$ARCHIVE"; } 2>&1 )
isec=$(echo "$out" | awk '/^TIME/ { print $2 }')
ikb=$(echo "$out" | awk '/^TIME/ { print $3 }')
summary=$(echo "$out" | grep '^{')
phases=$(echo "$summary" | python3 -c 'import json,sys; d=json.load(sys.stdin); p=d["phase_seconds"]; print("load %.2f s, indexes %.2f s, finish %.2f s; %d lines stored" % (p["load"], p["index"], p["finish"], d["lines"]))')

ratio=$(awk -v a="$isec" -v b="$zsec" 'BEGIN { printf "%.2f", a / b }')
rate=$(awk -v l="$lines" -v s="$isec" 'BEGIN { printf "%.0f", l / s }')
zrate=$(awk -v l="$lines" -v s="$zsec" 'BEGIN { printf "%.0f", l / s }')
dbsize=$(du -m "$WORK/bench.db" | cut -f1)
echo "archive:           $lines lines, $((compressed / 1048576)) MiB on disk, ${#files[@]} files ($gzipped gzipped)"
echo "zcat | wc -l:      ${zsec} s (${zrate} lines/s)"
echo "mailtrace ingest:  ${isec} s (${rate} lines/s), peak RSS $((ikb / 1024)) MiB, database ${dbsize} MiB"
echo "                   $phases"
echo "ratio ingest/zcat: ${ratio}"
