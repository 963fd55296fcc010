#!/usr/bin/python3
"""A paraphrase-multilingual-MiniLM-L12-v2-shaped BERT (hidden 384, 12 layers, 12 heads, FFN 1536,
vocab 250037, 512 positions) with seeded random weights as a llama.cpp `bert` GGUF (f32), for
comparing `sprout embed` with llama.cpp's llama-embedding on one file. Never committed.

The vocabulary is the WordPiece vocabulary of tests/data/bert/tiny-wp padded with filler pieces
to 250037 entries; the sentence files hold 256 lines each of whole-vocabulary words, so every
line is exactly 16 (or 64) tokens with [CLS] and [SEP], for both tokenizers. The ids files are
the same sentences as token ids (for `sprout embed --ids`).

Usage: /usr/bin/python3 tools/bert_reference/make_bench_model.py OUT_DIR
"""
import os
import re
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_tiny_bert import REPO, llama_cpp_bert_gguf  # noqa: E402
from reference_tokenizers import WordPiece  # noqa: E402

CFG = {"hidden_size": 384, "intermediate_size": 1536, "num_attention_heads": 12, "num_hidden_layers": 12,
       "max_position_embeddings": 512, "type_vocab_size": 2, "vocab_size": 250037, "layer_norm_eps": 1e-12}


def weights(seed):
    rng = np.random.default_rng(seed)
    H, I = CFG["hidden_size"], CFG["intermediate_size"]

    def rn(*shape, std, mean=0.0):
        return torch.from_numpy((rng.standard_normal(shape, dtype=np.float32) * std + mean).astype(np.float32))

    sd = {"embeddings.word_embeddings.weight": rn(CFG["vocab_size"], H, std=0.5),
          "embeddings.position_embeddings.weight": rn(CFG["max_position_embeddings"], H, std=0.3),
          "embeddings.token_type_embeddings.weight": rn(CFG["type_vocab_size"], H, std=0.3),
          "embeddings.LayerNorm.weight": rn(H, std=0.2, mean=1.0), "embeddings.LayerNorm.bias": rn(H, std=0.1)}
    w = 1.5 / H ** 0.5
    for l in range(CFG["num_hidden_layers"]):
        p = f"encoder.layer.{l}."
        for n in ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"):
            sd[p + n + ".weight"] = rn(H, H, std=w)
            sd[p + n + ".bias"] = rn(H, std=0.1)
        sd[p + "intermediate.dense.weight"] = rn(I, H, std=w)
        sd[p + "intermediate.dense.bias"] = rn(I, std=0.1)
        sd[p + "output.dense.weight"] = rn(H, I, std=1.5 / I ** 0.5)
        sd[p + "output.dense.bias"] = rn(H, std=0.1)
        for n in ("attention.output.LayerNorm", "output.LayerNorm"):
            sd[p + n + ".weight"] = rn(H, std=0.2, mean=1.0)
            sd[p + n + ".bias"] = rn(H, std=0.1)
    return sd


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    vocab = open(os.path.join(REPO, "tests/data/bert/tiny-wp/vocab.txt"), encoding="utf-8").read().split("\n")[:-1]
    filler = [f"zq{i:06d}x" for i in range(CFG["vocab_size"] - len(vocab))]
    full = vocab + filler
    llama_cpp_bert_gguf(os.path.join(out, "minilm-l12-bench.gguf"), weights(7), CFG, full, 1, "minilm-l12-bench")

    words = [t for t in vocab[1996:] if re.fullmatch(r"[a-z]{2,}", t)]
    wp = WordPiece(full, do_lower_case=True)
    rng = np.random.default_rng(1)
    for n in (16, 64):
        lines = [" ".join(rng.choice(words, n - 2)) for _ in range(256)]
        ids = [wp.encode(s) for s in lines]
        assert all(len(x) == n for x in ids)
        open(os.path.join(out, f"sentences{n}.txt"), "w").write("\n".join(lines) + "\n")
        open(os.path.join(out, f"ids{n}.txt"), "w").write("\n".join(" ".join(map(str, x)) for x in ids) + "\n")
    print("wrote", out)


if __name__ == "__main__":
    main()
