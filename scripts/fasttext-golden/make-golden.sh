#!/usr/bin/env bash
# Makes everything under tests/data/fasttext/ with the reference fastText CLI 0.9.2 (Debian package `fasttext`):
#   inputs/   test.txt (labeled), predict.txt and the other query inputs (byte-exact, see make-inputs.py)
#   models/   reference models (.bin / .ftz) + models.tsv (exact training / quantize command lines)
#   golden/   stdout of each CLI command, byte-exact (+ <name>.stderr.txt when stderr was not empty),
#             index.tsv (file, model, argv, stdin, exit code, stderr file)
#   PROVENANCE.md  (from PROVENANCE.template.md + versions, corpus stats, sha256 of every file)
#   .gitattributes (`* -text -diff`: keep every byte as is)
# Usage: scripts/fasttext-golden/make-golden.sh [OUT_DIR]     (default: <repo>/tests/data/fasttext)
# Needs: fasttext (apt-get install -y fasttext), python3 >= 3.8, zstd. About 2 minutes on 2 cores.
# All training runs use -thread 1 and a fixed -seed, so two runs give byte-identical files
# (check: run it twice into two folders and `diff -r`).
set -euo pipefail
export LC_ALL=C

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-$root/tests/data/fasttext}"
FT="${FASTTEXT:-/usr/bin/fasttext}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

command -v "$FT" >/dev/null || { echo "fasttext CLI not found (Debian: apt-get install -y fasttext)" >&2; exit 1; }
command -v zstd >/dev/null || { echo "zstd CLI not found (Debian: apt-get install -y zstd)" >&2; exit 1; }

mkdir -p "$out"
rm -rf "$out/inputs" "$out/models" "$out/golden"
mkdir -p "$out/inputs" "$out/models" "$out/golden"
# byte-exact files: no end-of-line conversion by git on any platform (predict.txt has \r\n, \r, \0 ...)
printf '# made by scripts/fasttext-golden/make-golden.sh: every file here is compared byte for byte\n* -text -diff\n' >"$out/.gitattributes"

# ---------------------------------------------------------------- 1. corpus + query inputs
python3 "$here/make-corpus.py" --root "$root" --out "$tmp/corpus" 2>"$tmp/corpus-stats.txt"
python3 "$here/make-inputs.py" --data "$tmp/corpus"
for f in test.txt predict.txt predict-eof-ws.txt predict-eof-label.txt predict-eof-oov.txt predict-empty.txt \
         words.txt words-labels.txt sentences.txt nn-queries.txt analogies.txt ngram-words.txt; do
  cp "$tmp/corpus/$f" "$out/inputs/$f"
done
# train.txt (6 MB) is not committed: make-corpus.py rebuilds it byte-identically in < 1 s.
# Its sha256 is recorded in PROVENANCE.md.

# ---------------------------------------------------------------- 2. models
models_tsv="$out/models/models.tsv"
printf 'model\tcommand (run in a folder holding train.txt / train-plain.txt from make-corpus.py)\n' >"$models_tsv"
train() { # <model file name> <fasttext argv...>
  local name="$1"; shift
  (cd "$tmp/corpus" && "$FT" "$@" >"$tmp/train-$name.log" 2>&1)
  printf '%s\tfasttext %s\n' "$name" "$*" >>"$models_tsv"
}
SUP="-dim 16 -epoch 5 -lr 0.5 -wordNgrams 2 -bucket 5000 -minCount 20 -thread 1 -seed 1"
UNSUP="-dim 16 -epoch 2 -minCount 20 -minn 3 -maxn 6 -bucket 5000 -thread 1 -seed 1"
train sup-softmax.bin supervised -input train.txt -output sup-softmax -loss softmax $SUP
train sup-hs.bin      supervised -input train.txt -output sup-hs -loss hs $SUP
train sup-ova.bin     supervised -input train.txt -output sup-ova -loss ova $SUP
train sup-ns.bin      supervised -input train.txt -output sup-ns -loss ns -neg 5 $SUP
train sup-char.bin    supervised -input train.txt -output sup-char -loss softmax -minn 2 -maxn 4 $SUP
# quantize -output X reads X.bin and writes X.ftz
cp "$tmp/corpus/sup-char.bin" "$tmp/corpus/sup-quant.bin"
printf 'sup-quant.bin\tcp sup-char.bin sup-quant.bin\n' >>"$models_tsv"
train sup-quant.ftz quantize -input train.txt -output sup-quant -qnorm -retrain -cutoff 5000 -epoch 1 -thread 1
# -qout needs >= 256 output rows ("Matrix too small for quantization, must have at least 256 rows" with our
# 17 labels), so the -qout model comes from a document-id classifier (754 labels).
train sup-docid.bin   supervised -input train-docid.txt -output sup-docid -loss softmax -dim 16 -epoch 5 -lr 0.5 -wordNgrams 2 -bucket 2000 -minCount 20 -thread 1 -seed 1
cp "$tmp/corpus/sup-docid.bin" "$tmp/corpus/sup-quant-qout.bin"
printf 'sup-quant-qout.bin\tcp sup-docid.bin sup-quant-qout.bin\n' >>"$models_tsv"
train sup-quant-qout.ftz quantize -input train-docid.txt -output sup-quant-qout -qout -dsub 3 -thread 1
train unsup-skipgram.bin skipgram -input train-plain.txt -output unsup-skipgram $UNSUP
train unsup-cbow.bin     cbow -input train-plain.txt -output unsup-cbow $UNSUP
for m in sup-softmax.bin sup-hs.bin sup-ova.bin sup-ns.bin sup-char.bin sup-quant.ftz sup-quant-qout.ftz \
         unsup-skipgram.bin unsup-cbow.bin; do
  cp "$tmp/corpus/$m" "$out/models/$m"
