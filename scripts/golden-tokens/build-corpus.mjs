// Assembles corpus.jsonl (the input of make-golden.mjs) from real text found on a Debian 12 build machine,
// plus hand-written edge cases and seeded random strings. Run once; the output is committed, so the golden test
// does not depend on this machine. Usage: node build-corpus.mjs > ../../tests/Pipeline.Tokens.Tests/golden/corpus.jsonl
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";

const MAX_CHARS = 1000;
const docs = [];
const add = (id, source, text) => {
  if (text && text.length > 0) docs.push({ id, source, text });
};

// Cut at a line boundary so documents stay natural text.
const clip = (text, max = MAX_CHARS) => {
  if (text.length <= max) return text;
  const cut = text.lastIndexOf("\n", max);
  return text.slice(0, cut > max / 2 ? cut + 1 : max);
};

const sorted = (dir) => (existsSync(dir) ? readdirSync(dir).sort() : []);
const every = (list, n) => list.filter((_, i) => i % Math.max(1, Math.floor(list.length / n)) === 0).slice(0, n);

function man(path) {
  try {
    const out = execFileSync("sh", ["-c", `man -E UTF-8 -l '${path}' 2>/dev/null | col -bx`], {
      env: { ...process.env, MANWIDTH: "80", LANG: "C.UTF-8" },
      maxBuffer: 64 << 20,
    }).toString("utf8");
    // Drop the header line; keep the body.
    return out.split("\n").slice(2).join("\n");
  } catch {
    return "";
  }
}

// 1. English man pages (real technical prose).
for (const f of every(sorted("/usr/share/man/man1").filter((f) => !f.startsWith("gcloud")), 30)) {
  add(`man-en-${f}`, `/usr/share/man/man1/${f}`, clip(man(`/usr/share/man/man1/${f}`)));
}

// 2. Translated man pages: Cyrillic, CJK, accented Latin, Turkish, Polish, ...
for (const lang of ["cs", "da", "de", "es", "fi", "fr", "hr", "hu", "id", "it", "ja", "ko", "nl", "pl", "pt", "pt_BR", "ro", "ru", "sl", "sr", "sv", "tr", "uk", "zh_CN", "zh_TW"]) {
  const dir = `/usr/share/man/${lang}/man1`;
  for (const f of every(sorted(dir), 4)) {
    add(`man-${lang}-${f}`, `${dir}/${f}`, clip(man(`${dir}/${f}`)));
  }
}

// 3. English licences and changelogs from /usr/share/doc.
const docDirs = sorted("/usr/share/doc");
for (const d of every(docDirs, 30)) {
  const p = `/usr/share/doc/${d}/copyright`;
  if (existsSync(p)) add(`copyright-${d}`, p, clip(readFileSync(p, "utf8")));
}
for (const d of ["libfribidi0", "libharfbuzz0b", "adwaita-icon-theme"]) {
  const p = `/usr/share/doc/${d}/copyright`;
  if (existsSync(p)) add(`copyright-full-${d}`, p, clip(readFileSync(p, "utf8"), 4000));
}
for (const d of ["git", "dpkg"]) {
  const p = `/usr/share/doc/${d}/changelog.gz`;
  if (existsSync(p)) add(`changelog-${d}`, p, clip(gunzipSync(readFileSync(p)).toString("utf8"), 3000));
}

// 4. Node.js API docs (Markdown with code, tables and some emoji).
for (const f of every(sorted("/usr/share/doc/nodejs/api").filter((f) => f.endsWith(".md")), 14)) {
  const text = readFileSync(`/usr/share/doc/nodejs/api/${f}`, "utf8");
  add(`nodejs-${f}`, `/usr/share/doc/nodejs/api/${f}`, clip(text));
  const emoji = text.search(/\p{Extended_Pictographic}/u);
  if (emoji > 0) add(`nodejs-emoji-${f}`, `/usr/share/doc/nodejs/api/${f}`, text.slice(Math.max(0, emoji - 600), emoji + 600));
}

// 5. CJK test texts of CPython (real Chinese, Japanese, Korean prose).
const cjk = "/root/.pyenv/versions/3.11.7/lib/python3.11/test/cjkencodings";
for (const f of sorted(cjk).filter((f) => f.endsWith("-utf8.txt"))) {
  add(`cjk-${f}`, `${cjk}/${f}`, clip(readFileSync(`${cjk}/${f}`, "utf8")));
}

