#!/usr/bin/python3
"""Where does q8_0 lose accuracy on a llama2.c checkpoint? Writes GGUF variants of it.

Each variant is an arch-"llama" GGUF (llama.cpp names, as `sprout quantize` writes
llama2.c checkpoints) in which a chosen set of 2-D weights is either
  * "rounded": stored as f32 holding exactly the values q8_0 would decode to
    (ggml's block_q8_0: f16 scale d = amax/127, int8 round-half-away(x/d)), so the
    engine multiplies them with f32 activations: the weight rounding alone; or
  * "q8_0": stored as genuine q8_0 blocks, so the engine also rounds the activations
    that meet them to q8_0 (engine/linear.cpp): weight + activation rounding.
Comparing the variants with `sprout perplexity --kl-base CHECKPOINT` splits the loss
between weight rounding, activation rounding and tensor groups (docs/performance.md).

Usage: /usr/bin/python3 tools/qwen_reference/q8_0_ablation.py CHECKPOINT.bin OUT_DIR
"""
import os
import struct
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fileformats import GgufWriter  # noqa: E402


def read_llama2c(path):
    """llama2.c legacy checkpoint -> (config dict, name -> float32 array with llama.cpp names)."""
    raw = open(path, "rb").read()
    dim, hidden, layers, heads, kv, vocab, seq = struct.unpack("<7i", raw[:28])
    shared = vocab > 0
    vocab = abs(vocab)
    f = np.frombuffer(raw[28:], dtype="<f4")
    pos = 0

    def take(*shape):
        nonlocal pos
        n = int(np.prod(shape))
        a = f[pos:pos + n].reshape(shape)
        pos += n
        return a

    hd = dim // heads
    W = {"token_embd.weight": take(vocab, dim)}
    att_norm = take(layers, dim)
    wq, wk = take(layers, dim, dim), take(layers, kv * hd, dim)
    wv, wo = take(layers, kv * hd, dim), take(layers, dim, dim)
    ffn_norm = take(layers, dim)
    w1, w2, w3 = take(layers, hidden, dim), take(layers, dim, hidden), take(layers, hidden, dim)
    for l in range(layers):
        b = "blk.%d." % l
        W[b + "attn_norm.weight"] = att_norm[l]
        W[b + "attn_q.weight"], W[b + "attn_k.weight"] = wq[l], wk[l]
        W[b + "attn_v.weight"], W[b + "attn_output.weight"] = wv[l], wo[l]
        W[b + "ffn_norm.weight"] = ffn_norm[l]
        W[b + "ffn_gate.weight"], W[b + "ffn_down.weight"], W[b + "ffn_up.weight"] = w1[l], w2[l], w3[l]
    W["output_norm.weight"] = take(dim)
    take(seq * hd)  # freq_cis (unused)
    if not shared:
        W["output.weight"] = take(vocab, dim)
    cfg = dict(dim=dim, hidden=hidden, layers=layers, heads=heads, kv=kv, vocab=vocab, seq=seq)
    return cfg, W


def q8_0_values(a):
    """The f32 values a row-major array decodes to after ggml q8_0 encoding."""
    x = np.asarray(a, dtype=np.float32).reshape(-1, 32)
    d = np.abs(x).max(axis=1, keepdims=True) / np.float32(127)
    inv = np.where(d > 0, np.float32(1) / np.where(d > 0, d, 1), 0).astype(np.float32)
    v = x * inv
    q = (np.sign(v) * np.floor(np.abs(v) + 0.5)).astype(np.float32)  # roundf: half away from zero
    return (q * d.astype(np.float16).astype(np.float32)).reshape(np.shape(a))


def write_variant(path, cfg, W, rounded, genuine):
    w = GgufWriter()
    w.add("general.architecture", "llama")
    w.add("llama.context_length", cfg["seq"])
    w.add("llama.embedding_length", cfg["dim"])
    w.add("llama.block_count", cfg["layers"])
    w.add("llama.feed_forward_length", cfg["hidden"])
    w.add("llama.attention.head_count", cfg["heads"])
    w.add("llama.attention.head_count_kv", cfg["kv"])
    w.add("llama.rope.dimension_count", cfg["dim"] // cfg["heads"])
    w.add("llama.rope.freq_base", 10000.0)
    w.add("llama.attention.layer_norm_rms_epsilon", 1e-5)
    w.add("llama.vocab_size", cfg["vocab"])
    w.add("tokenizer.ggml.bos_token_id", 1)
    w.add("tokenizer.ggml.eos_token_id", 2)
    for name, a in W.items():
        if a.ndim == 2 and a.shape[1] % 32:
            w.add_tensor(name, a, "f32")  # rows of 172 (ffn_down): no q8_0, as in `sprout quantize`'s fallback
        elif a.ndim == 2 and genuine(name):
            w.add_tensor(name, a, "q8_0")
        elif a.ndim == 2 and rounded(name):
            w.add_tensor(name, q8_0_values(a), "f32")
        else:
            w.add_tensor(name, a, "f32")
    w.write(path)


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    cfg, W = read_llama2c(sys.argv[1])
    out = sys.argv[2]
    os.makedirs(out, exist_ok=True)
    embed = lambda n: n == "token_embd.weight"       # noqa: E731  (tied: also the classifier)
    attn = lambda n: ".attn_" in n                    # noqa: E731
    ffn = lambda n: ".ffn_" in n                      # noqa: E731
    every = lambda n: True                            # noqa: E731
    none = lambda n: False                            # noqa: E731
    layers = lambda n: not embed(n)                   # noqa: E731
    variants = {
        "rounded_all": (every, none),
        "rounded_embed": (embed, none),
        "rounded_layers": (layers, none),
        "rounded_attn": (attn, none),
        "rounded_ffn": (ffn, none),
        "q8_all": (none, every),
        "q8_layers": (none, layers),
        "q8_embed": (none, embed),
    }
    for name, (rounded, genuine) in variants.items():
        write_variant(os.path.join(out, name + ".gguf"), cfg, W, rounded, genuine)
        print("wrote", os.path.join(out, name + ".gguf"))


if __name__ == "__main__":
    main()
