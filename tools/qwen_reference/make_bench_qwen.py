#!/usr/bin/python3
"""A random-weight decoder at the exact Qwen1.5-1.8B shapes, as a GGUF for benchmarks.

hidden 2048, 24 layers, 16 heads (MHA), FFN 5504, vocab 151936, untied head, q/k/v
biases, rope_theta 1e6 - the tensor set and metadata llama.cpp's converter writes for
Qwen1.5-1.8B ("qwen2" architecture), so Sprout and llama.cpp can run the same file.
The Qwen BPE vocabulary (vocab.json + merges.txt, padded to 151936 with [PAD{i}] as the
converter does) is embedded so llama.cpp accepts the file.

2-D weights are stored as f16, q8_0 or q4_0 (every 2-D tensor, token_embd and output
included); norms and biases f32. Weights ~ N(0, 0.02), norms ~ 1, biases ~ N(0, 0.02).
Not committed: generate it where you benchmark, e.g.

  /usr/bin/python3 tools/qwen_reference/make_bench_qwen.py --type q8_0 \\
      --vocab-dir /path/with/vocab.json+merges.txt /tmp/qwen1.5-1.8b-shape-q8_0.gguf
"""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fileformats import GgufWriter, encode_tensor  # noqa: E402

HIDDEN, LAYERS, HEADS, FFN, VOCAB, CTX = 2048, 24, 16, 5504, 151936, 32768
BYTES_PER_ROW = {  # bytes per row of n values
    "f16": lambda n: 2 * n, "f32": lambda n: 4 * n,
    "q8_0": lambda n: n // 32 * 34, "q4_0": lambda n: n // 32 * 18,
}


def add_vocab(w, vocab_dir):
    vocab = json.load(open(os.path.join(vocab_dir, "vocab.json"), encoding="utf-8"))
    merges = [l.rstrip("\n") for l in open(os.path.join(vocab_dir, "merges.txt"), encoding="utf-8")
              if l.strip() and not l.startswith("#version")]
    tokens = [None] * VOCAB
    for tok, i in vocab.items():
        tokens[i] = tok
    specials = {151643: "<|endoftext|>", 151644: "<|im_start|>", 151645: "<|im_end|>"}
    types = [1] * VOCAB  # normal
    for i, s in specials.items():
        tokens[i] = s
        types[i] = 3  # control
    for i in range(VOCAB):
        if tokens[i] is None:
            tokens[i] = "[PAD%d]" % i
            types[i] = 4  # user defined (llama.cpp's converter pads this way)
    w.add("tokenizer.ggml.model", "gpt2")
    w.add("tokenizer.ggml.pre", "qwen2")
    w.add("tokenizer.ggml.tokens", tokens)
    w.add("tokenizer.ggml.token_type", [("i32", t) for t in types])
    w.add("tokenizer.ggml.merges", merges)
    w.add("tokenizer.ggml.eos_token_id", 151645)
    w.add("tokenizer.ggml.padding_token_id", 151643)
    w.add("tokenizer.ggml.bos_token_id", 151643)
    w.add("tokenizer.ggml.add_bos_token", False)
    w.add("tokenizer.chat_template",
          "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + "
          "'<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--type", choices=["f16", "q8_0", "q4_0"], default="f16")
    ap.add_argument("--vocab-dir", help="directory with Qwen vocab.json + merges.txt (embeds the tokenizer)")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    w = GgufWriter()
    w.add("general.architecture", "qwen2")
    w.add("general.name", "qwen1.5-1.8b-shape-random")
    w.add("general.file_type", {"f16": 1, "q8_0": 7, "q4_0": 2}[a.type])
    w.add("qwen2.context_length", CTX)
    w.add("qwen2.embedding_length", HIDDEN)
    w.add("qwen2.block_count", LAYERS)
    w.add("qwen2.feed_forward_length", FFN)
    w.add("qwen2.attention.head_count", HEADS)
    w.add("qwen2.attention.head_count_kv", HEADS)
    w.add("qwen2.rope.freq_base", 1000000.0)
    w.add("qwen2.attention.layer_norm_rms_epsilon", 1e-6)
    if a.vocab_dir:
        add_vocab(w, a.vocab_dir)

    def matrix(name, rows, cols):
        seed = int(rng.integers(1 << 31))

        def produce(rows=rows, cols=cols, seed=seed):
            g = np.random.default_rng(seed)
            parts = []
            for r0 in range(0, rows, 8192):  # bounded memory for the 151936-row tensors
                n = min(8192, rows - r0)
                x = g.standard_normal((n, cols), dtype=np.float32) * np.float32(0.02)
                parts.append(encode_tensor(x, a.type))
            return b"".join(parts)
        w.add_tensor_lazy(name, (rows, cols), a.type, rows * BYTES_PER_ROW[a.type](cols), produce)

    def vector(name, n, mean, std):
        w.add_tensor(name, (rng.standard_normal(n).astype(np.float32) * std + mean), "f32")

    matrix("token_embd.weight", VOCAB, HIDDEN)
    for l in range(LAYERS):
        b = "blk.%d." % l
        vector(b + "attn_norm.weight", HIDDEN, 1.0, 0.05)
        matrix(b + "attn_q.weight", HIDDEN, HIDDEN)
        vector(b + "attn_q.bias", HIDDEN, 0.0, 0.02)
        matrix(b + "attn_k.weight", HIDDEN, HIDDEN)
        vector(b + "attn_k.bias", HIDDEN, 0.0, 0.02)
        matrix(b + "attn_v.weight", HIDDEN, HIDDEN)
        vector(b + "attn_v.bias", HIDDEN, 0.0, 0.02)
        matrix(b + "attn_output.weight", HIDDEN, HIDDEN)
        vector(b + "ffn_norm.weight", HIDDEN, 1.0, 0.05)
        matrix(b + "ffn_gate.weight", FFN, HIDDEN)
        matrix(b + "ffn_up.weight", FFN, HIDDEN)
        matrix(b + "ffn_down.weight", HIDDEN, FFN)
    vector("output_norm.weight", HIDDEN, 1.0, 0.05)
    matrix("output.weight", VOCAB, HIDDEN)
    w.write(a.out)
    print("wrote %s (%.1f MB)" % (a.out, os.path.getsize(a.out) / 1e6))


if __name__ == "__main__":
    main()
