#!/usr/bin/env bash
# What SQLite alone costs for the rows an ingest stores, measured with the sqlite3
# shell on this machine, next to `zcat | wc -l` on the same archive: the floor under
# any ingest that keeps these tables and indexes, whatever the parser does.
#
#   scripts/bench-floor.sh DATABASE ARCHIVE_FOLDER [ZCAT_SECONDS]
#
# From DATABASE (made by `mailtrace ingest` of ARCHIVE_FOLDER), in a fresh WAL
# database with the same PRAGMAs as the ingest: (1) copy the rows of the event tables
# and the raw line blocks in one transaction, with no index (no parsing, no binding:
# SQLite's own INSERT … SELECT), then (2) build the secondary indexes the ingest
# builds. Prints each step's wall and CPU seconds and their ratios to zcat.
set -euo pipefail
DB=$1
ARCHIVE=$2
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mailtrace-floor.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mapfile -t files < <(find "$ARCHIVE" -type f -name 'maillog*' -o -type f -name 'mainlog*' | sort)
# The zcat time to compare with: given (bench.sh passes its own), or measured once.
zsec=${3:-}
if [ -z "$zsec" ]; then
  read -r zsec < <( { /usr/bin/time -f '%e' sh -c 'zcat -f "$@" | wc -l >/dev/null' sh "${files[@]}"; } 2>&1 | tail -n1)
fi

tables=$(sqlite3 "$DB" "SELECT group_concat(name, ' ') FROM sqlite_schema WHERE type = 'table'
  AND name IN ('messages','deliveries','rejects','logins','verdicts','notices','notifications',
  'connections','unparsed','raw_blocks')")
{
  echo "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -16384;"
  echo "ATTACH '$DB' AS src;"
  for t in $tables; do echo "CREATE TABLE $t AS SELECT * FROM src.$t WHERE 0;"; done
} | sqlite3 "$WORK/floor.db" >/dev/null
copy=$( { echo "PRAGMA cache_size = -16384; ATTACH '$DB' AS src; BEGIN;"
  for t in $tables; do [ "$t" = raw_blocks ] || echo "INSERT INTO $t SELECT * FROM src.$t;"; done
  echo "COMMIT;"; } )
raw="PRAGMA cache_size = -16384; ATTACH '$DB' AS src; INSERT INTO raw_blocks SELECT * FROM src.raw_blocks;"
indexes=$(sqlite3 "$DB" "SELECT group_concat(sql, ';' || char(10)) || ';' FROM sqlite_schema WHERE type = 'index'
  AND sql IS NOT NULL AND tbl_name IN ('messages','deliveries','rejects','logins','verdicts','notices',
  'notifications','connections')")

measure() {  # label, SQL on stdin → "label wall cpu"
  /usr/bin/time -f "$1 %e %U %S" sqlite3 "$WORK/floor.db" >/dev/null 2>"$WORK/err" || { cat "$WORK/err" >&2; exit 1; }
  tail -n1 "$WORK/err" | awk '{ printf "%s %.2f %.2f\n", $1, $2, $3 + $4 }'
}
rows=$(echo "$copy" | measure rows)
rawb=$(echo "$raw" | measure raw)
idx=$( (echo "PRAGMA cache_size = -16384;"; echo "$indexes") | measure indexes)
echo "zcat | wc -l:                        ${zsec} s"
printf '%s\n%s\n%s\n' "$rows" "$rawb" "$idx" | awk -v z="$zsec" '
  { wall += $2; cpu += $3
    name = ($1 == "rows") ? "event rows, no index" : ($1 == "raw") ? "raw line blocks" : "secondary indexes"
    printf "SQLite %-28s %6.2f s wall, %6.2f s CPU (%.1f x zcat)\n", name ":", $2, $3, $2 / z }
  END { printf "SQLite floor, all three:            %6.2f s wall, %6.2f s CPU (%.1f x zcat)\n", wall, cpu, wall / z }'
