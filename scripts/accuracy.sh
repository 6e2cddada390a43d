#!/usr/bin/env bash
# Accuracy of patient zero and of the infection edges against the simulator's truth.
#
#   scripts/accuracy.sh [MAILTRACE_BIN]
#
# For every seed (ACCURACY_SEEDS, default 1..10), every archive shape below and every
# MTA (ACCURACY_MTAS, default "sendmail postfix": the same outbreak in each form):
# `mailtrace simulate` writes an outbreak and its truth.json, `mailtrace ingest` reads
# it, and `patient-zero --format json` and `spread --format json` answer. Only this
# script reads truth.json; the analysis never does. Prints a markdown table (per archive,
# then pooled per MTA and shape) and exits 1 if patient zero was ever wrong (a command
# that fails counts as wrong, and the sweep goes on).
# Needs jq. Work files go in a temporary folder (ACCURACY_KEEP=1 keeps it).
set -euo pipefail

BIN=${1:-.build/release/mailtrace}
SEEDS=${ACCURACY_SEEDS:-$(seq 1 10)}
MTAS=${ACCURACY_MTAS:-sendmail postfix}
if [ ! -x "$BIN" ]; then
  echo "accuracy.sh: no mailtrace binary at $BIN (run 'make release' first)" >&2
  exit 2
fi
if ! command -v jq >/dev/null; then
  echo "accuracy.sh: needs jq to read the JSON answers (apt-get install jq)" >&2
  exit 2
fi
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mailtrace-accuracy.XXXXXX")
if [ -z "${ACCURACY_KEEP:-}" ]; then trap 'rm -rf "$WORK"' EXIT; fi

# name|simulate flags (one flag value per word; '=' keeps a value with spaces together)
SHAPES=(
  "1 server|--servers 1"
  "3 servers|--servers 3"
  "3 servers, half the logins|--servers 3 --login-fraction 0.5"
  "1 server, 30% logins|--servers 1 --login-fraction 0.3"
  "3 servers, clamav|--servers 3 --scanner clamav --signature-delay 8"
  "1 server, mimedefang|--servers 1 --scanner mimedefang --signature-delay 12"
  "3 servers, own sender|--servers 3 --worm-sender own"
  "3 servers, New Year|--servers 3 --start 2004-12-29 --days 5 --outbreak-at=2004-12-31_14:10"
  "3 servers, red herrings|--servers 3 --red-herrings"
  "1 server, red herrings, own sender, dovecot|--servers 1 --red-herrings --worm-sender own --pop dovecot"
  "3 servers, clocks apart, DST|--servers 3 --utc-offsets=-05:00,-06:00,-08:00 --start 2004-04-02 --days 4 --dst-change=2004-04-04_02:00"
)

