#!/usr/bin/python3
"""Writes small GGUF vocabularies (gpt2 BPE, llama SentencePiece, bert WordPiece) as seeds for
loaders/fuzz/fuzz_tokenizer_gguf.cpp, in GGUF v3 byte for byte (little-endian).

usage: make_fuzz_seeds.py OUT_DIR"""
import os
import struct
import sys

STRING, ARRAY, U32, I32, F32, BOOL = 8, 9, 4, 5, 6, 7


def s(x):
    b = x.encode("utf-8")
    return struct.pack("<Q", len(b)) + b


def kv(key, typ, payload):
    return s(key) + struct.pack("<I", typ) + payload


def arr(elem, items):
    if elem == STRING:
        body = b"".join(s(i) for i in items)
    else:
        fmt = {I32: "<i", F32: "<f", U32: "<I"}[elem]
        body = b"".join(struct.pack(fmt, i) for i in items)
    return struct.pack("<IQ", elem, len(items)) + body


def gguf(kvs):
    return b"GGUF" + struct.pack("<IQQ", 3, 0, len(kvs)) + b"".join(kvs)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    alphabet = [chr(c) for c in range(33, 127)]
    bpe_tokens = alphabet + ["Ġ", "He", "ll", "Hell", "Hello", "<|im_start|>"]
    types = [1] * (len(bpe_tokens) - 1) + [3]
    with open(os.path.join(out, "gpt2.gguf"), "wb") as f:
        f.write(gguf([kv("tokenizer.ggml.model", STRING, s("gpt2")), kv("tokenizer.ggml.pre", STRING, s("qwen2")),
                      kv("tokenizer.ggml.tokens", ARRAY, arr(STRING, bpe_tokens)),
                      kv("tokenizer.ggml.token_type", ARRAY, arr(I32, types)),
                      kv("tokenizer.ggml.merges", ARRAY, arr(STRING, ["H e", "l l", "He ll", "Hell o"])),
                      kv("tokenizer.ggml.eos_token_id", U32, struct.pack("<I", len(bpe_tokens) - 1))]))
    spm_tokens = ["<unk>", "<s>", "</s>"] + ["<0x%02X>" % b for b in range(256)] + ["▁", "▁H", "ello", "▁Hello"]
    spm_types = [2, 3, 3] + [6] * 256 + [1] * 4
    with open(os.path.join(out, "llama.gguf"), "wb") as f:
        f.write(gguf([kv("tokenizer.ggml.model", STRING, s("llama")),
                      kv("tokenizer.ggml.tokens", ARRAY, arr(STRING, spm_tokens)),
                      kv("tokenizer.ggml.scores", ARRAY, arr(F32, [0.0] * 259 + [-1.0, -2.0, -3.0, -4.0])),
                      kv("tokenizer.ggml.token_type", ARRAY, arr(I32, spm_types)),
                      kv("tokenizer.ggml.bos_token_id", U32, struct.pack("<I", 1))]))
    wp_tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "▁hello", "▁world", "▁wor", "ld", "!"]
    with open(os.path.join(out, "bert.gguf"), "wb") as f:
        f.write(gguf([kv("tokenizer.ggml.model", STRING, s("bert")),
                      kv("tokenizer.ggml.tokens", ARRAY, arr(STRING, wp_tokens)),
                      kv("tokenizer.ggml.token_type", ARRAY, arr(I32, [3, 3, 3, 3, 3, 1, 1, 1, 1, 1]))]))


if __name__ == "__main__":
    main()
