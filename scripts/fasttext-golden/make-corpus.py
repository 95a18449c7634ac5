#!/usr/bin/env python3
"""Builds the labeled fastText corpus (train.txt, test.txt) from the repository's own samples.

Sources (see samples/README.md):
  samples/web/brown-part-0*.jsonl.gz        500 Brown texts, fields id, text, genre, category ("ca" .. "cr")
  samples/synthetic/math-part-0*.jsonl.zst  4000 machine-generated math problems (decompressed with `zstd -dc`)

One output line per chunk of 1-3 sentences (about 20-60 words):
  "__label__<genre letter> [__label__long ]<chunk text>\\n"
  - genre letter = second letter of the Brown category (a..r, 15 labels); math chunks get __label__math;
  - chunks with more than 50 whitespace-separated words also carry __label__long (multi-label lines);
  - newlines (and any other whitespace run) inside a chunk become a single space; case and punctuation are kept.
Math documents are downsampled: only those whose id hash falls in MATH_KEEP of 100 buckets are used.
Split: whole documents, by sha256(id): bucket < TEST_PERCENT -> test.txt, else train.txt.
train-plain.txt = train.txt without the label tokens (for the unsupervised models).
train-docid.txt = train.txt with one label per line, the document id (e.g. __label__brown-ca01): ~750 labels,
  enough rows (>= 256) for `quantize -qout` (the output matrix must have at least 256 rows).
Train lines are shuffled with random.Random(SHUFFLE_SEED); test lines are shuffled with SHUFFLE_SEED + 1.
Python 3 standard library only; output is byte-identical across runs.
"""
import argparse
import collections
import gzip
import hashlib
import json
import random
import re
import subprocess
import sys
from pathlib import Path

TEST_PERCENT = 10
MATH_KEEP = 8
SHUFFLE_SEED = 20240917
MIN_WORDS = 20
MAX_WORDS = 60
MAX_SENTENCES = 3
LONG_WORDS = 50

def bucket(doc_id: str) -> int:
    return int.from_bytes(hashlib.sha256(doc_id.encode('utf-8')).digest()[:8], 'big') % 100


def sentences(text: str):
    # A sentence ends after . ! ? (plus closing quotes/brackets) before whitespace, or at a newline.
    out = []
    pos = 0
    for m in re.finditer(r'(?<=[.!?])["\')\]]*(\s+)|(\n+)', text):
        end = m.start(1) if m.group(1) is not None else m.start(2)
        s = text[pos:end].strip()
        if s:
            out.append(s)
        pos = m.end()
    s = text[pos:].strip()
    if s:
        out.append(s)
    return out


def chunks(text: str):
    sents = [' '.join(s.split()) for s in sentences(text)]
    sents = [s for s in sents if s]
    lens = [len(s.split(' ')) for s in sents]
    cur, cur_words = [], 0
    for i, s in enumerate(sents):
        cur.append(s)
        cur_words += lens[i]
        nxt = lens[i + 1] if i + 1 < len(sents) else 0
        if cur_words >= MIN_WORDS and (len(cur) >= MAX_SENTENCES or cur_words + nxt > MAX_WORDS or nxt == 0):
            yield ' '.join(cur), cur_words
            cur, cur_words = [], 0
    if cur:
        # short tail: keep it only if it has a few words (short lines are realistic too)
        if cur_words >= 5:
            yield ' '.join(cur), cur_words


def read_brown(root: Path):
    for p in sorted((root / 'samples' / 'web').glob('brown-part-0*.jsonl.gz')):
        with gzip.open(p, 'rt', encoding='utf-8') as f:
            for line in f:
                d = json.loads(line)
                yield d['id'], d['category'][1], d['text']


def read_math(root: Path):
    for p in sorted((root / 'samples' / 'synthetic').glob('math-part-0*.jsonl.zst')):
        data = subprocess.run(['zstd', '-dc', str(p)], check=True, capture_output=True).stdout
        for line in data.decode('utf-8').splitlines():
            d = json.loads(line)
            yield d['id'], 'math', d['text']


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--root', required=True, help='repository root')
    ap.add_argument('--out', required=True, help='output folder for train.txt / test.txt')
    a = ap.parse_args()
    root, out = Path(a.root), Path(a.out)
    out.mkdir(parents=True, exist_ok=True)

    train, test = [], []
    docs = collections.Counter()
    for source in (read_brown(root), read_math(root)):
        for doc_id, label, text in source:
            b = bucket(doc_id)
            if label == 'math':
                # independent of the split bucket: use a second hash
                if bucket('math-keep:' + doc_id) >= MATH_KEEP:
                    continue
            split = 'test' if b < TEST_PERCENT else 'train'
            docs['math' if label == 'math' else 'brown', split] += 1
            dest = test if split == 'test' else train
            for chunk, n in chunks(text):
                labels = '__label__' + label
                if n > LONG_WORDS:
                    labels += ' __label__long'
                dest.append((labels, doc_id, chunk))

    random.Random(SHUFFLE_SEED).shuffle(train)
    random.Random(SHUFFLE_SEED + 1).shuffle(test)
    files = (
        ('train.txt', [f'{labels} {chunk}\n' for labels, _, chunk in train]),
        ('test.txt', [f'{labels} {chunk}\n' for labels, _, chunk in test]),
        ('train-plain.txt', [f'{chunk}\n' for _, _, chunk in train]),
        ('train-docid.txt', [f'__label__{doc_id} {chunk}\n' for _, doc_id, chunk in train]),
    )
    for name, lines in files:
        with open(out / name, 'wb') as f:
            f.write(''.join(lines).encode('utf-8'))
    print(f'Brown documents: {docs["brown", "train"]} train, {docs["brown", "test"]} test; '
          f'math documents kept: {docs["math", "train"]} train, {docs["math", "test"]} test (of 4000)', file=sys.stderr)


if __name__ == '__main__':
    main()
