#!/usr/bin/env python3
"""Writes the query inputs for the fastText golden outputs, byte-exact (binary mode).

  predict.txt          >= 1,200 lines for predict / predict-prob: edge cases, then test.txt lines with
                       labels, then test.txt lines without labels, a ~20k-word line, more edge cases, and
                       a last line WITHOUT a trailing newline. The file starts with a UTF-8 BOM (fastText
                       does not strip it: it is part of the first word).
  predict-eof-ws.txt   two lines, the last one only whitespace and no trailing newline
  predict-eof-label.txt  one line "__label__a" without a trailing newline
  predict-eof-oov.txt  one unseen word without a trailing newline (no EOS -> no input ids when maxn=0)
  predict-empty.txt    0 bytes
  words.txt            >= 200 query words, one per line (frequent, rare, below minCount, unseen, unicode, label-like
                       tokens that are NOT labels of the models)
  words-labels.txt     "jury", a real label, "café": print-word-vectors aborts on a label of a supervised model
  sentences.txt        ~200 lines for print-sentence-vectors (test lines without labels + edge cases)
  nn-queries.txt       ~20 query words for `nn`
  analogies.txt        a few A B C triplets for `analogies`
  ngram-words.txt      words for print-ngrams (one per line; the script passes each as an argument)

Python 3 standard library only; deterministic.
"""
import argparse
import collections
import re
from pathlib import Path

SEP = re.compile(rb'[ \n\r\t\v\f\x00]+')
LABEL = b'__label__'


def tokens(line: bytes):
    return [t for t in SEP.split(line) if t]


def strip_labels(line: bytes) -> bytes:
    return b' '.join(t for t in tokens(line) if not t.startswith(LABEL))


def u(s: str) -> bytes:
    return s.encode('utf-8')


# Edge cases: (name, exact bytes of the line INCLUDING its line terminator).
EDGE_HEAD = [
    ('bom-first-line', u('\ufeffThe jury said Friday that the election was conducted fairly.\n')),
    ('accents', u('Café naïve résumé Zürich Ångström señor façade coöperate jalapeño crème brûlée.\n')),
    ('cjk-spaced', u('北京 是 中国 的 首都 。 東京 は 日本 の 首都 です\n')),
    ('cjk-unsegmented', u('東京都は日本の首都です。北京是中国的首都。서울은 한국의 수도입니다.\n')),
    ('arabic', u('مرحبا بالعالم هذه جملة عربية للاختبار\n')),
    ('hebrew-mixed', u('The word שלום means peace and مرحبا means hello.\n')),
    ('emoji', u('I love it 😀 so much 👍 really 🎉🎉 and 👍🏽 too\n')),
    ('emoji-zwj', u('family 👨\u200d👩\u200d👧\u200d👦 flag 🏳\ufe0f\u200d🌈 pirate 🏴\u200d☠\ufe0f technologist 👩🏽\u200d💻\n')),
    ('unseen-words', u('zxqvbnm blorptastic quuxification flibbertigibbetish wugs snarfle\n')),
    ('tabs', u('The\tjury\t\tsaid\tnothing\tabout\tthe\telection.\n')),
    ('vertical-tab', u('The\vjury\vsaid\vnothing.\n')),
    ('form-feed', u('The\fjury\fsaid\fnothing.\x0c\n')),
    ('crlf', u('The jury said nothing about the election.\r\n')),
    ('cr-inside', u('The jury\rsaid\r\rnothing.\n')),
    ('nbsp', u('The\u00a0jury said\u00a0nothing\u00a0about it.\n')),
    ('unicode-spaces', u('The\u2003jury\u3000said\u200bnothing\u2028about\u0085it\u2009.\n')),
    ('ascii-separators-1c-1f', u('The\x1cjury\x1dsaid\x1enothing\x1fabout it.\n')),
    ('multiple-spaces', u('The     jury   said  nothing      about   the election.\n')),
    ('leading-trailing-spaces', u('     The jury said nothing about the election.      \n')),
    ('empty', u('\n')),
    ('empty-2', u('\n')),
    ('spaces-only', u('     \n')),
    ('tab-only', u('\t\t\n')),
    ('mixed-whitespace-only', u(' \t \v \f \r \n')),
    ('cr-only', u('\r\n')),
    ('label-only', u('__label__a\n')),
    ('labels-only', u('__label__j __label__long\n')),
    ('label-unknown-only', u('__label__zzz\n')),
    ('label-prefix-only', u('__label__\n')),
    ('label-in-middle', u('The jury __label__j said __label__math nothing about the election.\n')),
    ('labels-then-text', u('__label__math __label__long Problem: A car travels at 11 km/h for 7 hours. How far does it go?\n')),
    ('label-suffix', u('The jury said__label__a nothing.\n')),
    ('eos-token', u('The jury </s> said nothing </s>\n')),
    ('eos-token-alone', u('</s>\n')),
    ('angle-brackets', u('<The> <jury> said <s> <> < > nothing.\n')),
    ('case-variants', u('THE the The tHe JURY jury Jury\n')),
    ('numbers', u('1,234.56 $93.60 20% 3/4 1/2 x 7 = 21 km/h 10:30 1961\n')),
    ('punctuation-only', u('. , ; : ? ! " \' ( ) -- ...\n')),
    ('single-char', u('a\n')),
    ('single-word', u('jury\n')),
    ('math-like', u('Problem: Grace paints 1/2 of the fence per hour; Farid paints 1/3. How long together?\n')),
    ('nul-inside', b'The jury\x00said\x00\x00nothing about it.\n'),
    ('nul-only', b'\x00\n'),
    ('invalid-utf8-ff', b'caf\xc3 \xff\xfe word \x80 jury\n'),
    ('invalid-utf8-mixed', b'\xc3\xa9t\xc3 \xe2\x82 \xc0\xaf \xed\xa0\x80 \xf0\x9f\x98 \x80\x80abc abc\x80\x80 the\xffjury\n'),
    ('long-word', u('Supercalifragilisticexpialidocious ' + 'a' * 2000 + ' ' + 'é' * 300 + ' jury\n')),
    ('repeated-word', u(' '.join(['jury'] * 200) + '\n')),
]

