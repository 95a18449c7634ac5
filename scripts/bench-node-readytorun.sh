#!/usr/bin/env bash
# Does a long-running node run faster without ReadyToRun code (plain JIT with dynamic PGO)? Two 1-node clusters side
# by side, one with DOTNET_ReadyToRun=0, each warmed up WARMUP runs on the bench corpus (quickstart ×COPIES); then
# RUNS alternating rounds, printing each round's MB/s and the JIT/ReadyToRun ratio.
# Usage: scripts/bench-node-readytorun.sh [COPIES=16] [RUNS=5] [WARMUP=3]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
copies="${1:-16}"; runs="${2:-5}"; warmup="${3:-3}"
. "$root/scripts/bench-corpus.sh"
cluster_bench_setup "$root" "$copies" bench-cluster
r2r=24753; jit=24763
start_node "$work/r2r.log" --port "$r2r" --seed "akka.tcp://pipeline@127.0.0.1:$r2r" --workers 1
DOTNET_ReadyToRun=0 start_node "$work/jit.log" --port "$jit" --seed "akka.tcp://pipeline@127.0.0.1:$jit" --workers 1
wait_nodes_up
run() { rm -rf "$work/out"; run_on_cluster "akka.tcp://pipeline@127.0.0.1:$1"
        python3 -c "import json; s = json.load(open('$work/out/stats.json')); print(round(s['input_bytes'] / 1e6 / s['seconds'], 2))"; }
for port in "$r2r" "$jit"; do for r in $(seq 1 "$warmup"); do run "$port" >/dev/null; done; done
for r in $(seq 1 "$runs"); do
  a="$(run "$r2r")"; b="$(run "$jit")"
  echo "round $r: ReadyToRun node $a MB/s, JIT node $b MB/s, ratio $(python3 -c "print(round($b / $a, 3))")"
done
