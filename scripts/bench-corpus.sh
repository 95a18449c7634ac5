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
