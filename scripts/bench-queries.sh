#!/usr/bin/env bash
# Times every forensic question on a database of 5 million lines: best and
# worst wall time of three runs each, after one run that warms the file cache.
# The archive (`mailtrace simulate`, three servers, two weeks) and its database
# are made once outside the repository; the database is made again when the
# binary is newer than it.
set -euo pipefail
BIN=${1:-.build/release/mailtrace}
LINES=${BENCH_QUERY_LINES:-5000000}
RUNS=${BENCH_RUNS:-3}
WORK=${BENCH_DIR:-${TMPDIR:-/tmp}/mailtrace-bench}
ARCHIVE="$WORK/archive-$LINES-queries"
DB="$WORK/queries-$LINES.db"
mkdir -p "$WORK"
if [ ! -f "$ARCHIVE/truth.json" ]; then
  echo "Generating a $LINES-line archive in $ARCHIVE (once)"
  rm -rf "$ARCHIVE"
  "$BIN" simulate --out "$ARCHIVE" --seed 11 --servers 3 --hosts 500 --days 14 \
    --lines-target "$LINES" >/dev/null
fi
if [ ! -f "$DB" ] || [ "$BIN" -nt "$DB" ]; then
  echo "Ingesting it into $DB"
  rm -f "$DB" "$DB-wal" "$DB-shm"
  "$BIN" ingest --quiet --db "$DB" --sites "$ARCHIVE/sites.csv" \
    --local-domains "$ARCHIVE/local-domains.txt" "$ARCHIVE"
fi
summary=$(sqlite3 "$DB" "SELECT (SELECT sum(lines) FROM files), (SELECT count(*) FROM messages),
  (SELECT count(*) FROM deliveries), (SELECT count(*) FROM rejects), (SELECT count(*) FROM logins)" |
  tr '|' ' ')
read -r lines messages deliveries rejects logins <<<"$summary"
size=$(du -m "$DB" | cut -f1)

# Arguments that name real things in this database.
host=$("$BIN" hosts --db "$DB" --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["ip"])')
day=$(sqlite3 "$DB" "SELECT substr(time, 1, 10) FROM messages WHERE relay_ip = '$host' ORDER BY time LIMIT 1")
qid=$(sqlite3 "$DB" "SELECT queue_id FROM messages WHERE msgid IS NOT NULL ORDER BY id LIMIT 1 OFFSET 100000")
msgid=$(sqlite3 "$DB" "SELECT msgid FROM messages WHERE msgid IS NOT NULL ORDER BY id LIMIT 1 OFFSET 200000")

echo "database: $lines lines, $messages messages, $deliveries deliveries, $rejects rejects, $logins logins, $size MiB"
printf '%-58s %8s %8s\n' "command" "best s" "worst s"
worst_all=0
run() {
  "$BIN" "$@" --db "$DB" >/dev/null  # warm
  local best=999 worst=0 t
  for _ in $(seq "$RUNS"); do
    t=$( { /usr/bin/time -f '%e' "$BIN" "$@" --db "$DB" >/dev/null; } 2>&1 | tail -n1)
    best=$(awk -v a="$t" -v b="$best" 'BEGIN { print (a < b) ? a : b }')
    worst=$(awk -v a="$t" -v b="$worst" 'BEGIN { print (a > b) ? a : b }')
  done
  worst_all=$(awk -v a="$worst" -v b="$worst_all" 'BEGIN { print (a > b) ? a : b }')
  printf '%-58s %8s %8s\n' "$*" "$best" "$worst"
}
run hosts --format json
run patient-zero --format json
run spread --format json
run forgeries --format json
run bounces --format json
run bounces --bucket 1h --server mx2 --format json
run timeline --host "$host" --since "$day 00:00:00" --until "$day 23:59:59" --format json
run message "$qid"
run message "$msgid"
echo "slowest: $worst_all s (goal: under 2 s each)"
