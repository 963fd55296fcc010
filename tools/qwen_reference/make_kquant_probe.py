#!/usr/bin/python3
"""A random-weight Qwen2 whose rows are multiples of 256, to measure k-quants with `sprout perplexity`.

The trained models the repository ships (stories260K: rows of 64 and 172) and the tiny Qwen2
fixtures (64 and 96) have no row a 256-value k-quant block fits, so `sprout quantize --type q4_k`
falls back on them. This writes, with make_tiny_qwen2.py's seeded weights and config, a Qwen2 of
hidden 256, 4 layers, 4 heads (2 KV), FFN 768, vocabulary 1024, untied head, as an f32 Hugging Face
directory, plus 2048 seeded random ids (BOS first) to score. Random weights: the perplexity itself
means nothing; KL(f32 || quantized) and top-1 agreement measure each type's numeric error.

Usage: /usr/bin/python3 tools/qwen_reference/make_kquant_probe.py OUT_DIR   (writes OUT_DIR/model, OUT_DIR/ids.txt)
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_tiny_qwen2 import make_config, make_weights, save_hf  # noqa: E402


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    out = sys.argv[1]
    cfg = make_config("qwen2", 256, 4, 4, 2, 768, 1024, False, "f32")
    cfg["max_position_embeddings"] = 4096
    save_hf(os.path.join(out, "model"), cfg, make_weights(cfg, 77, "f32"), "f32")
    rng = np.random.default_rng(78)
    ids = [1] + [int(x) for x in rng.integers(3, cfg["vocab_size"], size=2047)]
    with open(os.path.join(out, "ids.txt"), "w") as f:
        f.write(" ".join(map(str, ids)) + "\n")
    print("wrote", os.path.join(out, "model"), "and ids.txt")


if __name__ == "__main__":
    main()
