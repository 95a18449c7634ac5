# Sourced by the benchmark scripts: make_bench_corpus ROOT COPIES WORK NAME writes the quickstart corpora copied
# COPIES times into WORK/web and WORK/synthetic (every copy a distinct file, so every document is distinct) and a
# job WORK/bench.yaml named NAME that tokenizes them with cl100k_base and packs 2048-token sequences into WORK/out
# (BUCKET_BYTES=N sets pack.bucket_bytes).
make_bench_corpus() {
  local root="$1" copies="$2" work="$3" name="$4" i f
  mkdir -p "$work/web" "$work/synthetic"
  for i in $(seq 1 "$copies"); do
    for f in "$root"/samples/web/*.jsonl.gz; do cp "$f" "$work/web/c$i-$(basename "$f")"; done
    for f in "$root"/samples/synthetic/*.jsonl.zst; do cp "$f" "$work/synthetic/c$i-$(basename "$f")"; done
  done
  cat > "$work/bench.yaml" <<YAML
name: $name
seed: 1
output: $work/out
sources:
  - { name: web, uri: $work/web/*.jsonl.gz }
  - { name: synthetic, uri: $work/synthetic/*.jsonl.zst }
tokenizer: { name: cl100k_base }
pack: { seq_len: 2048, strategy: best_fit${BUCKET_BYTES:+, bucket_bytes: $BUCKET_BYTES} }
YAML
  "$root/pipeline" validate "$work/bench.yaml" >/dev/null
}

# Builds ./pipeline if needed and sets $pipeline to it with PIPELINE_NO_BUILD=1, so the launcher execs dotnet at once
# and the $! of a background "$pipeline" is the .NET process. Usage: use_pipeline_launcher ROOT
use_pipeline_launcher() {
  "$1/pipeline" --help >/dev/null
  pipeline="$1/pipeline"
  export PIPELINE_NO_BUILD=1
}

# CPU ticks (utime + stime, getconf CLK_TCK per second) the given processes have used so far, together.
cpu_ticks() {
  local t=0 p
  for p in "$@"; do t=$((t + $(awk '{print $14+$15}' "/proc/$p/stat"))); done
  echo "$t"
}

# Samples the CPU ticks of process PID every 0.1 s until it exits and prints the last sample (its total, as /proc
# forgets an exited process). Does not wait for it: `wait PID` afterwards gives its exit status. Usage: ticks_until_exit PID
ticks_until_exit() {
  local t=0 now
  # The process may exit between the check and the read: keep the last sample then (an arithmetic error on an empty
  # read would end the whole command substitution, fallback included).
  while kill -0 "$1" 2>/dev/null; do
    now="$(awk '{print $14+$15}' "/proc/$1/stat" 2>/dev/null)" && [ -n "$now" ] && t="$now"
    sleep 0.1
  done
  echo "$t"
}

# A cluster benchmark's setup: a temporary folder $work with the bench corpus and job (make_bench_corpus ROOT COPIES
# $work NAME) and $pipeline (use_pipeline_launcher). On exit the folder is removed and every node that start_node
# started is killed. Usage: cluster_bench_setup ROOT COPIES NAME
cluster_bench_setup() {
  work="$(mktemp -d)"; bench_nodes=(); bench_logs=()
  trap 'for p in "${bench_nodes[@]:-}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT
  make_bench_corpus "$1" "$2" "$work" "$3"
  use_pipeline_launcher "$1"
}

# Starts `pipeline node ARGS...` in the background with its output in LOG, and appends its pid to $bench_nodes and LOG
# to $bench_logs (an environment assignment before the call reaches the node). Usage: start_node LOG ARGS...
start_node() {
  local log="$1"; shift
  "$pipeline" node "$@" > "$log" 2>&1 &
  bench_nodes+=($!); bench_logs+=("$log")
}

# Waits until every node that start_node started has printed "node up" (its log may not exist yet: the background
# shell creates it).
wait_nodes_up() {
  local log
  for log in "${bench_logs[@]}"; do until [ -f "$log" ] && grep -q "node up" "$log"; do sleep 0.5; done; done
}

# Runs the bench job on the cluster at SEED (a node address); the client's output goes to $work/client.log. A failed run
# stops the benchmark with the client's last lines. Usage: run_on_cluster SEED
run_on_cluster() {
  "$pipeline" run "$work/bench.yaml" --cluster "$1" > "$work/client.log" 2>&1 || { echo "the run on $1 failed:"; tail -20 "$work/client.log"; exit 1; } >&2
}
