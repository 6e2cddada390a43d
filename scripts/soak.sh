#!/bin/bash
# Soak test of the ingest against a live, rotating log (`make soak`).
#
# Three processes at once:
#   - a writer appends sendmail lines (from `mailtrace simulate`) to
#     LIVE/maillog, sometimes half a line at a time, and rotates it four times,
#     as logrotate does (older rotations shifted, maillog.1 gzipped to
#     maillog.2.gz), in turn copytruncate style (cp maillog maillog.1;
#     truncate maillog) and create style (mv maillog maillog.1; new maillog);
#   - a loop runs `mailtrace ingest LIVE` again and again;
#   - a loop runs the questions (`hosts`, `bounces`) on the same database.
# Then one last ingest, and a second that must add nothing. The database must
# hold every line written exactly once: the sorted raw lines in the database
# equal the sorted lines written, and the event counts equal those of one
# ingest of all the lines in a single file.
#
#   scripts/soak.sh MAILTRACE_BINARY     (SOAK_LINES=150000, SOAK_PAUSE=0.05 s every 200 lines)
set -u
BIN=$(realpath "${1:-.build/debug/mailtrace}")
LINES=${SOAK_LINES:-150000}
PAUSE=${SOAK_PAUSE:-0.05}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mailtrace-soak-XXXXXX")
LIVE=$WORK/live
DB=$WORK/soak.db
mkdir -p "$LIVE"
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$WORK"' EXIT
command -v sqlite3 >/dev/null || { echo "soak: sqlite3 is needed (apt-get install sqlite3)"; exit 2; }

echo "soak: generating $LINES lines with mailtrace simulate"
"$BIN" simulate --out "$WORK/sim" --seed 11 --servers 1 --lines-target $((LINES + LINES / 2)) > /dev/null || exit 2
# The lines of mx1 oldest first, as one stream.
sim=$WORK/sim/mx1; [ -d "$sim" ] || sim=$WORK/sim
(cd "$sim" && for f in $(ls maillog.*.gz 2>/dev/null | sort -t. -k2,2nr) maillog.1 maillog; do
  [ -e "$f" ] && zcat -f "$f"; done) | head -n "$LINES" > "$WORK/source.txt"
written=$(wc -l < "$WORK/source.txt")
[ "$written" -eq "$LINES" ] || { echo "soak: only $written lines generated"; exit 2; }

# Rotation as logrotate does it: older rotations shifted and compressed, then
# copytruncate (copy, truncate in place) or create (rename, new file).
cat > "$WORK/rotate.sh" <<'ROTATE'
#!/bin/sh
set -e
cd "$1"
for i in 8 7 6 5 4 3 2; do [ -e maillog.$i.gz ] && mv maillog.$i.gz maillog.$((i + 1)).gz; done
[ -e maillog.1 ] && mv maillog.1 maillog.2 && gzip maillog.2
case $2 in
  copytruncate) cp maillog maillog.1 && : > maillog ;;
  create) mv maillog maillog.1 ;;
esac
ROTATE

# The writer: awk appends in bursts, half lines now and then, and rotates at
# each fifth: copytruncate, create, copytruncate, create.
writer() {
  awk -v live="$LIVE" -v n="$LINES" -v pause="$PAUSE" -v rotate="$WORK/rotate.sh" '
    function rest() { fflush(out); system("sleep " pause) }
    BEGIN { out = live "/maillog"; style[1] = "copytruncate"; style[2] = "create"; style[3] = "copytruncate"; style[4] = "create" }
    {
      if (NR % 997 == 0) {             # half a line, a pause, then the rest
        printf "%s", substr($0, 1, 20) >> out; rest()
        printf "%s\n", substr($0, 21) >> out
      } else print >> out
      if (NR % 200 == 0) rest()
      for (k = 1; k <= 4; k++) if (NR == int(k * n / 5)) {
        close(out)
        if (system("sh " rotate " " live " " style[k]) != 0) print "soak: rotation failed" > "/dev/stderr"
        print "soak: " style[k] " rotation after line " NR > "/dev/stderr"
      }
    }
    END { close(out) }' "$WORK/source.txt"
}

started=$(date +%s)
writer &
writer_pid=$!