done
# Not committed: the .vec files written by training (0.7-1.4 MB each; print-word-vectors covers the format) and
# sup-docid.bin (only the base of sup-quant-qout.ftz); models.tsv has the commands that remake them.

# ---------------------------------------------------------------- 3. golden outputs
index="$out/golden/index.tsv"
printf 'file\tmodel\targv\tstdin\texit_code\tstderr_file\n' >"$index"
skipped="$tmp/skipped.txt"; : >"$skipped"
# g <golden name> <model> <stdin file or -> <max bytes or 0> <fasttext argv...>
# Runs in $out, so the argv paths are relative to tests/data/fasttext/.
g() {
  local name="$1" model="$2" stdin="$3" max="$4"; shift 4
  local file="golden/$name.txt" errf="" rc=0
  if [ "$stdin" = "-" ]; then
    (cd "$out" && "$FT" "$@" </dev/null >"$file" 2>"$tmp/stderr") || rc=$?
  else
    (cd "$out" && "$FT" "$@" <"$stdin" >"$file" 2>"$tmp/stderr") || rc=$?
  fi
  if [ -s "$tmp/stderr" ]; then errf="golden/$name.stderr.txt"; mv "$tmp/stderr" "$out/$errf"; fi
  local size; size=$(stat -c %s "$out/$file")
  if [ "$max" -gt 0 ] && [ "$size" -gt "$max" ]; then
    rm -f "$out/$file"
    printf -- '- `fasttext %s` (%s bytes of stdout, exit %s): not committed (over %s bytes)\n' "$*" "$size" "$rc" "$max" >>"$skipped"
    return 0
  fi
  printf '%s\t%s\tfasttext %s\t%s\t%s\t%s\n' "$file" "$model" "$*" "$stdin" "$rc" "$errf" >>"$index"
}

SUPMODELS="sup-softmax.bin sup-hs.bin sup-ova.bin sup-ns.bin sup-char.bin sup-quant.ftz sup-quant-qout.ftz"
for m in $SUPMODELS; do
  b="${m%.*}"
  for k in 1 2 5; do
    g "$b.predict-prob.k$k"     "$m" - 0 predict-prob "models/$m" inputs/predict.txt $k
  done
  g "$b.predict-prob.k5.t0.1"   "$m" - 0 predict-prob "models/$m" inputs/predict.txt 5 0.1
  g "$b.predict.k2"             "$m" - 0 predict "models/$m" inputs/predict.txt 2
  case "$b" in # the doc-id model has other labels than test.txt: no `test` for it
    sup-quant-qout) ;;
    *) g "$b.test.k1"           "$m" - 0 test "models/$m" inputs/test.txt 1 ;;
  esac
  # end-of-file cases: trailing whitespace without newline, a lone label, unseen words, an empty file
  for e in eof-ws eof-label eof-oov empty; do
    g "$b.predict-prob.$e.k2"   "$m" - 0 predict-prob "models/$m" "inputs/predict-$e.txt" 2
  done
done
# all labels
g sup-softmax.predict-prob.kall      sup-softmax.bin - 0 predict-prob models/sup-softmax.bin inputs/predict.txt -1
g sup-hs.predict-prob.kall.t0.01     sup-hs.bin      - 0 predict-prob models/sup-hs.bin inputs/predict.txt -1 0.01
# stdin ("-" as the input file) must give the same bytes as the file
g sup-softmax.predict-prob.k2.stdin  sup-softmax.bin inputs/predict.txt 0 predict-prob models/sup-softmax.bin - 2
g sup-char.predict.k1.stdin          sup-char.bin    inputs/predict.txt 0 predict models/sup-char.bin - 1
# threshold only matters for low-probability labels: a high threshold leaves many lines empty
g sup-ova.predict-prob.k2.t0.9       sup-ova.bin     - 0 predict-prob models/sup-ova.bin inputs/predict.txt 2 0.9
# test / test-label
for m in sup-softmax.bin sup-quant.ftz; do
  b="${m%.*}"
  g "$b.test.k5"          "$m" - 0 test "models/$m" inputs/test.txt 5
  g "$b.test-label.k1"    "$m" - 0 test-label "models/$m" inputs/test.txt 1
