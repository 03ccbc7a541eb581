#!/usr/bin/env bash
# Time the README's test command on a fresh clone of a revision (default HEAD), the way CI runs it.
#   bash benchmarks/fresh_clone.sh [REV]
# Prints one Markdown table row: revision, wall seconds, pytest's closing line.
set -euo pipefail
rev=${1:-HEAD}
here=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone -q "$here" "$work/clone"
git -C "$work/clone" checkout -q "$rev"
ln -s "$here/../shared" "$work/shared" 2>/dev/null || true
start=$(date +%s.%N)
(cd "$work/clone" && CI=true bash .ci/run -q > "$work/log" 2>&1) || { tail -30 "$work/log"; exit 1; }
end=$(date +%s.%N)
summary=$(grep -E "passed|failed" "$work/log" | tail -1 | tr -d '=' | sed 's/^ *//; s/ *$//')
printf '| %s | %.0f | %s |\n' "$(git -C "$here" rev-parse --short "$rev")" "$(echo "$end - $start" | bc)" "$summary"
