#!/usr/bin/env bash
# Where the machine's cores go during a cluster job: a 2-node cluster (one worker each) runs the bench corpus
# (quickstart ×COPIES) WARMUP times unmeasured, then RUNS times while /proc/stat and the processes' CPU ticks are
# sampled every 0.1 s. For the intervals in which the nodes were busy (the job), prints the shares of all cores used by
# the nodes, by the submitting client, by everything else, and left idle. Then, with no job, the CPU ticks the two idle
# nodes use in 10 s (Akka's own background work).
# Usage: scripts/bench-cluster-cpu-share.sh [COPIES=16] [RUNS=3] [WARMUP=8] (warm-up: see scripts/bench-cluster.sh)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
copies="${1:-16}"; runs="${2:-3}"; warmup="${3:-8}"
. "$root/scripts/bench-corpus.sh"
cluster_bench_setup "$root" "$copies" bench-cluster
base=24553; seed="akka.tcp://pipeline@127.0.0.1:$base"
start_node "$work/node-0.log" --port "$base" --seed "$seed" --roles coordinator,worker --workers 1
start_node "$work/node-1.log" --port $((base + 1)) --seed "$seed" --roles worker --workers 1
wait_nodes_up
for r in $(seq 1 "$warmup"); do rm -rf "$work/out"; run_on_cluster "$seed"; done
for r in $(seq 1 "$runs"); do
  rm -rf "$work/out"; : > "$work/samples.txt"
  "$pipeline" run "$work/bench.yaml" --cluster "$seed" > "$work/client.log" 2>&1 &
  client=$!
  while kill -0 "$client" 2>/dev/null; do
    read -r _ u n s i w q sq st _ < /proc/stat
    echo "$((u + n + s + i + w + q + sq + st)) $((i + w)) $(cpu_ticks "${bench_nodes[@]}") $(cpu_ticks "$client" 2>/dev/null || echo 0)" >> "$work/samples.txt"
    sleep 0.1
  done
  wait "$client" || { echo "the run failed:"; tail -20 "$work/client.log"; exit 1; } >&2
  awk -v cores="$(nproc)" -v hz="$(getconf CLK_TCK)" 'NR > 1 { dt = $1 - t; if ($3 - n > dt / cores * 0.2 && $4 > 0) { T += dt; I += $2 - i; N += $3 - n; C += $4 - c } }
       { t = $1; i = $2; n = $3; c = $4 }
       END { printf "run: %.1f s of %d cores: nodes %.0f%%, client %.0f%%, other %.0f%%, idle %.0f%%\n", T / cores / hz, cores, 100 * N / T, 100 * C / T, 100 * (T - I - N - C) / T, 100 * I / T }' "$work/samples.txt"
done
before="$(cpu_ticks "${bench_nodes[@]}")"; sleep 10
echo "idle: the 2 nodes used $(( $(cpu_ticks "${bench_nodes[@]}") - before )) ticks in 10 s ($(getconf CLK_TCK) ticks = 1 CPU-s)"
