#!/usr/bin/env bash
# Cluster scaling benchmark: the quickstart corpora replicated COPIES times (as scripts/bench-e2e.sh), run on clusters
# of N node processes (one worker each, NODE_WORKERS=W for W; the first node of each also hosts the job manager), one
# cluster per N in NODES, all started at once, plus the embedded run with one worker for reference.
# This machine's speed drifts by ±20% over minutes, so the setups run side by side: each round runs the job once on
# every setup, one after another, and each run is compared with the 1-node run of its own round.
# Nodes are long-running, so each cluster first runs the job WARMUP times, unmeasured, and prints the nodes' CPU
# seconds per warm-up run: measured runs should start where that has stopped falling. Each node's JIT keeps tiering up
# for several runs, and a node of a 2-node cluster sees only half the calls per run: its CPU per run settles after about
# 8 runs, a single node's after about 4 (2026-11-29), so a short warm-up favours the 1-node cluster.
# Per run: MB/s from stats.json, the CPU seconds the node processes spent (utime + stime from /proc, all of a
# cluster's nodes), and the cores they used on average (CPU s / wall s). Every process is started through ./pipeline,
# as a user would.
# The machine's own ceiling (PAIR=1, the default; PAIR=0 leaves it out): two more 1-node clusters, each with its own
# client and output folder, run the job at the same time. They share nothing, so their combined throughput is what
# two independent processes get on this machine: perfect distribution with no coordination. It is the sum of the two
# jobs' own MB/s; their clients start together, but the jobs' spans (from each stats.json's seconds and mtime) may not
# line up exactly, and the share of the whole span in which both ran is printed as the overlap (a low overlap
# overstates the pair). Each cluster run is also compared with the pair.
# Usage: scripts/bench-cluster.sh [COPIES=16] [RUNS=5] [NODES="1 2 3"] [WARMUP=8]
# BUCKET_BYTES=N sets the job's pack.bucket_bytes (the Pack stage has ceil(compressed input / N) tasks).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
copies="${1:-16}"; runs="${2:-5}"; counts="${3:-1 2 3}"; warmup="${4:-8}"; workers="${NODE_WORKERS:-1}"
. "$root/scripts/bench-corpus.sh"
cluster_bench_setup "$root" "$copies" bench-cluster
hz="$(getconf CLK_TCK)"
pair="${PAIR:-1}"
sed "s|^output: .*|output: $work/out-b|" "$work/bench.yaml" > "$work/bench-b.yaml"
# "setup round MB/s seconds cpu-seconds input-MB stage=seconds,..." from the run's stats.json and its CPU ticks
record() { python3 -c "
import json, sys
s = json.load(open('$work/out/stats.json'))
print(sys.argv[1], sys.argv[2], round(s['input_bytes'] / 1e6 / s['seconds'], 2), s['seconds'], round(int(sys.argv[3]) / $hz, 2), s['input_bytes'] / 1e6,
      ','.join(f'{k}={v}' for k, v in s['stage_seconds'].items()))" "$@" >> "$work/runs.txt"; }

declare -A seeds nodes
base=24153
for n in $counts; do
  seeds[$n]="akka.tcp://pipeline@127.0.0.1:$base"; pids=()
  for i in $(seq 0 $((n - 1))); do
    roles=worker; [ "$i" = 0 ] && roles=coordinator,worker
    start_node "$work/node-$n-$i.log" --port $((base + i)) --seed "${seeds[$n]}" --roles "$roles" --workers "$workers"
    pids+=("${bench_nodes[-1]}")
  done
  nodes[$n]="${pids[*]}"
  base=$((base + 10))
done
if [ "$pair" = 1 ]; then
  for p in a b; do start_node "$work/node-pair-$p.log" --port "$base" --seed "akka.tcp://pipeline@127.0.0.1:$base" --roles coordinator,worker --workers "$workers"; base=$((base + 10)); done
  pair_seeds=("akka.tcp://pipeline@127.0.0.1:$((base - 20))" "akka.tcp://pipeline@127.0.0.1:$((base - 10))")
  pair_nodes="${bench_nodes[-2]} ${bench_nodes[-1]}"
fi
wait_nodes_up
# Runs the job on both pair clusters at once (the second writes to out-b) and prints "MB/s span-seconds input-MB
# overlap": the sum of the two jobs' MB/s; the span from the earliest start to the latest end (each end is stats.json's
# mtime, each start that minus its seconds); the share of the span in which both ran.
run_pair() {
  rm -rf "$work/out" "$work/out-b"
  "$pipeline" run "$work/bench.yaml" --cluster "${pair_seeds[0]}" > "$work/client-a.log" 2>&1 & local a=$!
  "$pipeline" run "$work/bench-b.yaml" --cluster "${pair_seeds[1]}" > "$work/client-b.log" 2>&1 & local b=$!
  local ra=0 rb=0
  wait "$a" || ra=$?; wait "$b" || rb=$?
  if [ "$ra" != 0 ] || [ "$rb" != 0 ]; then { echo "a run on the pair failed:"; tail -20 "$work/client-a.log" "$work/client-b.log"; } >&2; exit 1; fi
  python3 -c "
import json, os
runs = [(json.load(open(f)), os.stat(f).st_mtime) for f in ('$work/out/stats.json', '$work/out-b/stats.json')]
starts = [m - s['seconds'] for s, m in runs]; ends = [m for _, m in runs]; span = max(ends) - min(starts)
print(round(sum(s['input_bytes'] / 1e6 / s['seconds'] for s, _ in runs), 2), round(span, 3), sum(s['input_bytes'] for s, _ in runs) / 1e6,
      round(max(0, min(ends) - max(starts)) / span, 3))"
}
for n in $counts; do
  warm=()
  for r in $(seq 1 "$warmup"); do
    rm -rf "$work/out"; before="$(cpu_ticks ${nodes[$n]})"
    run_on_cluster "${seeds[$n]}"
    warm+=("$(( $(cpu_ticks ${nodes[$n]}) - before ))")
  done
  echo "warm-up, $n node(s): CPU ticks per run (${hz}/s): ${warm[*]}"
done
if [ "$pair" = 1 ]; then
  for r in $(seq 1 "$warmup"); do run_pair > /dev/null; done
  echo "warm-up, pair of 1-node clusters: $warmup runs"
fi

for r in $(seq 1 "$runs"); do
  rm -rf "$work/out"; "$pipeline" run "$work/bench.yaml" --workers 1 >/dev/null &
  p=$!; t="$(ticks_until_exit "$p")"; wait "$p"
  record embedded "$r" "$t"
  for n in $counts; do
    rm -rf "$work/out"; before="$(cpu_ticks ${nodes[$n]})"
    run_on_cluster "${seeds[$n]}"
    record "$n" "$r" $(( $(cpu_ticks ${nodes[$n]}) - before ))
  done
  if [ "$pair" = 1 ]; then
    before="$(cpu_ticks $pair_nodes)"
    pair_out="$(run_pair)"; read -r mbs span megabytes overlap <<< "$pair_out"
    ticks=$(( $(cpu_ticks $pair_nodes) - before ))
    echo "pair $r $mbs $span $(python3 -c "print(round($ticks / $hz, 2))") $megabytes overlap=$overlap" >> "$work/runs.txt"
  fi
done

cat "$work/runs.txt"
python3 - "$work/runs.txt" "$workers" <<'PY'
import collections, statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
workers = int(sys.argv[2])
by = collections.defaultdict(dict)
stages = collections.defaultdict(lambda: collections.defaultdict(list))
for setup, rnd, mbs, secs, cpu, megabytes, stage in rows:
    by[setup][rnd] = (float(mbs), float(secs), float(cpu))
    for kv in stage.split(','): stages[setup][kv.split('=')[0]].append(float(kv.split('=')[1]))
cores = len(__import__('os').sched_getaffinity(0))
print(f"input {float(rows[0][5]):.1f} MB; {len(by['embedded'])} rounds; nodes with {workers} worker(s) each")
def name(setup): return {'embedded': 'embedded', 'pair': 'pair of 1-node clusters at once'}.get(setup, setup + ' node(s)')
for setup in sorted(by, key=lambda s: (s != "embedded", s == "pair", s)):
    runs = by[setup]; mbs = [v[0] for v in runs.values()]
    used = [v[2] / v[1] for v in runs.values()]
    line = f"{name(setup)}: MB/s {mbs} median {statistics.median(mbs):.2f}; CPU s median {statistics.median(v[2] for v in runs.values()):.2f}; cores used median {statistics.median(used):.2f}"
    if setup not in ("embedded", "1") and "1" in by:
        ratios = [runs[r][0] / by["1"][r][0] for r in runs if r in by["1"]]
        linear = min(2 if setup == "pair" else int(setup), cores)
        line += f"; vs 1 node per round {[round(x, 2) for x in ratios]} median {statistics.median(ratios):.2f}x = {statistics.median(ratios) / linear:.0%} of linear ({linear}x on {cores} cores)"
    if setup not in ("embedded", "1", "pair") and "pair" in by:
        ceiling = [runs[r][0] / by["pair"][r][0] for r in runs if r in by["pair"]]
        line += f"; vs the pair per round {[round(x, 2) for x in ceiling]} median {statistics.median(ceiling):.0%}"
    print(line)
    if setup == "pair":
        print("    overlap of the two jobs per round: " + ", ".join(f"{v:.0%}" for v in stages[setup]["overlap"]))
        continue
    print("    stage seconds (median): " + ", ".join(f"{k} {statistics.median(v):.2f}" for k, v in sorted(stages[setup].items())))
PY
