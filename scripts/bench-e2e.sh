#!/usr/bin/env bash
# End-to-end benchmark: the quickstart corpora replicated COPIES times (ids from file + offset, so every copy
# is a distinct document), run RUNS times per worker count; prints each run's stats.json figures and medians.
# Usage: scripts/bench-e2e.sh [COPIES=4] [RUNS=3] [WORKERS="1 2"]
# With MODEL=path/to/classifier.{bin,ftz} the job also scores every document with it (scoring.preselect) and keeps
# the top 10% of the characters (PreSelect's rule), e.g. MODEL=models/quickstart-preselect.ftz.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
copies="${1:-4}"; runs="${2:-3}"; workers="${3:-1 2}"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
. "$root/scripts/bench-corpus.sh"
make_bench_corpus "$root" "$copies" "$work" bench-e2e
if [ -n "${MODEL:-}" ]; then
  printf 'scoring: { preselect: { model: %s } }\nselection: { keep_top: 0.1, by: characters }\n' "$(cd "$root" && realpath "$MODEL")" >> "$work/bench.yaml"
fi
for w in $workers; do
  for r in $(seq 1 "$runs"); do
    rm -rf "$work/out"
    "$root/pipeline" run "$work/bench.yaml" --workers "$w" >/dev/null
    python3 -c "import json,sys; s=json.load(open('$work/out/stats.json')); print(f\"workers={s['workers']} run=$r seconds={s['seconds']} input_MB={s['input_bytes']/1e6:.1f} MB/s={s['input_megabytes_per_second']} MB/s/worker={s['input_megabytes_per_second_per_worker']} cpu_s={s['cpu_seconds']} MB/cpu_s={s['input_megabytes_per_cpu_second']} stages={s['stage_seconds']}\")"
  done
done
