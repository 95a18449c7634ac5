#!/usr/bin/env bash
# How far this machine itself scales: the wall time of one CPU-bound process (sha256sum of a 256 MiB file held in the
# page cache) alone, against two copies at once, ROUNDS times alternating. Prints each round's speed-up
# (2 × alone ÷ both) and the median. Two independent processes share nothing but the machine, so this is the ceiling
# for any 1 → 2 process scaling figure measured here (scripts/bench-cluster.sh); on a shared VM it moves with the
# neighbours' load, so run it next to the benchmark it qualifies.
# Usage: scripts/bench-machine-parallel.sh [ROUNDS=7]
set -euo pipefail
rounds="${1:-7}"; [ "$rounds" -ge 1 ] || { echo "ROUNDS must be at least 1" >&2; exit 2; }
file="$(mktemp)"
trap 'rm -f "$file"' EXIT
head -c 256M /dev/urandom > "$file"
sha256sum "$file" > /dev/null
ratios=()
for r in $(seq 1 "$rounds"); do
  s=$(date +%s%N); sha256sum "$file" > /dev/null; alone=$(( $(date +%s%N) - s ))
  s=$(date +%s%N); sha256sum "$file" > /dev/null & other=$!; sha256sum "$file" > /dev/null; wait "$other"; both=$(( $(date +%s%N) - s ))
  ratios+=("$(python3 -c "print(round(2 * $alone / $both, 3))")")
  echo "round $r: alone $((alone / 1000000)) ms, two at once $((both / 1000000)) ms, speed-up ${ratios[-1]}x"
done
python3 -c "import statistics, sys; m = statistics.median(map(float, sys.argv[1:])); print(f'median speed-up of two processes: {m:.2f}x = {m / 2:.0%} of linear')" "${ratios[@]}"
