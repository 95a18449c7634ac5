// Single-thread throughput of npm tiktoken encode_ordinary on the same text as the C# benchmark.
// Usage: node bench-tiktoken.mjs <corpus.jsonl> [replicas=8] [iterations=5]
// The corpus documents are concatenated `replicas` times (same as TokenizerThroughputBenchmarks) and encoded
// one document per call; prints MB/s (UTF-8 bytes of input per second of wall time) per iteration and the
// median, and MB per CPU-second of the process (useful when the machine is shared and busy).
import { readFileSync } from "node:fs";
import { get_encoding } from "tiktoken";

const [corpusPath, replicasArg, iterationsArg] = process.argv.slice(2);
const replicas = Number(replicasArg ?? 8);
const iterations = Number(iterationsArg ?? 5);
// Same selection as TokenizerBenchmarkCorpus.cs: no seeded random "fuzz" documents, no lone surrogates.
const base = readFileSync(corpusPath, "utf8").split("\n").filter((l) => l.length > 0).map((l) => JSON.parse(l))
  .filter((d) => !d.id.startsWith("fuzz-") && !/\p{Surrogate}/u.test(d.text)).map((d) => d.text);
const docs = [];
for (let r = 0; r < replicas; r++) docs.push(...base);
const bytes = docs.reduce((a, t) => a + Buffer.byteLength(t, "utf8"), 0);

for (const name of ["cl100k_base", "o200k_base"]) {
  const enc = get_encoding(name);
  for (const t of base) enc.encode_ordinary(t); // warm-up
  const rates = [];
  const cpuRates = [];
  let tokens = 0;
  for (let i = 0; i < iterations; i++) {
    tokens = 0;
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    for (const t of docs) tokens += enc.encode_ordinary(t).length;
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    const c = process.cpuUsage(c0);
    rates.push(bytes / 1e6 / s);
    cpuRates.push(bytes / 1e6 / ((c.user + c.system) / 1e6));
  }
  enc.free();
  rates.sort((a, b) => a - b);
  cpuRates.sort((a, b) => a - b);
  console.log(`${name}: ${docs.length} docs, ${(bytes / 1e6).toFixed(2)} MB, ${tokens} tokens; MB/s per iteration ${rates.map((r) => r.toFixed(2)).join(" ")}; median ${rates[Math.floor(rates.length / 2)].toFixed(2)} MB/s; median ${cpuRates[Math.floor(cpuRates.length / 2)].toFixed(2)} MB/cpu-s; load ${readFileSync("/proc/loadavg", "utf8").split(" ")[0]}`);
}
