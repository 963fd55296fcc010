#!/usr/bin/python3
"""Writes the Qwen3 tokenizer.json without its vocabulary and merges (11 MB -> a few KB).

Tests put model.vocab (from vocab.json) and model.merges (from merges.txt) back in and so
load a tokenizer.json equal to the real one; this script checks that claim first.

usage: make_qwen_skeleton.py SHARED_DATA OUT_DIR
"""
import json
import os
import sys


def main():
    data, out = sys.argv[1:3]
    with open(os.path.join(data, "qwen/tokenizer.json"), encoding="utf-8") as f:
        tj = json.load(f)
    with open(os.path.join(data, "qwen/vocab.json"), encoding="utf-8") as f:
        vocab = json.load(f)
    with open(os.path.join(data, "qwen/merges.txt"), encoding="utf-8") as f:
        merges = [l.rstrip("\n").split(" ") for l in f if l.strip() and not l.startswith("#version")]
    assert tj["model"]["vocab"] == vocab, "vocab.json differs from tokenizer.json"
    assert [list(m) for m in tj["model"]["merges"]] == merges, "merges.txt differs from tokenizer.json"
    tj["model"]["vocab"] = {}
    tj["model"]["merges"] = []
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "tokenizer.skeleton.json"), "w", encoding="utf-8") as f:
        json.dump(tj, f, ensure_ascii=False, indent=1)
        f.write("\n")
    with open(os.path.join(data, "qwen/tokenizer_config.qwen3.json"), encoding="utf-8") as src, \
            open(os.path.join(out, "tokenizer_config.json"), "w", encoding="utf-8") as dst:
        dst.write(src.read())


if __name__ == "__main__":
    main()
