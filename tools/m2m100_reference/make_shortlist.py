#!/usr/bin/python3
"""Builds an output-vocabulary shortlist for `sprout translate --shortlist FILE`.

    # tokens seen in a target-language corpus (NLLB SentencePiece model):
    /usr/bin/python3 tools/m2m100_reference/make_shortlist.py \\
        --spm MODEL/sentencepiece.bpe.model --corpus yor.txt [--corpus more.txt] \\
        [--min-count 1] [--max-pieces 30000] -o MODEL/shortlist/yor_Latn.txt
    # from id lists (same format as the output; unions them), optionally with a corpus:
    /usr/bin/python3 tools/m2m100_reference/make_shortlist.py --ids a.txt --ids b.txt \\
        --vocab-size 256206 -o out.txt

Ids follow NllbTokenizer's arithmetic: <s> 0, <pad> 1, </s> 2, <unk> 3, a piece is its
SentencePiece id + 1 (SentencePiece's own <unk>, id 0, becomes 3), the language codes of
tools/m2m100_reference/nllb_lang_codes.json follow the pieces (code i = pieces + 1 + i) and
<mask> follows them. The output always holds <s>, <pad>, </s>, <unk>, every language code
and <mask> (with --spm; without it only the four specials are added), then the corpus
pieces (most frequent first when --max-pieces cuts) and the listed ids. Written sorted,
one id per line, after a '#' comment line.
"""
import argparse
import collections
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SPECIALS = (0, 1, 2, 3)  # <s> <pad> </s> <unk>


def read_ids(path, vocab=None):
    """An id list in the shortlist format: one id per line, '#' comments, blank lines."""
    out = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            s = line.strip()
            if not s or s.startswith("#"):
                continue
            if not s.isdigit():
                sys.exit(f"{path}: line {n}: expected one token id per line")
            v = int(s)
            if vocab is not None and v >= vocab:
                sys.exit(f"{path}: line {n}: token id {v} is outside the vocabulary (size {vocab})")
            out.append(v)
    return out


def nllb_piece_ids(sp, lines):
    """Counts of NLLB ids of the pieces of `lines`."""
    counts = collections.Counter()
    for line in lines:
        for i in sp.encode(line.rstrip("\n")):
            counts[i + 1 if i > 0 else 3] += 1
    return counts


def build(sp=None, lang_codes=(), corpus_lines=(), id_lists=(), min_count=1, max_pieces=None):
    """The shortlist as a sorted list of ids (see the module doc)."""
    ids = set(SPECIALS)
    if sp is not None:
        n = sp.get_piece_size()
        ids |= {n + 1 + i for i in range(len(lang_codes))}
        ids.add(n + 1 + len(lang_codes))  # <mask>
        counts = nllb_piece_ids(sp, corpus_lines)
        kept = [t for t, c in sorted(counts.items(), key=lambda x: (-x[1], x[0])) if c >= min_count]
        ids |= set(kept[:max_pieces] if max_pieces else kept)
    for lst in id_lists:
        ids |= set(lst)
    return sorted(ids)


def write(path, ids, note):
    d = os.path.dirname(path)
    if d:
        os.makedirs(d, exist_ok=True)
    with open(path, "w") as f:
        f.write(f"# sprout translate shortlist: {len(ids)} token ids; {note}\n")
        for t in ids:
            f.write(f"{t}\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--spm", help="the model's sentencepiece.bpe.model")
    ap.add_argument("--corpus", action="append", default=[], help="target-language text, one sentence per line")
    ap.add_argument("--ids", action="append", default=[], help="an id list to include")
    ap.add_argument("--langs", default=os.path.join(HERE, "nllb_lang_codes.json"), help="language codes in vocabulary order")
    ap.add_argument("--min-count", type=int, default=1, help="keep corpus pieces seen at least this often")
    ap.add_argument("--max-pieces", type=int, default=None, help="keep at most this many corpus pieces (most frequent)")
    ap.add_argument("--vocab-size", type=int, default=None, help="reject listed ids at or above this")
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args()
    if a.corpus and not a.spm:
        sys.exit("--corpus needs --spm")
    sp, codes, lines = None, [], []
    if a.spm:
        import sentencepiece as spm
        sp = spm.SentencePieceProcessor(model_file=a.spm)
        with open(a.langs) as f:
            codes = json.load(f)
        for c in a.corpus:
            with open(c, encoding="utf-8") as f:
                lines.extend(f)
    vocab = a.vocab_size
    if vocab is None and sp is not None:
        vocab = sp.get_piece_size() + len(codes) + 2
    lists = [read_ids(p, vocab) for p in a.ids]
    ids = build(sp, codes, lines, lists, a.min_count, a.max_pieces)
    if vocab is not None and ids[-1] >= vocab:
        sys.exit(f"{a.output}: token id {ids[-1]} is outside the vocabulary (size {vocab})")
    write(a.output, ids, f"{len(lines)} corpus lines, {len(a.ids)} id lists")
    print(f"{a.output}: {len(ids)} ids")


if __name__ == "__main__":
    main()
