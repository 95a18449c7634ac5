#!/usr/bin/env bash
# A/B of two builds on clusters side by side: this checkout (B) against another checkout (A, e.g. a `git worktree add`
# of an earlier commit; its ./pipeline builds on first use). Each build gets its own cluster of NODES nodes (one worker
# each) and its own client; both warm up WARMUP runs on the bench corpus (quickstart ×COPIES), then ROUNDS rounds run
# the job once on A and once on B. Per run: the wall seconds from stats.json and the client process's CPU ticks (the
# whole client run, start-up included; getconf CLK_TCK per second). Prints each round and the medians.
# Usage: scripts/bench-cluster-ab.sh OTHER_CHECKOUT [COPIES=16] [ROUNDS=5] [WARMUP=8] [NODES=2]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
other="$(cd "${1:?usage: scripts/bench-cluster-ab.sh OTHER_CHECKOUT [COPIES] [ROUNDS] [WARMUP] [NODES]}" && pwd)"
copies="${2:-16}"; rounds="${3:-5}"; warmup="${4:-8}"; count="${5:-2}"
. "$root/scripts/bench-corpus.sh"
"$other/pipeline" --help >/dev/null
cluster_bench_setup "$root" "$copies" bench-cluster-ab
declare -A client=([A]="$other/pipeline" [B]="$pipeline") seed
base=24853
for v in A B; do
  seed[$v]="akka.tcp://pipeline@127.0.0.1:$base"
  for i in $(seq 0 $((count - 1))); do
    roles=worker; [ "$i" = 0 ] && roles=coordinator,worker
    pipeline="${client[$v]}" start_node "$work/$v-$i.log" --port $((base + i)) --seed "${seed[$v]}" --roles "$roles" --workers 1
  done
  base=$((base + 10))
done
pipeline="${client[B]}"
wait_nodes_up
# "BUILD wall-seconds client-ticks" for one run, appended to $work/runs.txt
run() {
  rm -rf "$work/out"
  "${client[$1]}" run "$work/bench.yaml" --cluster "${seed[$1]}" > "$work/client.log" 2>&1 &
  local c=$! t
  t="$(ticks_until_exit "$c")"
  wait "$c" || { echo "the run on build $1 failed:"; tail -20 "$work/client.log"; exit 1; } >&2
  echo "$1 $(python3 -c "import json; print(json.load(open('$work/out/stats.json'))['seconds'])") $t" >> "$work/runs.txt"
}
for r in $(seq 1 "$warmup"); do run A; run B; done
: > "$work/runs.txt"
for r in $(seq 1 "$rounds"); do run A; run B; echo "round $r: $(tail -2 "$work/runs.txt" | tr '\n' ' ')"; done
python3 - "$work/runs.txt" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
a = [r for r in rows if r[0] == "A"]; b = [r for r in rows if r[0] == "B"]
print(f"A (other checkout): wall s median {statistics.median(float(r[1]) for r in a):.2f}, client ticks median {statistics.median(int(r[2]) for r in a)}")
print(f"B (this checkout):  wall s median {statistics.median(float(r[1]) for r in b):.2f}, client ticks median {statistics.median(int(r[2]) for r in b)}")
print("A/B wall per round: " + " ".join(f"{float(x[1]) / float(y[1]):.3f}" for x, y in zip(a, b)))
PY
