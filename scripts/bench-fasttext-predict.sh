#!/usr/bin/env bash
# fastText predict benchmark, ours vs the reference CLI (Debian fasttext 0.9.2), side by side on the same machine,
# model and documents. Prediction time = full run minus a load-only run (same model, empty input), so model load
# is excluded; medians of RUNS. Outputs are compared byte for byte.
# Usage: scripts/bench-fasttext-predict.sh [RUNS=3] [COPIES=4]
#   Builds a PreSelect-like classifier with the reference (epoch 3, lr 0.1, wordNgrams 2, dim 100, bucket 2M,
#   minCount 1) on the sample corpora (web = __label__1, synthetic math = __label__0; one document per line),
#   and a quantized copy (quantize -qnorm -cutoff 100000, no retrain).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-3}"; copies="${2:-4}"
work="${BENCH_WORK:-$(mktemp -d)}"; mkdir -p "$work"
command -v fasttext >/dev/null || { echo "needs the reference CLI: apt-get install -y fasttext" >&2; exit 2; }
"$root/pipeline" --help >/dev/null   # builds the CLI once
ours="$root/pipeline fasttext"

if [ ! -s "$work/docs.txt" ]; then
  python3 - "$root" "$work" "$copies" <<'PY'
import gzip, json, subprocess, sys, glob, os
root, work, copies = sys.argv[1], sys.argv[2], int(sys.argv[3])
docs = []
for f in sorted(glob.glob(os.path.join(root, "samples/web/*.jsonl.gz"))):
    for line in gzip.open(f, "rt", encoding="utf-8"):
        docs.append("__label__1 " + json.loads(line)["text"].replace("\n", " "))
for f in sorted(glob.glob(os.path.join(root, "samples/synthetic/*.jsonl.zst"))):
    out = subprocess.run(["zstd", "-dc", f], capture_output=True, check=True).stdout.decode("utf-8")
    for line in out.splitlines():
        docs.append("__label__0 " + json.loads(line)["text"].replace("\n", " "))
with open(os.path.join(work, "train.txt"), "w", encoding="utf-8") as o:
    o.write("\n".join(docs) + "\n")
with open(os.path.join(work, "docs.txt"), "w", encoding="utf-8") as o:
    for c in range(copies):
        o.write("\n".join(d.split(" ", 1)[1] for d in docs) + "\n")
PY
fi
if [ ! -s "$work/preselect.bin" ]; then
  fasttext supervised -input "$work/train.txt" -output "$work/preselect" -epoch 3 -lr 0.1 -wordNgrams 2 -dim 100 \
    -bucket 2000000 -minCount 1 -thread 2 -seed 1 >/dev/null 2>&1
  fasttext quantize -input "$work/train.txt" -output "$work/preselect" -qnorm -cutoff 100000 >/dev/null 2>&1
fi
: > "$work/empty.txt"
docs_n=$(wc -l < "$work/docs.txt"); docs_mb=$(python3 -c "import os;print(os.path.getsize('$work/docs.txt')/1e6)")
echo "documents: $docs_n lines, $docs_mb MB; model $(du -h "$work/preselect.bin" | cut -f1), quantized $(du -h "$work/preselect.ftz" | cut -f1)"

timed() { /usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$work/out" 2>/dev/null; cat "$work/time"; }
median() { python3 -c "import statistics,sys; print(statistics.median(float(x) for x in sys.argv[1:]))" "$@"; }

for model in ${BENCH_MODELS:-preselect.bin preselect.ftz}; do
  fasttext predict-prob "$work/$model" "$work/docs.txt" 2 > "$work/ref.out"
  $ours predict-prob "$work/$model" "$work/docs.txt" 2 > "$work/ours.out"
  if cmp -s "$work/ref.out" "$work/ours.out"; then same=identical; else same="DIFFERENT ($(cmp "$work/ref.out" "$work/ours.out" | head -1))"; fi
  declare -A loads=() fulls=() mems=() t=()
  # Interleaved runs (ref, ours, ref, ours, ...) so that load from other processes hits both alike.
  for r in $(seq 1 "$runs"); do
    for who in ref ours; do
      if [ "$who" = ref ]; then cmd="fasttext"; else cmd="$ours"; fi
      read -r l _ < <(timed $cmd predict-prob "$work/$model" "$work/empty.txt" 2)
      read -r f m < <(timed $cmd predict-prob "$work/$model" "$work/docs.txt" 2)
      loads[$who]="${loads[$who]:-} $l"; fulls[$who]="${fulls[$who]:-} $f"; mems[$who]="${mems[$who]:-} $m"
    done
  done
  for who in ref ours; do
    load=$(median ${loads[$who]}); full=$(median ${fulls[$who]}); mem=$(median ${mems[$who]})
    predict=$(python3 -c "print(max(1e-9, $full - $load))")
    t[$who]=$predict
    python3 -c "print(f'$model $who: load {float($load):.2f} s, full {float($full):.2f} s, predict {float($predict):.2f} s = {int($docs_n)/float($predict):,.0f} docs/s = {float($docs_mb)/float($predict):.2f} MB/s (1 thread), peak RSS {float($mem)/1024:.0f} MB; runs load=[${loads[$who]} ] full=[${fulls[$who]} ]')"
  done
  python3 -c "print(f'$model: ours/reference predict throughput = {float(${t[ref]})/float(${t[ours]}):.2f}x; outputs $same')"
done
