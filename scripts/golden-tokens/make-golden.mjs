// Reference token ids for the Pipeline.Tokens golden test, from npm tiktoken (WASM build of OpenAI's Rust tiktoken).
// Usage: node make-golden.mjs <corpus.jsonl> <output dir>
// Writes <output dir>/{cl100k_base,o200k_base}.jsonl: one {"id", "ids"} line per corpus line, same order.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { get_encoding } from "tiktoken";

const [corpusPath, outDir] = process.argv.slice(2);
if (!corpusPath || !outDir) {
  console.error("usage: node make-golden.mjs <corpus.jsonl> <output dir>");
  process.exit(2);
}

const docs = readFileSync(corpusPath, "utf8").split("\n").filter((l) => l.length > 0).map((l) => JSON.parse(l));
for (const name of ["cl100k_base", "o200k_base"]) {
  const enc = get_encoding(name);
  let lines = "";
  let tokens = 0;
  for (const doc of docs) {
    // encode_ordinary: special-token text such as <|endoftext|> is encoded as ordinary text.
    const ids = Array.from(enc.encode_ordinary(doc.text));
    tokens += ids.length;
    lines += JSON.stringify({ id: doc.id, ids }) + "\n";
  }
  enc.free();
  writeFileSync(join(outDir, `${name}.jsonl`), lines);
  console.error(`${name}: ${docs.length} documents, ${tokens} tokens`);
}
