#!/usr/bin/env bash
# Per-task timeline of the bench job (quickstart ×COPIES, see bench-corpus.sh) on a warm 1-node and a warm 2-node
# cluster side by side: where each node's time goes, stage by stage. It needs a trace that the product does not have,
# so it builds a throw-away worktree of HEAD with scripts/bench-cluster-timeline.patch applied: each worker appends
# every task's kind, slot, wall-clock start and end (ms) and its process's CPU seconds at both ends to
# $PIPELINE_TASK_TRACE.<pid>, and the coordinator each stage's start to $PIPELINE_TASK_TRACE.stages. (If the patch no
# longer applies, redo its few lines in Worker.RunAsync and JobCoordinator.Stage.)
# Both clusters warm up WARMUP runs each; then ROUNDS rounds run the job once on each. Per run and stage it prints the
# stage's wall time and, per node: tasks by kind, busy (sum of task wall times), task CPU (process CPU during its
# tasks, every thread), lead (stage start to the node's first task) and tail (its last task's end to the stage end).
# Usage: scripts/bench-cluster-timeline.sh [COPIES=16] [ROUNDS=3] [WARMUP=8]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
copies="${1:-16}"; rounds="${2:-3}"; warmup="${3:-8}"
tree="$(mktemp -d)/pipeline-timeline"
git -C "$root" worktree add -q --detach "$tree" HEAD
git -C "$tree" apply "$root/scripts/bench-cluster-timeline.patch"
. "$tree/scripts/bench-corpus.sh"
cluster_bench_setup "$tree" "$copies" bench-timeline
trap 'for p in "${bench_nodes[@]:-}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; git -C "$root" worktree remove --force "$tree"' EXIT
traces="$work/traces"; mkdir -p "$traces"
declare -A seed=([1]="akka.tcp://pipeline@127.0.0.1:25300" [2]="akka.tcp://pipeline@127.0.0.1:25310")
PIPELINE_TASK_TRACE="$traces/n1" start_node "$work/n1.log" --port 25300 --seed "${seed[1]}" --roles coordinator,worker --workers 1
PIPELINE_TASK_TRACE="$traces/n2" start_node "$work/n2a.log" --port 25310 --seed "${seed[2]}" --roles coordinator,worker --workers 1
PIPELINE_TASK_TRACE="$traces/n2" start_node "$work/n2b.log" --port 25311 --seed "${seed[2]}" --roles worker --workers 1
wait_nodes_up
for r in $(seq 1 "$warmup"); do for n in 1 2; do rm -rf "$work/out"; run_on_cluster "${seed[$n]}"; done; done
for r in $(seq 1 "$rounds"); do
  for n in 1 2; do
    rm -f "$traces"/n*; rm -rf "$work/out"; run_on_cluster "${seed[$n]}"
    mkdir -p "$work/runs/$r-$n"; mv "$traces"/n* "$work/runs/$r-$n/"; cp "$work/out/stats.json" "$work/runs/$r-$n/"
  done
done
python3 - "$work/runs" <<'PY'
import collections, glob, json, os, sys
for run in sorted(glob.glob(os.path.join(sys.argv[1], '*'))):
    stats = json.load(open(os.path.join(run, 'stats.json')))
    stages = [(n, int(t)) for n, t in (l.split() for l in open(glob.glob(os.path.join(run, '*.stages'))[0]))]
    tasks = []
    for f in glob.glob(os.path.join(run, 'n?.[0-9]*')):
        for l in open(f):
            kind, slot, ws, we, cs, ce = l.split()
            tasks.append((f.rsplit('.', 1)[1], kind, int(ws), int(we), float(cs), float(ce)))
    rnd, nodes = os.path.basename(run).split('-')
    print(f"round {rnd}, {nodes} node(s): {stats['seconds']:.2f} s, {stats['input_bytes'] / 1e6 / stats['seconds']:.1f} MB/s")
    ends = [t for _, t in stages[1:]] + [max([stages[0][1] + stats['seconds'] * 1000] + [t[3] for t in tasks])]
    for (stage, start), end in zip(stages, ends):
        line = f"  {stage:7s} {(end - start) / 1000:6.2f} s"
        for pid in sorted({t[0] for t in tasks}):
            mine = [t for t in tasks if t[0] == pid and start <= t[2] < end]
            if not mine: continue
            kinds = ', '.join(f'{k} {c}' for k, c in sorted(collections.Counter(t[1] for t in mine).items()))
            line += (f" | node {pid}: {kinds}; busy {sum(t[3] - t[2] for t in mine) / 1000:.2f} s, task CPU {sum(t[5] - t[4] for t in mine):.2f} s,"
                     f" lead {(min(t[2] for t in mine) - start) / 1000:.2f} s, tail {(end - max(t[3] for t in mine)) / 1000:.2f} s")
        print(line)
PY