ROWS=""
SUMMARY=""
failed=0
declare -A S_RUNS S_PZ S_RIGHT S_FOUND S_TRUTH
declare -A S_ERRORS
for seed in $SEEDS; do
 for mta in $MTAS; do
  for shape in "${SHAPES[@]}"; do
    name=${shape%%|*}
    key="$mta|$name"
    read -r -a flags <<< "${shape#*|}"
    flags=("${flags[@]//_/ }")
    dir="$WORK/$seed-$mta-${#ROWS}"
    mkdir -p "$dir"
    "$BIN" simulate --out "$dir/archive" --mta "$mta" --seed "$seed" "${flags[@]}" >/dev/null
    # A form the analysis cannot read yet fails below: its archive counts as wrong.
    "$BIN" ingest "$dir/archive" --db "$dir/db" --sites "$dir/archive/sites.csv" \
      --local-domains "$dir/archive/local-domains.txt" --quiet >/dev/null 2>"$dir/ingest.err" || true
    if ! "$BIN" patient-zero --db "$dir/db" --format json > "$dir/pz.json" 2>"$dir/pz.err" \
      || ! jq -e . "$dir/pz.json" >/dev/null 2>&1; then
      echo '{"host":null,"user":null,"infected_by":null,"confidence":"error"}' > "$dir/pz.json"
      S_ERRORS[$key]=$(( ${S_ERRORS[$key]:-0} + 1 ))
    fi
    if ! "$BIN" spread --db "$dir/db" --format json > "$dir/spread.json" 2>"$dir/spread.err" \
      || ! jq -e . "$dir/spread.json" >/dev/null 2>&1; then
      echo '{"infections":[]}' > "$dir/spread.json"
    fi
    truth="$dir/archive/truth.json"
    pz_right=$(jq -n --slurpfile t "$truth" --slurpfile f "$dir/pz.json" '
      ($t[0].patient_zero) as $a | ($f[0]) as $b |
      ($a.host == $b.host) and ($a.user == $b.user)
      and ($a.infected_by.queue_id == $b.infected_by.queue_id?)
      and ($a.infected_by.server == $b.infected_by.server?)')
    confidence=$(jq -r '.confidence' "$dir/pz.json")
    jq -r '.infections[] | "\(.from)>\(.to)"' "$truth" | sort -u > "$dir/truth.edges"
    jq -r '.infections[] | select(.infected_by != null) | "\(.infected_by)>\(.host)"' \
      "$dir/spread.json" | sort -u > "$dir/found.edges"
    n_truth=$(wc -l < "$dir/truth.edges")
    n_found=$(wc -l < "$dir/found.edges")
    n_right=$(comm -12 "$dir/truth.edges" "$dir/found.edges" | wc -l)
    hosts_truth=$(jq '.infected_hosts | length' "$truth")
    hosts_found=$(jq '.infections | length' "$dir/spread.json")
    precision=$(awk -v r="$n_right" -v f="$n_found" -v t="$n_truth" 'BEGIN { printf "%.3f", f ? r / f : (t ? 0 : 1) }')
    recall=$(awk -v r="$n_right" -v t="$n_truth" 'BEGIN { printf "%.3f", t ? r / t : 1 }')
    if [ "$pz_right" = "true" ]; then pz="right"; pzv=1; else pz="WRONG"; pzv=0; failed=1; fi
    ROWS+="| $seed | $mta | $name | $pz | $confidence | $hosts_truth/$hosts_found | $precision | $recall |"$'\n'
    S_RUNS[$key]=$(( ${S_RUNS[$key]:-0} + 1 ))
    S_PZ[$key]=$(( ${S_PZ[$key]:-0} + pzv ))
    S_RIGHT[$key]=$(( ${S_RIGHT[$key]:-0} + n_right ))
    S_FOUND[$key]=$(( ${S_FOUND[$key]:-0} + n_found ))
    S_TRUTH[$key]=$(( ${S_TRUTH[$key]:-0} + n_truth ))
  done
 done
done

echo "| seed | MTA | shape | patient zero (host, user, message) | confidence | infected (truth/found) | edge precision | edge recall |"
echo "| ---: | --- | --- | --- | ---: | ---: | ---: | ---: |"
printf "%s" "$ROWS"
echo
echo "| MTA | shape | archives | patient zero right | edge precision | edge recall | failed commands |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
all_runs=0; all_pzs=0; all_right=0; all_found=0; all_truth=0
for mta in $MTAS; do
  runs=0; pzs=0; right=0; found=0; truth=0
  for shape in "${SHAPES[@]}"; do
    name=${shape%%|*}
    key="$mta|$name"
    r=${S_RIGHT[$key]}; f=${S_FOUND[$key]}; t=${S_TRUTH[$key]}
    awk -v m="$mta" -v n="$name" -v a="${S_RUNS[$key]}" -v z="${S_PZ[$key]}" -v r="$r" -v f="$f" -v t="$t" \
      -v e="${S_ERRORS[$key]:-0}" \
      'BEGIN { printf "| %s | %s | %d | %d | %.3f | %.3f | %d |\n", m, n, a, z, f ? r / f : (t ? 0 : 1), t ? r / t : 1, e }'
    runs=$((runs + S_RUNS[$key])); pzs=$((pzs + S_PZ[$key]))
    right=$((right + r)); found=$((found + f)); truth=$((truth + t))
  done
  awk -v m="$mta" -v a="$runs" -v z="$pzs" -v r="$right" -v f="$found" -v t="$truth" \
    'BEGIN { printf "| **%s** | **all** | %d | %d | %.3f | %.3f | |\n", m, a, z, f ? r / f : (t ? 0 : 1), t ? r / t : 1 }'
  all_runs=$((all_runs + runs)); all_pzs=$((all_pzs + pzs))
  all_right=$((all_right + right)); all_found=$((all_found + found)); all_truth=$((all_truth + truth))
done
awk -v a="$all_runs" -v z="$all_pzs" -v r="$all_right" -v f="$all_found" -v t="$all_truth" \
  'BEGIN { printf "| **all** | **all** | %d | %d | %.3f | %.3f | |\n", a, z, f ? r / f : (t ? 0 : 1), t ? r / t : 1 }'
exit $failed
