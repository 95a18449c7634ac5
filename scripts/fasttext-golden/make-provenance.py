#!/usr/bin/env python3
"""Writes tests/data/fasttext/PROVENANCE.md from PROVENANCE.template.md plus generated sections:
tool versions, corpus statistics, model table (header fields parsed from the .bin/.ftz files),
`fasttext test` results, skipped outputs, non-zero exit codes, and the sha256 of every committed file.
Python 3 standard library only. Called by make-golden.sh.
"""
import argparse
import collections
import hashlib
import re
import struct
import subprocess
from pathlib import Path

LOSS = {1: 'hs', 2: 'ns', 3: 'softmax', 4: 'ova'}
MODEL = {1: 'cbow', 2: 'sg', 3: 'sup'}
SEP = re.compile(rb'[ \n\r\t\v\f\x00]+')


def sha256(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def dpkg_version(pkg: str) -> str:
    try:
        out = subprocess.run(['dpkg-query', '-W', '-f=${Version}', pkg], capture_output=True, check=True).stdout
        return out.decode().strip()
    except (OSError, subprocess.CalledProcessError):
        return '(not installed / unknown)'


class Reader:
    def __init__(self, data: bytes):
        self.d, self.p = data, 0

    def take(self, fmt: str):
        v = struct.unpack_from('<' + fmt, self.d, self.p)
        self.p += struct.calcsize('<' + fmt)
        return v if len(v) > 1 else v[0]

    def skip(self, n: int):
        self.p += n

    def cstr(self) -> bytes:
        e = self.d.index(b'\0', self.p)
        s = self.d[self.p:e]
        self.p = e + 1
        return s


def read_pq(r: Reader):
    dim, nsubq, dsub, lastdsub = r.take('4i')
    r.skip(dim * 256 * 4)
    return dim, nsubq, dsub, lastdsub


def model_info(path: Path) -> dict:
    """Parses the fastText .bin/.ftz header, dictionary and matrix headers (version 12 layout)."""
    r = Reader(path.read_bytes())
    magic, version = r.take('2i')
    a = r.take('12i')
    t = r.take('d')
    info = dict(magic=magic, version=version, dim=a[0], ws=a[1], epoch=a[2], minCount=a[3], neg=a[4],
                wordNgrams=a[5], loss=LOSS.get(a[6], a[6]), model=MODEL.get(a[7], a[7]), bucket=a[8],
                minn=a[9], maxn=a[10], lrUpdateRate=a[11], t=t)
    size, nwords, nlabels = r.take('3i')
    ntokens, pruneidx_size = r.take('2q')
    for _ in range(size):
        r.cstr()
        r.take('q')
        r.take('b')
    r.skip(max(pruneidx_size, 0) * 8)
    info.update(size=size, nwords=nwords, nlabels=nlabels, ntokens=ntokens, pruneidx_size=pruneidx_size)
    quant_input = r.take('?')
    info['quant_input'] = quant_input
    if quant_input:
        qnorm = r.take('?')
        m, n = r.take('2q')
        codesize = r.take('i')
        r.skip(codesize)
        pq = read_pq(r)
        if qnorm:
            r.skip(m)
            read_pq(r)
        info.update(in_rows=m, in_cols=n, qnorm=qnorm, pq=f'nsubq={pq[1]} dsub={pq[2]} lastdsub={pq[3]}')
    else:
        m, n = r.take('2q')
        r.skip(m * n * 4)
        info.update(in_rows=m, in_cols=n)
    qout = r.take('?')
    info['qout'] = qout
    if qout:
        oqnorm = r.take('?')
        m, n = r.take('2q')
        codesize = r.take('i')
        r.skip(codesize)
        pq = read_pq(r)
        if oqnorm:
            r.skip(m)
            read_pq(r)
        info.update(out_rows=m, out_cols=n, out_pq=f'nsubq={pq[1]} dsub={pq[2]} lastdsub={pq[3]}')
    else:
        m, n = r.take('2q')
        r.skip(m * n * 4)
        info.update(out_rows=m, out_cols=n)
    info['trailing_bytes'] = len(r.d) - r.p
    return info


def corpus_stats(path: Path):
    lines = path.read_bytes().split(b'\n')[:-1]
    labels = collections.Counter()
    words = 0
    two = 0
    for line in lines:
        toks = [t for t in SEP.split(line) if t]
        ls = [t for t in toks if t.startswith(b'__label__')]
        labels.update(x.decode() for x in ls)
        words += len(toks) - len(ls)
        two += len(ls) >= 2
    return len(lines), words, labels, two


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True)
    ap.add_argument('--corpus', required=True)
    ap.add_argument('--template', required=True)
    ap.add_argument('--corpus-stats', required=True)
    ap.add_argument('--skipped', required=True)
    ap.add_argument('--fasttext', required=True)
    a = ap.parse_args()
    out, corpus = Path(a.out), Path(a.corpus)

    # --- tool
    ft = Path(a.fasttext).resolve()
    lib = Path('/usr/lib/x86_64-linux-gnu/libfasttext.so.0')
    tool = [
        f'- `fasttext` Debian package version: `{dpkg_version("fasttext")}` '
        f'(libfasttext0 `{dpkg_version("libfasttext0:amd64")}`, libstdc++6 `{dpkg_version("libstdc++6:amd64")}`); '
        'upstream facebookresearch/fastText v0.9.2. The CLI has no `--version` option.',
        f'- Binary: `{ft}` sha256 `{sha256(ft)}`',
    ]
    if lib.exists():
        tool.append(f'- Library: `{lib}` → `{lib.resolve().name}` sha256 `{sha256(lib.resolve())}`')

    # --- corpus
    cs = []
    doc_line = Path(a.corpus_stats).read_text().strip()
    cs.append(f'- {doc_line}.')
    label_tables = {}
    for name in ('train.txt', 'test.txt', 'train-plain.txt', 'train-docid.txt'):
        n, w, labels, two = corpus_stats(corpus / name)
        p = corpus / name
        committed = ' (committed as inputs/test.txt)' if name == 'test.txt' else ' (not committed)'
        cs.append(f'- `{name}`{committed}: {n} lines, {w} words (label tokens excluded), {len(labels)} distinct labels, '
                  f'{two} lines with 2 labels, {p.stat().st_size} bytes, sha256 `{sha256(p)}`.')
        if name in ('train.txt', 'test.txt'):
            label_tables[name] = labels
    all_labels = sorted(set(label_tables['train.txt']) | set(label_tables['test.txt']))
    cs.append('')
    cs.append('| label | train lines | test lines |')
    cs.append('|---|---:|---:|')
    for lab in all_labels:
        cs.append(f'| `{lab}` | {label_tables["train.txt"][lab]} | {label_tables["test.txt"][lab]} |')

    # --- inputs
    inp = ['| file | bytes | newline count |', '|---|---:|---:|']
    for p in sorted((out / 'inputs').iterdir()):
        d = p.read_bytes()
        nl = d.count(b'\n')
        inp.append(f'| `inputs/{p.name}` | {len(d)} | {nl} |')

    # --- models
    cmds = {}
    for line in (out / 'models' / 'models.tsv').read_text().splitlines()[1:]:
        k, v = line.split('\t', 1)
        cmds[k] = v
    mt = ['| model | bytes | loss / model | dim | minCount | wordNgrams | minn-maxn | bucket | nwords | nlabels | ntokens | '
          'pruneidx_size | input matrix | output matrix | P@1 / R@1 on test.txt |',
          '|---|---:|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---|---|---|']
    for p in sorted((out / 'models').glob('*.*')):
        if p.suffix not in ('.bin', '.ftz'):
            continue
        i = model_info(p)
        assert i['magic'] == 793712314 and i['trailing_bytes'] == 0, (p, i)
        inm = f'{i["in_rows"]}×{i["in_cols"]}'
        if i['quant_input']:
            inm += f' quantized (qnorm={str(i["qnorm"]).lower()}, {i["pq"]})'
        outm = f'{i["out_rows"]}×{i["out_cols"]}'
        if i['qout']:
            outm += f' quantized ({i["out_pq"]})'
        test = out / 'golden' / f'{p.stem}.test.k1.txt'
        pr = '—'
        if test.exists() and i['nlabels'] > 0:
            vals = dict(l.split('\t') for l in test.read_text().splitlines())
            pr = f'{vals.get("P@1")} / {vals.get("R@1")}'
        mt.append(f'| `{p.name}` | {p.stat().st_size} | {i["loss"]} / {i["model"]} | {i["dim"]} | {i["minCount"]} | '
                  f'{i["wordNgrams"]} | {i["minn"]}-{i["maxn"]} | {i["bucket"]} | {i["nwords"]} | {i["nlabels"]} | '
                  f'{i["ntokens"]} | {i["pruneidx_size"]} | {inm} | {outm} | {pr} |')
    mt.append('')
    mt.append('Exact commands (`models/models.tsv`; run in the folder where make-corpus.py wrote train.txt, '
              'train-plain.txt and train-docid.txt):')
    mt.append('')
    mt.append('```')
    for k, v in cmds.items():
        mt.append(v)
    mt.append('```')

    # --- non-zero exit codes, stdin check
    rows = [l.split('\t') for l in (out / 'golden' / 'index.tsv').read_text().splitlines()[1:]]
    nz = [f'- `{r[2]}` (stdin `{r[3]}`): exit {r[4]}' + (f', stderr in `{r[5]}`' if r[5] else '')
          for r in rows if r[4] != '0']
    nz += [f'- `{r[2]}`: exit 0, stdout empty, stderr in `{r[5]}`' for r in rows if r[4] == '0' and r[5]]
    stdin = []
    for a_, b_ in (('sup-softmax.predict-prob.k2.stdin.txt', 'sup-softmax.predict-prob.k2.txt'),):
        same = (out / 'golden' / a_).read_bytes() == (out / 'golden' / b_).read_bytes()
        stdin.append(f'- `golden/{a_}` (`predict-prob … - 2 < inputs/predict.txt`) is '
                     f'{"byte-identical" if same else "DIFFERENT"} to `golden/{b_}`.')
    k1 = (out / 'golden' / 'sup-char.predict.k1.stdin.txt').read_bytes().split(b'\n')
    k2 = (out / 'golden' / 'sup-char.predict.k2.txt').read_bytes().split(b'\n')
    same = [x.split(b' ')[0] for x in k2] == k1
    stdin.append(f'- `golden/sup-char.predict.k1.stdin.txt` (stdin, k=1) equals the first label of each line of '
                 f'`golden/sup-char.predict.k2.txt` (file, k=2): {"yes" if same else "NO"}.')

    skipped = Path(a.skipped).read_text().rstrip() or '- (none)'

    # --- sha256 of every committed file (except PROVENANCE.md itself)
    entries, total = [], 0
    for p in sorted(x for x in out.rglob('*') if x.is_file() and x.name != 'PROVENANCE.md'):
        total += p.stat().st_size
        entries.append(f'| `{p.relative_to(out).as_posix()}` | {p.stat().st_size} | `{sha256(p)}` |')
    sh = [f'{len(entries)} files, {total} bytes in all (PROVENANCE.md excluded).', '',
          '| file | bytes | sha256 |', '|---|---:|---|'] + entries

    text = Path(a.template).read_text()
    for key, val in (('TOOL', tool), ('CORPUS', cs), ('INPUTS', inp), ('MODELS', mt), ('NONZERO', nz),
                     ('STDIN', stdin), ('SKIPPED', [skipped]), ('SHA256', sh)):
        text = text.replace('{{' + key + '}}', '\n'.join(val))
    assert '{{' not in text, 'unfilled placeholder'
    (out / 'PROVENANCE.md').write_text(text)


if __name__ == '__main__':
    main()