done
g sup-softmax.test.k2.t0.3       sup-softmax.bin - 0 test models/sup-softmax.bin inputs/test.txt 2 0.3
g sup-softmax.test-label.k2.t0.3 sup-softmax.bin - 0 test-label models/sup-softmax.bin inputs/test.txt 2 0.3
g sup-softmax.test.kall          sup-softmax.bin - 0 test models/sup-softmax.bin inputs/test.txt -1
# vectors (these read stdin)
for m in sup-char.bin unsup-skipgram.bin sup-softmax.bin sup-quant.ftz; do
  b="${m%.*}"
  g "$b.print-word-vectors"     "$m" inputs/words.txt     0 print-word-vectors "models/$m"
  g "$b.print-sentence-vectors" "$m" inputs/sentences.txt 0 print-sentence-vectors "models/$m"
done
g unsup-cbow.print-word-vectors unsup-cbow.bin inputs/words.txt 0 print-word-vectors models/unsup-cbow.bin
# a label of a supervised model as a query word: the Debian build (assertions on) aborts with exit 134
g sup-softmax.print-word-vectors.labels sup-softmax.bin inputs/words-labels.txt 0 print-word-vectors models/sup-softmax.bin
g sup-char.print-word-vectors.labels    sup-char.bin    inputs/words-labels.txt 0 print-word-vectors models/sup-char.bin
for w in jury café; do
  g "sup-char.print-ngrams.$w"       sup-char.bin       - 0 print-ngrams models/sup-char.bin "$w"
  g "unsup-skipgram.print-ngrams.$w" unsup-skipgram.bin - 0 print-ngrams models/unsup-skipgram.bin "$w"
done
g sup-softmax.print-ngrams.jury sup-softmax.bin - 0 print-ngrams models/sup-softmax.bin jury
# nn / analogies (interactive prompts, fed through stdin)
g unsup-skipgram.nn.k10        unsup-skipgram.bin inputs/nn-queries.txt 0 nn models/unsup-skipgram.bin 10
g unsup-cbow.nn.k5             unsup-cbow.bin     inputs/nn-queries.txt 0 nn models/unsup-cbow.bin 5
# `analogies` never stops at the end of stdin (it keeps answering the last triplet): keep the
# "Loading model" line + 4 triplets x 5 lines with head; fasttext then dies of SIGPIPE.
n_head=$(( 1 + $(wc -l <"$out/inputs/analogies.txt") * 5 ))
(cd "$out" && timeout 120 "$FT" analogies models/unsup-skipgram.bin 5 <inputs/analogies.txt 2>/dev/null \
   | head -n $n_head >golden/unsup-skipgram.analogies.k5.txt) || true
printf 'golden/unsup-skipgram.analogies.k5.txt\tunsup-skipgram.bin\tfasttext analogies models/unsup-skipgram.bin 5 | head -n %s\tinputs/analogies.txt\tSIGPIPE\t\n' \
  $n_head >>"$index"
# errors
g sup-softmax.predict-prob.k0     sup-softmax.bin    - 0 predict-prob models/sup-softmax.bin inputs/predict-eof-ws.txt 0
g unsup-skipgram.predict-prob.k1  unsup-skipgram.bin - 0 predict-prob models/unsup-skipgram.bin inputs/predict-eof-ws.txt 1
g unsup-skipgram.test.k1          unsup-skipgram.bin - 0 test models/unsup-skipgram.bin inputs/predict-eof-ws.txt 1
# dump (input/output dumps over 1 MB are not committed: the matrix is in the .bin anyway)
for m in sup-softmax.bin sup-hs.bin sup-ova.bin sup-ns.bin sup-char.bin sup-quant.ftz sup-quant-qout.ftz unsup-skipgram.bin unsup-cbow.bin; do
  g "${m%.*}.dump.args" "$m" - 0 dump "models/$m" args
done
for m in sup-softmax.bin sup-quant.ftz sup-quant-qout.ftz; do
  b="${m%.*}"
  g "$b.dump.dict"   "$m" - 0       dump "models/$m" dict
  g "$b.dump.input"  "$m" - 1000000 dump "models/$m" input
  g "$b.dump.output" "$m" - 1000000 dump "models/$m" output
done
g unsup-skipgram.dump.dict unsup-skipgram.bin - 0 dump models/unsup-skipgram.bin dict

# ---------------------------------------------------------------- 4. PROVENANCE.md
python3 "$here/make-provenance.py" --out "$out" --corpus "$tmp/corpus" --template "$here/PROVENANCE.template.md" \
  --corpus-stats "$tmp/corpus-stats.txt" --skipped "$skipped" --fasttext "$FT"
du -sb "$out"
