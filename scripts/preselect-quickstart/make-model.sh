#!/usr/bin/env bash
# Makes models/quickstart-preselect.ftz, the small PreSelect classifier of jobs/quickstart.yaml, from the bundled
# samples only (docs/preselect.md explains each step; models/PROVENANCE.md records the run that made the committed file).
#   scripts/preselect-quickstart/make-model.sh [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
work="${1:-out/preselect-quickstart}"
rm -rf "$work" && mkdir -p "$work"
# 1. A real loss table: per-document bits/char under character n-gram models of orders 1-6 (the proxy family).
./pipeline preselect losses --reference samples/web/brown-part-00.jsonl.gz samples/web/brown-part-01.jsonl.gz \
  --target samples/web/brown-part-02.jsonl.gz --docs samples/web/brown-part-03.jsonl.gz samples/synthetic --out "$work/losses"
# 2. Predictive-strength labels and the fastText training file.
./pipeline preselect label --losses "$work/losses/losses.parquet" --benchmarks "$work/losses/benchmarks.json" \
  --docs samples/web/brown-part-03.jsonl.gz samples/synthetic --out "$work/label"
# 3. PreSelect's settings (epoch 3, lr 0.1, wordNgrams 2, minCount 1), except a small dim and bucket count.
./pipeline preselect train --input "$work/label/train.txt" --output "$work/preselect.bin" --dim 16 --bucket 100000
# 4. Product-quantized, as fastText's own quantize does it: a ~2 MB .ftz instead of a 9 MB .bin.
./pipeline fasttext quantize -input "$work/label/train.txt" -output "$work/preselect" -qnorm
mkdir -p models
cp "$work/preselect.ftz" models/quickstart-preselect.ftz
sha256sum models/quickstart-preselect.ftz
