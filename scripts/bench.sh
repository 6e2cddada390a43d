#!/usr/bin/env bash
# Measures ingest speed against the floor of reading the same archive,
# `zcat | wc -l`, in one run: lines/s, peak RSS and the ratio ingest/zcat.
# The archive (2.2 million sendmail lines, gzipped rotations of three servers) is
# made once by `mailtrace simulate` outside the repository and reused; the same mail
# is written in each form of BENCH_MTAS (default: sendmail postfix), and each form is
# measured on its own. The Postfix form of the same mail has more lines.
# Each form ends with scripts/bench-floor.sh: the same rows and indexes stored by
# SQLite alone (INSERT … SELECT from the ingested database), the floor under the ingest.
set -euo pipefail
BIN=${1:-.build/release/mailtrace}
LINES=${BENCH_LINES:-2200000}
MTAS=${BENCH_MTAS:-sendmail postfix}
WORK=${BENCH_DIR:-${TMPDIR:-/tmp}/mailtrace-bench}
mkdir -p "$WORK"

declare -A RATIO RSS LINECOUNT
for mta in $MTAS; do
  # The sendmail archive keeps its old name, so an archive made before is reused.
  if [ "$mta" = sendmail ]; then ARCHIVE="$WORK/archive-$LINES"; else ARCHIVE="$WORK/archive-$LINES-$mta"; fi
  if [ ! -f "$ARCHIVE/truth.json" ]; then
    echo "Generating the $mta form of a $LINES-line archive in $ARCHIVE (once)"
    rm -rf "$ARCHIVE"
    "$BIN" simulate --out "$ARCHIVE" --mta "$mta" --seed 7 --servers 3 --hosts 400 --days 7 \
      --lines-target "$LINES" >/dev/null
  fi
  mapfile -t files < <(find -H "$ARCHIVE" -type f -name 'maillog*' | sort)
  compressed=$(cat "${files[@]}" | wc -c)
  gzipped=$(printf '%s\n' "${files[@]}" | grep -c '\.gz$' || true)

  # The floor: decompress and count lines; the fastest of three runs, so that one
  # slow moment of a shared machine does not flatter the ratio.
  zsec=""
  for _ in 1 2 3; do
    read -r t _ < <( { /usr/bin/time -f '%e %M' sh -c 'zcat -f "$@" | wc -l >/dev/null' sh "${files[@]}"; } 2>&1 | tail -n1)
    zsec=$(awk -v a="$t" -v b="${zsec:-$t}" 'BEGIN { print (a < b) ? a : b }')
  done
  lines=$(zcat -f "${files[@]}" | wc -l)

  # The ingest into a fresh database, indexes included.
  db="$WORK/bench-$mta.db"
  rm -f "$db" "$db-wal" "$db-shm"
  out=$( { /usr/bin/time -f 'TIME %e %M' "$BIN" ingest --quiet --format json --db "$db" "$ARCHIVE" || true; } 2>&1 )
  isec=$(echo "$out" | awk '/^TIME/ { print $2 }')
  ikb=$(echo "$out" | awk '/^TIME/ { print $3 }')
  summary=$(echo "$out" | grep '^{' || echo '{}')
  phases=$(echo "$summary" | python3 -c '
import json, sys
d = json.load(sys.stdin)
p = d.get("phase_seconds")
if p is None:
    print("no summary (ingest failed)")
else:
    print("load %.2f s, indexes %.2f s, finish %.2f s; %d lines stored, %d unparsed"
          % (p["load"], p["index"], p["finish"], d["lines"], d.get("unparsed", 0)))')

  ratio=$(awk -v a="$isec" -v b="$zsec" 'BEGIN { printf "%.2f", a / b }')
  rate=$(awk -v l="$lines" -v s="$isec" 'BEGIN { printf "%.0f", l / s }')
  zrate=$(awk -v l="$lines" -v s="$zsec" 'BEGIN { printf "%.0f", l / s }')
  dbsize=$(du -m "$db" | cut -f1)
  echo "== $mta"
  echo "archive:           $lines lines, $((compressed / 1048576)) MiB on disk, ${#files[@]} files ($gzipped gzipped)"
  echo "zcat | wc -l:      ${zsec} s (${zrate} lines/s; fastest of 3)"
  echo "mailtrace ingest:  ${isec} s (${rate} lines/s), peak RSS $((ikb / 1024)) MiB, database ${dbsize} MiB"
  echo "                   $phases"
  echo "ratio ingest/zcat: ${ratio}"
  # What SQLite alone takes to store these rows and build these indexes.
  "$(dirname "$0")/bench-floor.sh" "$db" "$ARCHIVE" "$zsec" | sed 's/^/  floor: /'
  RATIO[$mta]=$ratio
  RSS[$mta]=$((ikb / 1024))
  LINECOUNT[$mta]=$lines
done

echo
echo "| MTA | lines | ratio ingest/zcat | peak RSS |"
echo "| --- | ---: | ---: | ---: |"
for mta in $MTAS; do
  echo "| $mta | ${LINECOUNT[$mta]} | ${RATIO[$mta]} | ${RSS[$mta]} MiB |"
done