ingest_runs=0; ingest_status=""
(
  while kill -0 $writer_pid 2>/dev/null; do
    "$BIN" ingest "$LIVE" --db "$DB" --quiet --year 2004 > /dev/null 2>> "$WORK/ingest.err"
    echo $? >> "$WORK/ingest.status"
    sleep 0.1
  done
) &
ingest_loop=$!
(
  while kill -0 $writer_pid 2>/dev/null; do
    if [ -e "$DB" ]; then
      "$BIN" hosts --db "$DB" --format json > /dev/null 2>> "$WORK/query.err"; echo $? >> "$WORK/query.status"
      "$BIN" bounces --db "$DB" --format json > /dev/null 2>> "$WORK/query.err"; echo $? >> "$WORK/query.status"
    else
      sleep 0.1
    fi
  done
) &
query_loop=$!

wait $writer_pid
wait $ingest_loop
wait $query_loop
"$BIN" ingest "$LIVE" --db "$DB" --quiet --year 2004 > /dev/null 2>> "$WORK/ingest.err"; last=$?
again=$("$BIN" ingest "$LIVE" --db "$DB" --quiet --year 2004 --format json 2>> "$WORK/ingest.err")
elapsed=$(( $(date +%s) - started ))

summary() { sort "$1" 2>/dev/null | uniq -c | awk '{ printf "%s%s×%s", sep, $2, $1; sep = ", " }'; }
echo "soak: $elapsed s; ingest runs (status×count): $(summary "$WORK/ingest.status"); question runs: $(summary "$WORK/query.status")"
if [ -s "$WORK/ingest.err" ]; then echo "soak: ingest messages:"; sort "$WORK/ingest.err" | uniq -c | sed 's/^/  /' | head -n 20; fi
if [ -s "$WORK/query.err" ]; then echo "soak: question messages:"; sort "$WORK/query.err" | uniq -c | sed 's/^/  /' | head -n 20; fi

# Every line exactly once.
sqlite3 -batch "$DB" "SELECT data FROM raw_blocks" | grep -v '^$' | LC_ALL=C sort > "$WORK/stored.sorted"
LC_ALL=C sort "$WORK/source.txt" > "$WORK/source.sorted"
stored=$(wc -l < "$WORK/stored.sorted")
counted=$(sqlite3 -batch "$DB" "SELECT sum(last_line - first_line + 1) FROM raw_blocks")
missing=$(LC_ALL=C comm -23 "$WORK/source.sorted" "$WORK/stored.sorted" | wc -l)
extra=$(LC_ALL=C comm -13 "$WORK/source.sorted" "$WORK/stored.sorted" | wc -l)
echo "soak: lines written $written, stored $stored (raw_blocks count $counted), missing $missing, extra $extra"

# The same events as one ingest of all the lines in one file.
mkdir -p "$WORK/once" && cp "$WORK/source.txt" "$WORK/once/maillog" && touch -d '2 hours ago' "$WORK/once/maillog"
"$BIN" ingest "$WORK/once/maillog" --db "$WORK/once.db" --quiet --year 2004 > /dev/null
q="SELECT (SELECT count(*) FROM messages)||' '||(SELECT count(*) FROM deliveries)||' '||(SELECT count(*) FROM rejects)||' '||(SELECT count(*) FROM logins)||' '||(SELECT count(*) FROM notifications)||' '||(SELECT count(*) FROM unparsed)"
soak_events=$(sqlite3 -batch "$DB" "$q"); once_events=$(sqlite3 -batch "$WORK/once.db" "$q")
echo "soak: events (messages deliveries rejects logins notifications unparsed): live $soak_events, one file $once_events"
again_lines=$(echo "$again" | sed -n 's/.*"lines":\([0-9]*\).*/\1/p')
echo "soak: last ingest status $last; one more ingest added ${again_lines:-?} lines"

if [ "$stored" -eq "$written" ] && [ "$counted" -eq "$written" ] && [ "$missing" -eq 0 ] && [ "$extra" -eq 0 ] \
  && [ "$soak_events" = "$once_events" ] && [ "$last" -eq 0 ] && [ "${again_lines:-x}" = 0 ] \
  && ! grep -qv '^0$' "$WORK/query.status" 2>/dev/null; then
  echo "soak: PASS: exact match, every line exactly once"
else
  echo "soak: FAIL"
  exit 1
fi