// 6. RFC 3492 punycode samples in CPython's test_codecs.py (Arabic, Hebrew, Hindi, Chinese, Czech, Vietnamese, ...).
const codecs = readFileSync("/root/.pyenv/versions/3.11.7/lib/python3.11/test/test_codecs.py", "utf8");
const samples = [...codecs.matchAll(/# \(([A-Z])\) ([^\n]+)\n\s+\("([^"]+)"/g)];
let punyText = "";
for (const m of samples) {
  const text = m[3].replace(/\\u([0-9A-Fa-f]{4})/g, (_, h) => String.fromCharCode(parseInt(h, 16))).replace(/\\x([0-9A-Fa-f]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
  add(`punycode-${m[1]}`, "cpython test_codecs.py (RFC 3492 samples)", `${m[2]}: ${text}`);
  punyText += `${m[2]}: ${text}\n`;
}
add("punycode-all", "cpython test_codecs.py (RFC 3492 samples)", punyText);
add("encoded-koi8-r", "cpython test/encoded_modules/module_koi8_r.py",
  new TextDecoder("koi8-r").decode(readFileSync("/root/.pyenv/versions/3.11.7/lib/python3.11/test/encoded_modules/module_koi8_r.py")));
add("encoded-iso-8859-1", "cpython test/encoded_modules/module_iso_8859_1.py",
  new TextDecoder("iso-8859-1").decode(readFileSync("/root/.pyenv/versions/3.11.7/lib/python3.11/test/encoded_modules/module_iso_8859_1.py")));

// 7. glibc locale data: month and day names, messages in many scripts (Arabic, Greek, Hebrew, Thai, Georgian, ...).
const decodeLocale = (s) => s.replace(/<U([0-9A-Fa-f]{4,6})>/g, (_, h) => String.fromCodePoint(parseInt(h, 16)));
for (const loc of ["ar_SA", "fa_IR", "he_IL", "el_GR", "hi_IN", "bn_IN", "ta_IN", "th_TH", "ka_GE", "hy_AM", "am_ET", "ru_RU", "uk_UA", "zh_CN", "ja_JP", "ko_KR", "vi_VN", "tr_TR", "ur_PK", "my_MM", "km_KH", "si_LK"]) {
  const p = `/usr/share/i18n/locales/${loc}`;
  if (!existsSync(p)) continue;
  const raw = decodeLocale(readFileSync(p, "utf8"));
  const strings = [...raw.matchAll(/"([^"\n]*)"/g)].map((m) => m[1]).filter((s) => /[^\x00-\x7F]/.test(s));
  add(`locale-${loc}`, p, clip(strings.join(" ").replace(/%[a-zA-Z]/g, ""), 1200));
}

// 8. npm's relative-date translations (Persian, Nepali, German, Spanish, Danish).
const trDir = "/usr/lib/node_modules/npm/node_modules/tiny-relative-date/translations";
for (const f of sorted(trDir)) add(`reldate-${f}`, `${trDir}/${f}`, readFileSync(`${trDir}/${f}`, "utf8"));

// 9. Source code.
for (const p of [
  "/root/.pyenv/versions/3.11.7/lib/python3.11/textwrap.py",
  "/root/.pyenv/versions/3.11.7/lib/python3.11/json/encoder.py",
  "/root/.pyenv/versions/3.11.7/lib/python3.11/base64.py",
  "/usr/lib/node_modules/npm/lib/cli.js",
  "/usr/include/stdio.h",
]) {
  if (existsSync(p)) add(`code-${p.split("/").pop()}`, p, clip(readFileSync(p, "utf8"), 2500));
}

// 10. Edge cases (hand-written).
const edge = [
  "hello<|endoftext|>world",
  "<|endoftext|>",
  "Text with <|endoftext|> in the middle and <|fim_prefix|><|fim_middle|><|fim_suffix|> and <|endofprompt|>.",
  "a\n  ",
  "trailing spaces   ",
  "   leading spaces",
  "tabs\t\tand\t \tmixed  \t whitespace\n\n\n\r\n\r\n  \n end",
  "\n\n\n",
  " ",
  "x",
  ".",
  "1234567890 12 123 1234 12345 3.14159 -42 1e10 0x1F 1,000,000",
  "٣٤٥ ١٢٣٤ ٠١٢٣٤٥٦٧٨٩ 五六七 ⅠⅡⅢⅣ ½¾ ²³ ①②③",
  "I'm you're he's we've they'll I'd can't DON'T I'LL WE'RE YOU'VE 'S 'T 'RE 'sa 'tab x'ſ x'ſt",
  "Ünïcödé ÀÉÎÕÜ çà et là, naïve café, São Paulo, Zürich, Øresund, Łódź, Dvořák, İstanbul ığdır",
  "e\u0301 a\u0308 n\u0303 \u0301 x\u0301\u0302y Z\u0351\u0352\u0353a\u0354",
  "😀😃😄 👍🏽 👨‍👩‍👧‍👦 🇩🇪🇯🇵 ❤️ 🤖 text🚀text 🎉🎉🎉",
  "𝐀𝐁𝐂 𝒶𝒷𝒸 𠀀𠀁𠀂 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𐍈𐌰𐌹",
  "CamelCaseIdentifier getHTTPResponseCode XMLHttpRequest iPhone McDONALD's ΑθήναΑΘΗΝΑ",
  "def f(x):\n    return x ** 2  # square\n\nclass A:\n\tpass\n",
  "for (int i = 0; i < n; i++) { sum += a[i]; } // C\n#include <stdio.h>\n",
  "{\"key\": [1, 2, 3], \"nested\": {\"a\": null, \"b\": true}}",
  "https://example.com/path/to/file?query=1&x=y#frag  /usr/local/bin//  C:\\Windows\\System32\\",
  "----------====================**********__________..........!!!!!!!!",
  "                                                                    ",
  "\u00a0non\u00a0breaking\u2003em\u3000ideographic\u2028line\u2029para\u0085nel\u000bvt\u000cff",
  "Zero\u200bwidth\u200cjoiner\u200dthings\ufeffBOM",
  "lone surrogate \ud800 here and \udc00 there",
  "Ǆǅǆ ǈǉ ǋǌ ǲǳ ᾈᾉ ᾼ",
  "ʰʱʲ ˡˢˣ ᴬᴮᴰ ー々〆 ｱｲｳｴｵ ＡＢＣ ａｂｃ",
  "Ꭰ Ꭱ Ꭲ ꭰ ꭱ ა ბ გ Ა Ბ",
  "क्षत्रिय हिन्दी भाषा বাংলা ভাষা தமிழ் ภาษาไทย ພາສາລາວ",
  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
  "Pneumonoultramicroscopicsilicovolcanoconiosis Supercalifragilisticexpialidocious Donaudampfschifffahrtsgesellschaftskapitän",
  "ACGTTGCAACGTACGATCGATCGATCGTAGCTAGCTAGCTGATCGATCGTAGCTAGCTAGCTAGCTAGCATCGATCGATCGTAGCTAGCTAGCTAGCTAGCTAGCTAGCTAGCATGCATGCATCGATCGATCGATCGTAGCTAGCTAGCTAGCTAGCATGCATGCATGCATCGATGCATGCATCGATCGATCGTAGCTAGCATGCATGCATCGAT",
  "\r\n\r\nWindows\r\nline\r\nendings\r\n",
  "a / b // c /// d\n/\n//\n",
  "''' \"\"\" ``` ~~~ ...!? ?! ¿¡ «» „“ ‹› 「」 『』 【】",
];
edge.forEach((text, i) => add(`edge-${String(i).padStart(2, "0")}`, "hand-written edge case", text));

// 11. Seeded random strings over a mixed alphabet: they stress the pre-tokenizer state machine.
let seed = 0x2545f491;
const rand = () => {
  seed ^= seed << 13; seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5; seed >>>= 0;
  return seed / 4294967296;
};
const alphabet = [..."aZ'sStTdDmMlLrReEvV ", " ", " ", "\t", "\n", "\r", "1", "٣", "½", "!", "/", ".", "-", "é", "É", "ß", "ſ", "ǅ", "ʰ", "々", "中", "ア", "한", "ж", "Ж", "\u0301", "\u0903", "😀", "👍🏽", "𝐀", "𠀀", "\u00a0", "\u3000", "\u2028", "\u0085", "\u200d", "\ufffd", "<|endoftext|>", "'ll", "'VE", " '", "''"];
for (let d = 0; d < 40; d++) {
  let s = "";
  const len = 20 + Math.floor(rand() * 200);
  for (let i = 0; i < len; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
  add(`fuzz-${String(d).padStart(2, "0")}`, "seeded xorshift32 over a mixed alphabet (build-corpus.mjs)", s);
}

for (const d of docs) process.stdout.write(JSON.stringify(d) + "\n");
process.stderr.write(`${docs.length} documents, ${docs.reduce((a, d) => a + d.text.length, 0)} chars\n`);
