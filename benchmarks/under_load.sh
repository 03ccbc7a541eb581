#!/usr/bin/env bash
# The README's test command on a fresh clone, RUNS times in a row, each with one CPU hog per core alongside
# (a busy loop in Python), to find tests that depend on timing (issue 18: "steady under load").
#   bash benchmarks/under_load.sh [RUNS] [REV]      # defaults: 3 runs of HEAD
# Prints one Markdown table row per run: run, revision, exit status, wall seconds, 1-minute load average at the end,
# pytest's closing line. The clone's log of each run stays in the printed folder for reading.
set -uo pipefail
runs=${1:-3}
rev=${2:-HEAD}
here=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
work=$(mktemp -d)
git clone -q "$here" "$work/clone"
git -C "$work/clone" checkout -q "$rev"
ln -s "$here/../shared" "$work/shared" 2>/dev/null || true
echo "logs in $work"
for run in $(seq 1 "$runs"); do
  hogs=()
  for _ in $(seq 1 "$(nproc)"); do
    python3 -c "while True: pass" & hogs+=($!)
  done
  start=$(date +%s)
  (cd "$work/clone" && python3 tasks.py test > "$work/run$run.log" 2>&1)
  status=$?
  end=$(date +%s)
  kill "${hogs[@]}"
  summary=$(grep -E "passed|failed" "$work/run$run.log" | tail -1 | tr -d '=' | sed 's/^ *//; s/ *$//')
  printf '| %s | %s | %s | %s | %s | %s |\n' "$run" "$(git -C "$here" rev-parse --short "$rev")" "$status" \
    "$((end - start))" "$(cut -d' ' -f1 /proc/loadavg)" "$summary"
done