EDGE_TAIL = [
    ('empty-before-last', u('\n')),
    ('last-line-no-newline', u('The jury said it did find that many of Georgia\'s registration and election laws are outmoded')),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', required=True, help='folder with train.txt and test.txt; outputs go here too')
    a = ap.parse_args()
    d = Path(a.data)
    train = (d / 'train.txt').read_bytes().split(b'\n')[:-1]
    test = (d / 'test.txt').read_bytes().split(b'\n')[:-1]

    # ---- predict.txt
    lines = [b for _, b in EDGE_HEAD]
    lines += [t + b'\n' for t in test[0:600]]                  # with label tokens
    lines += [strip_labels(t) + b'\n' for t in test[300:900]]  # without (300..599 also appear above with labels)
    words = []
    for t in test[900:]:
        words.extend(tokens(strip_labels(t)))
        if len(words) >= 20000:
            break
    lines.append(b' '.join(words[:20000]) + b'\n')             # ~20k-word line
    lines += [b for _, b in EDGE_TAIL]
    (d / 'predict.txt').write_bytes(b''.join(lines))

    (d / 'predict-eof-ws.txt').write_bytes(b'The jury said nothing.\n \t ')
    (d / 'predict-eof-label.txt').write_bytes(b'__label__a')
    (d / 'predict-eof-oov.txt').write_bytes(b'zxqvbnm')
    (d / 'predict-empty.txt').write_bytes(b'')

    # ---- vocabulary statistics of train.txt (fastText tokenization, labels excluded)
    counts = collections.Counter()
    for t in train:
        counts.update(w for w in tokens(t) if not w.startswith(LABEL))
    by_freq = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))

    def band(lo, hi, n):
        sel = [w for w, c in by_freq if lo <= c <= hi]
        step = max(1, len(sel) // n)
        return sel[::step][:n]

    wl = []
    wl += [w for w, _ in by_freq[:60]]          # most frequent (in every model's vocabulary)
    wl += band(100, 999, 30)                    # common
    wl += band(20, 99, 40)                      # just above minCount (20, every model)
    wl += band(10, 19, 20)                      # just below minCount
    wl += band(2, 9, 20)                        # seen in training but well below minCount
    wl += band(1, 1, 10)                        # hapaxes
    wl += [u(w) for w in [
        'zxqvbnm', 'blorptastic', 'quuxification', 'jurys', 'elections', 'Juryman', 'unelectable',
        'café', 'naïve', 'Zürich', 'Ångström', 'crème', 'brûlée', '北京', '東京都は日本の首都です',
        'مرحبا', 'שלום', '😀', '👍🏽', '👨\u200d👩\u200d👧\u200d👦', 'a\u00a0b', '\ufeffThe',
        '__label__zzz', '__label__', '__label__ab', '</s>', '<s>', '<>',
        'a', 'I', '.', ',', '"', 'x', 'é', 'ab', 'abc', 'Supercalifragilisticexpialidocious', 'a' * 300,
    ]]
    wl += [b'caf\xc3', b'\xff\xfe', b'\x80abc', b'abc\x80', b'\xe2\x82', b'\xc0\xaf']
    seen, uniq = set(), []
    for w in wl:
        if w not in seen:
            seen.add(w)
            uniq.append(w)
    (d / 'words.txt').write_bytes(b''.join(w + b'\n' for w in uniq))
    (d / 'words-labels.txt').write_bytes(u('jury\n__label__a\ncafé\n'))

    # ---- sentences.txt: print-sentence-vectors input
    sent = [strip_labels(t) + b'\n' for t in test[1000:1170]]
    pick = ['accents', 'cjk-spaced', 'emoji-zwj', 'unseen-words', 'tabs', 'vertical-tab', 'crlf', 'cr-inside',
            'nbsp', 'ascii-separators-1c-1f', 'multiple-spaces', 'leading-trailing-spaces', 'empty', 'spaces-only',
            'mixed-whitespace-only', 'label-only', 'label-in-middle', 'labels-then-text', 'eos-token',
            'eos-token-alone', 'case-variants', 'numbers', 'single-word', 'nul-inside', 'invalid-utf8-ff',
            'invalid-utf8-mixed', 'long-word', 'math-like']
    edge = dict(EDGE_HEAD)
    sent = [edge[p] for p in pick[:14]] + sent + [edge[p] for p in pick[14:]]
    sent.append(u('The last sentence has no trailing newline'))
    (d / 'sentences.txt').write_bytes(b''.join(sent))

    # ---- nn / analogies / print-ngrams queries
    nnq = ['the', 'jury', 'election', 'said', 'government', 'money', 'house', 'water', 'God', 'Mr.',
           'percent', 'Problem:', 'Answer:', 'cookies', 'Friday', 'love', 'electionz', 'zxqvbnm', 'café', '😀', '北京']
    (d / 'nn-queries.txt').write_bytes(b''.join(u(w) + b'\n' for w in nnq))
    (d / 'analogies.txt').write_bytes(u('man woman he\nFriday Monday night\ngood better bad\nzxqv café jury\n'))
    (d / 'ngram-words.txt').write_bytes(u('jury\nelection\ncafé\n😀\n'))


if __name__ == '__main__':
    main()
