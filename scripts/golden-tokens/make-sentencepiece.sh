#!/usr/bin/env bash
# Regenerates tests/Pipeline.Tokens.Tests/sentencepiece/: two small SentencePiece models trained with Debian's
# spm_train 0.1.97 (apt-get install -y sentencepiece) on the golden corpus, 104 held-out test lines, and the
# reference ids from spm_encode --output_format=id.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../../tests/Pipeline.Tokens.Tests/sentencepiece"
work="$(mktemp -d)"
python3 - "$here/../../tests/Pipeline.Tokens.Tests/golden/corpus.jsonl" "$work" <<'PY'
import json, sys
corpus, work = sys.argv[1], sys.argv[2]
docs = [json.loads(l) for l in open(corpus, encoding="utf-8")]
train, test = [], []
for i, d in enumerate(docs):
    if d["id"].startswith(("fuzz-", "edge-")):
        continue
    lines = [l.strip() for l in d["text"].split("\n") if l.strip()]
    lines = [l for l in lines if not any(0xD800 <= ord(c) <= 0xDFFF for c in l)]
    (test if i % 5 == 0 else train).extend(lines)   # every 5th document is held out
open(f"{work}/train.txt", "w", encoding="utf-8").write("\n".join(train) + "\n")
step = max(1, len(test) // 100)
sel = test[::step][:100] + [".", "2", "x", "'''."]        # + the single-character lines BPE trips on
open(f"{work}/lines.txt", "w", encoding="utf-8").write("\n".join(sel) + "\n")
PY
common=(--input="$work/train.txt" --vocab_size=2000 --character_coverage=0.9995 --byte_fallback=true)
spm_train "${common[@]}" --model_prefix="$work/unigram" --model_type=unigram --input_sentence_size=1000000 --seed_sentencepiece_size=100000 >/dev/null 2>&1
spm_train "${common[@]}" --model_prefix="$work/bpe" --model_type=bpe --normalization_rule_name=identity >/dev/null 2>&1
spm_encode --model="$work/unigram.model" --output_format=id < "$work/lines.txt" > "$work/unigram.ids"
spm_encode --model="$work/bpe.model" --output_format=id < "$work/lines.txt" > "$work/bpe.ids"
cp "$work"/{unigram.model,bpe.model,lines.txt,unigram.ids,bpe.ids} "$out/"
rm -rf "$work"
