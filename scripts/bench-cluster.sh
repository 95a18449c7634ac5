#!/usr/bin/env bash
# Cluster scaling benchmark: the quickstart corpora replicated COPIES times (as scripts/bench-e2e.sh), run RUNS times on
# a cluster of N node processes (each one worker; the first also hosts the job manager) for each N in NODES, plus the
# embedded run with one worker for reference. Prints each run's wall time and MB/s from stats.json, and the medians.
# Usage: scripts/bench-cluster.sh [COPIES=8] [RUNS=3] [NODES="1 2 3"]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
copies="${1:-8}"; runs="${2:-3}"; counts="${3:-1 2 3}"
work="$(mktemp -d)"; pids=()
cleanup() { for p in "${pids[@]:-}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
. "$root/scripts/bench-corpus.sh"
make_bench_corpus "$root" "$copies" "$work" bench-cluster
dll="$root/src/Pipeline.Cli/bin/Release/net10.0/pipeline.dll"
stat() { python3 -c "import json; s=json.load(open('$work/out/stats.json')); print(f\"{s['seconds']} {s['input_bytes']/1e6/s['seconds']:.2f}\")"; }
report() { python3 -c "import sys,statistics; v=[float(x) for x in sys.argv[3:]]; print(f'{sys.argv[1]} {sys.argv[2]}: MB/s runs {v} median {statistics.median(v):.2f}')" "$@"; }
mbs=()
for r in $(seq 1 "$runs"); do rm -rf "$work/out"; dotnet "$dll" run "$work/bench.yaml" --workers 1 >/dev/null; mbs+=("$(stat | cut -d' ' -f2)"); done
report embedded "1-worker" "${mbs[@]}"
base=24153
for n in $counts; do
  pids=()
  seed="akka.tcp://pipeline@127.0.0.1:$base"
  for i in $(seq 0 $((n - 1))); do
    roles=worker; [ "$i" = 0 ] && roles=coordinator,worker
    dotnet "$dll" node --port $((base + i)) --seed "$seed" --roles "$roles" --workers 1 > "$work/node-$i.log" 2>&1 &
    pids+=($!)
  done
  for i in $(seq 0 $((n - 1))); do until grep -q "node up" "$work/node-$i.log"; do sleep 0.5; done; done
  mbs=()
  for r in $(seq 1 "$runs"); do rm -rf "$work/out"; dotnet "$dll" run "$work/bench.yaml" --cluster "$seed" >/dev/null 2>&1; mbs+=("$(stat | cut -d' ' -f2)"); done
  report cluster "$n-node(s)" "${mbs[@]}"
  for p in "${pids[@]}"; do kill "$p"; wait "$p" 2>/dev/null || true; done
  base=$((base + 10))
done
