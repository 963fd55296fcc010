#!/usr/bin/python3
"""Tiny BERT encoders with seeded random weights, saved exactly as Hugging Face and
sentence-transformers publish them, plus golden outputs from a reference forward pass.

The forward pass below follows transformers' modeling_bert.BertModel (absolute learned
positions, token types, post-LayerNorm blocks, GELU(erf), additive padding mask) and
sentence-transformers' Pooling/Normalize modules. It runs in float64 on the float32
weights that are saved, so the goldens are the exact answer for those weights.

Writes under tests/data/bert/ (run from the repo root or pass --out):
  tiny-wp/           WordPiece (cut-down bert-base-uncased vocab), tensors named "bert.…",
                     mean pooling, sentence-transformers layout (modules.json, 1_Pooling,
                     sentence_bert_config.json with max_seq_length), embeddings.position_ids.
  tiny-wp-noprefix/  the same weights without the "bert." prefix plus a pooler (as
                     BertModel.save_pretrained writes it), CLS pooling, no tokenizer files.
  tiny-xlmr/         XLM-R conventions: SentencePiece BPE model trained here
                     (sentencepiece.bpe.model) with the fairseq id offset, <s> … </s>,
                     pad id 1, max pooling.
  tiny-wp.gguf       the same weights as a llama.cpp `bert` GGUF (f32, mean pooling).
  golden/<name>.json ids, per-sentence last hidden states, pooled (mean, cls, max) and
                     L2-normalised embeddings; the batch is run padded.

Usage: /usr/bin/python3 tools/bert_reference/make_tiny_bert.py [--out tests/data/bert]
"""
import argparse
import json
import os
import re
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import safetensors_io  # noqa: E402
from reference_tokenizers import WordPiece, XlmrSentencePiece, train_tiny_spm  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
REAL_VOCAB = "/work/shared/data/bert/all-MiniLM-L6-v2/vocab.txt"


def write_safetensors(path, tensors):
    """tensors: dict name -> numpy array (float32 / float16 / int64), sorted, as HF writes them."""
    safetensors_io.write_safetensors(path, tensors, {"format": "pt"})


# ---------------------------------------------------------------- GGUF writer (v3)
GGUF_SCALAR = {bool: (7, "?"), int: (4, "I"), float: (6, "f")}  # bool, uint32, float32


def _gguf_str(s):
    b = s.encode("utf-8")
    return struct.pack("<Q", len(b)) + b


def _gguf_value(v):
    if isinstance(v, str):
        return struct.pack("<I", 8) + _gguf_str(v)
    if isinstance(v, list):
        if isinstance(v[0], str):
            return struct.pack("<IIQ", 9, 8, len(v)) + b"".join(_gguf_str(x) for x in v)
        return struct.pack("<IIQ", 9, 5, len(v)) + struct.pack("<%di" % len(v), *v)  # int32 array
    t, f = GGUF_SCALAR[type(v)]
    return struct.pack("<I", t) + struct.pack("<" + f, v)


def write_gguf(path, kv, tensors, alignment=32):
    """GGUF v3: header, metadata, tensor infos (dims innermost first, type F32=0), aligned data."""
    out = bytearray(b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(kv)))
    for k, v in kv.items():
        out += _gguf_str(k) + _gguf_value(v)
    off, blobs = 0, []
    for name, a in tensors.items():
        a = np.ascontiguousarray(a, dtype=np.float32)
        out += _gguf_str(name) + struct.pack("<I", a.ndim) + struct.pack("<%dQ" % a.ndim, *a.shape[::-1])
        out += struct.pack("<IQ", 0, off)
        blobs.append(a.tobytes())
        off += len(blobs[-1]) + (-len(blobs[-1]) % alignment)
    out += b"\0" * (-len(out) % alignment)
    for b in blobs:
        out += b + b"\0" * (-len(b) % alignment)
    open(path, "wb").write(out)


def llama_cpp_bert_gguf(path, sd, cfg, vocab, pooling_type, name):
    """A llama.cpp `bert` GGUF as convert_hf_to_gguf.py writes it (f32 output type): tensor
    names token_embd / position_embd / token_types / blk.N.*, WordPiece tokens in llama.cpp's
    "phantom space" form (word-initial pieces prefixed U+2581, "##" removed)."""
    t = {"token_embd.weight": sd["embeddings.word_embeddings.weight"],
         "position_embd.weight": sd["embeddings.position_embeddings.weight"],
         "token_types.weight": sd["embeddings.token_type_embeddings.weight"],
         "token_embd_norm.weight": sd["embeddings.LayerNorm.weight"],
         "token_embd_norm.bias": sd["embeddings.LayerNorm.bias"]}
    hf = {"attn_q": "attention.self.query", "attn_k": "attention.self.key", "attn_v": "attention.self.value",
          "attn_output": "attention.output.dense", "attn_output_norm": "attention.output.LayerNorm",
          "ffn_up": "intermediate.dense", "ffn_down": "output.dense", "layer_output_norm": "output.LayerNorm"}
    for l in range(cfg["num_hidden_layers"]):
        for g, h in hf.items():
            for wb in ("weight", "bias"):
                t[f"blk.{l}.{g}.{wb}"] = sd[f"encoder.layer.{l}.{h}.{wb}"]
    specials = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}

    def phantom(tok):
        if tok.startswith("[") and tok.endswith("]"):
            return tok
        return tok[2:] if tok.startswith("##") else "\u2581" + tok

    kv = {"general.architecture": "bert", "general.name": name, "bert.block_count": cfg["num_hidden_layers"],
          "bert.context_length": cfg["max_position_embeddings"], "bert.embedding_length": cfg["hidden_size"],
          "bert.feed_forward_length": cfg["intermediate_size"],
          "bert.attention.head_count": cfg["num_attention_heads"],
          "bert.attention.layer_norm_epsilon": float(cfg["layer_norm_eps"]), "general.file_type": 0,
          "bert.attention.causal": False, "bert.pooling_type": pooling_type,
          "tokenizer.ggml.token_type_count": cfg["type_vocab_size"], "tokenizer.ggml.model": "bert",
          "tokenizer.ggml.pre": "default", "tokenizer.ggml.tokens": [phantom(x) for x in vocab],
          "tokenizer.ggml.token_type": [3 if x in specials else 1 for x in vocab],
          "tokenizer.ggml.unknown_token_id": vocab.index("[UNK]"),
          "tokenizer.ggml.seperator_token_id": vocab.index("[SEP]"),
          "tokenizer.ggml.padding_token_id": vocab.index("[PAD]"),
          "tokenizer.ggml.cls_token_id": vocab.index("[CLS]"),
          "tokenizer.ggml.mask_token_id": vocab.index("[MASK]")}
    write_gguf(path, kv, {k: v.numpy() for k, v in t.items()})


# ---------------------------------------------------------------- model
def make_weights(cfg, seed):
    """HF BertModel state dict (no prefix) with seeded, deliberately non-trivial values."""
    g = torch.Generator().manual_seed(seed)
    H, I, L = cfg["hidden_size"], cfg["intermediate_size"], cfg["num_hidden_layers"]

    def rn(*shape, std):
        return (torch.randn(*shape, generator=g, dtype=torch.float64) * std).float()

    def ln(prefix, sd):
        sd[prefix + ".weight"] = 1.0 + rn(H, std=0.2)
        sd[prefix + ".bias"] = rn(H, std=0.1)

    sd = {}
    sd["embeddings.word_embeddings.weight"] = rn(cfg["vocab_size"], H, std=0.5)
    sd["embeddings.position_embeddings.weight"] = rn(cfg["max_position_embeddings"], H, std=0.3)
    sd["embeddings.token_type_embeddings.weight"] = rn(cfg["type_vocab_size"], H, std=0.3)
    ln("embeddings.LayerNorm", sd)
    w = 1.5 / H ** 0.5  # large enough that attention is far from uniform
    for l in range(L):
        p = f"encoder.layer.{l}."
        for n in ("query", "key", "value"):
            sd[p + f"attention.self.{n}.weight"] = rn(H, H, std=w)
            sd[p + f"attention.self.{n}.bias"] = rn(H, std=0.1)
        sd[p + "attention.output.dense.weight"] = rn(H, H, std=w)
        sd[p + "attention.output.dense.bias"] = rn(H, std=0.1)
        ln(p + "attention.output.LayerNorm", sd)
        sd[p + "intermediate.dense.weight"] = rn(I, H, std=w)
        sd[p + "intermediate.dense.bias"] = rn(I, std=0.1)
        sd[p + "output.dense.weight"] = rn(H, I, std=1.5 / I ** 0.5)
        sd[p + "output.dense.bias"] = rn(H, std=0.1)
        ln(p + "output.LayerNorm", sd)
    return sd


def layer_norm(x, w, b, eps):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + eps) * w + b


def bert_forward(sd, cfg, ids, mask, token_types):
    """modeling_bert.BertModel forward (eval mode) in float64. ids, mask, token_types: [B, T]."""
    P = {k: v.double() for k, v in sd.items()}
    B, T = ids.shape
    H, nh, eps = cfg["hidden_size"], cfg["num_attention_heads"], cfg["layer_norm_eps"]
    hd = H // nh
    # BertEmbeddings: word + absolute position (0..T-1) + token type, then LayerNorm.
    x = P["embeddings.word_embeddings.weight"][ids]
    x = x + P["embeddings.position_embeddings.weight"][torch.arange(T)][None]
    x = x + P["embeddings.token_type_embeddings.weight"][token_types]
    x = layer_norm(x, P["embeddings.LayerNorm.weight"], P["embeddings.LayerNorm.bias"], eps)
    # get_extended_attention_mask: (1 - mask) * finfo.min, broadcast over heads and queries.
    ext = (1.0 - mask.double())[:, None, None, :] * torch.finfo(torch.float64).min
    for l in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{l}."

        def lin(t, n):
            return t @ P[p + n + ".weight"].T + P[p + n + ".bias"]

        def heads(t):  # [B, T, H] -> [B, nh, T, hd]
            return t.view(B, T, nh, hd).permute(0, 2, 1, 3)

        q = heads(lin(x, "attention.self.query"))
        k = heads(lin(x, "attention.self.key"))
        v = heads(lin(x, "attention.self.value"))
        scores = q @ k.transpose(-1, -2) / hd ** 0.5 + ext
        ctx = (torch.softmax(scores, -1) @ v).permute(0, 2, 1, 3).reshape(B, T, H)
        x = layer_norm(lin(ctx, "attention.output.dense") + x,
                       P[p + "attention.output.LayerNorm.weight"], P[p + "attention.output.LayerNorm.bias"], eps)
        inter = torch.nn.functional.gelu(lin(x, "intermediate.dense"))  # hidden_act "gelu" = erf form
        x = layer_norm(lin(inter, "output.dense") + x,
                       P[p + "output.LayerNorm.weight"], P[p + "output.LayerNorm.bias"], eps)
    return x


def pool(hidden, mask):
    """sentence_transformers.models.Pooling: mean over the mask, CLS (token 0), max over the mask."""
    m = mask.double()[..., None]
    mean = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)
    cls = hidden[:, 0]
    mx = hidden.masked_fill(m == 0, -1e9).max(1).values
    return {"mean": mean, "cls": cls, "max": mx}


def normalize(x):
    return torch.nn.functional.normalize(x, p=2, dim=1)  # sentence_transformers Normalize


# ---------------------------------------------------------------- HF directory files
def hf_config(cfg):
    c = {"architectures": ["BertModel"], "attention_probs_dropout_prob": 0.1, "classifier_dropout": None,
         "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "initializer_range": 0.02, "model_type": "bert",
         "position_embedding_type": "absolute", "torch_dtype": "float32", "transformers_version": "4.41.2",
         "use_cache": True}
    c.update(cfg)
    return json.dumps(dict(sorted(c.items())), indent=2) + "\n"


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


def write_st_layout(d, dim, pooling, max_seq_length, do_lower_case, normalize_module):
    modules = [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
               {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]
    if normalize_module:
        modules.append({"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"})
    write_json(os.path.join(d, "modules.json"), modules)
    os.makedirs(os.path.join(d, "1_Pooling"), exist_ok=True)
    write_json(os.path.join(d, "1_Pooling", "config.json"), {
        "word_embedding_dimension": dim, "pooling_mode_cls_token": pooling == "cls",
        "pooling_mode_mean_tokens": pooling == "mean", "pooling_mode_max_tokens": pooling == "max",
        "pooling_mode_mean_sqrt_len_tokens": False})
    write_json(os.path.join(d, "sentence_bert_config.json"),
               {"max_seq_length": max_seq_length, "do_lower_case": do_lower_case})


# ---------------------------------------------------------------- goldens
def make_golden(name, sd, cfg, pad_id, max_seq_length, sentences, id_lists):
    # Truncate as sentence-transformers does (the tokenizer keeps the specials).
    ids = [x if len(x) <= max_seq_length else x[:max_seq_length - 1] + x[-1:] for x in id_lists]
    T = max(len(x) for x in ids)
    B = len(ids)
    tid = torch.full((B, T), pad_id, dtype=torch.long)
    mask = torch.zeros((B, T), dtype=torch.long)
    for i, x in enumerate(ids):
        tid[i, :len(x)] = torch.tensor(x)
        mask[i, :len(x)] = 1
    hidden = bert_forward(sd, cfg, tid, mask, torch.zeros_like(tid))
    pooled = pool(hidden, mask)
    # Sanity: each sentence alone gives the same result as inside the padded batch.
    for i, x in enumerate(ids):
        alone = bert_forward(sd, cfg, torch.tensor([x]), torch.ones((1, len(x)), dtype=torch.long),
                             torch.zeros((1, len(x)), dtype=torch.long))
        assert torch.allclose(alone[0], hidden[i, :len(x)], atol=1e-9), "padding changed a sentence"
    out = {"model": name, "hidden_size": cfg["hidden_size"], "max_seq_length": max_seq_length,
           "note": "float64 reference of modeling_bert.BertModel + sentence-transformers pooling; "
                   "ids are after truncation to max_seq_length; hidden[i] is [len(ids[i]), hidden_size] row-major",
           "sentences": sentences, "input_ids": id_lists, "ids": ids,
           "hidden": [hidden[i, :len(x)].flatten().tolist() for i, x in enumerate(ids)]}
    for mode, v in pooled.items():
        out["pooled_" + mode] = v.tolist()
        out["normalized_" + mode] = normalize(v).tolist()
    return round_floats(out)


def round_floats(o):
    """9 significant digits: exact for float32 values, and keeps the goldens small."""
    if isinstance(o, float):
        return float("%.9g" % o)
    if isinstance(o, list):
        return [round_floats(v) for v in o]
    if isinstance(o, dict):
        return {k: round_floats(v) for k, v in o.items()}
    return o


WP_SENTENCES = [
    "The quick brown fox jumps over the lazy dog.",
    "Hello, world!",
    "",
    "When should I plant maize after the first rains?",
    "Café prices rose 12% in Kenya; farmers were unhappy about it.",
    "a",
    "This sentence is deliberately long so that it runs past the maximum sequence length "
    "and has to be truncated before the encoder sees it.",
]

SPLIT_WORDS = {"maize", "deliberately", "unhappy", "truncated", "jumps"}

XLMR_SENTENCES = [
    "How do I store maize after harvest?",
    "Comment conserver le maïs après la récolte ?",
    "",
    "¿Cuándo debo sembrar frijoles?",
    "Ọjọ́ wo ni mo yẹ kí n gbin àgbàdo?",
    "Wann soll ich Mais pflanzen, nach dem ersten Regen oder später im Jahr, wenn der Boden warm ist?",
    "ok",
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(REPO, "tests", "data", "bert"))
    args = ap.parse_args()
    out = args.out
    os.makedirs(os.path.join(out, "golden"), exist_ok=True)

    # --- WordPiece model. The vocabulary is a cut-down bert-base-uncased vocab.txt (kept in
    # the original order): specials, unused slots and single characters (lines 0..2099), "##x"
    # for ASCII letters and digits, and the whole words of the test sentences except a few that
    # must be split into pieces.
    real = open(REAL_VOCAB, encoding="utf-8").read().split("\n")[:-1]
    words = {w for s in WP_SENTENCES for w in WordPiece([], True).basic(s)} - SPLIT_WORDS
    vocab = [t for i, t in enumerate(real)
             if i < 2100 or t in words or re.fullmatch(r"##[a-z0-9]", t) or t in ("un", "##ly", "##ed", "##ate")]
    wp = WordPiece(vocab, do_lower_case=True)
    cfg = {"hidden_size": 32, "intermediate_size": 64, "num_attention_heads": 4, "num_hidden_layers": 2,
           "max_position_embeddings": 40, "type_vocab_size": 2, "vocab_size": len(vocab),
           "layer_norm_eps": 1e-12, "pad_token_id": 0}
    sd = make_weights(cfg, seed=1234)
    max_seq = 20

    d = os.path.join(out, "tiny-wp")
    os.makedirs(d, exist_ok=True)
    pref = {"bert." + k: v.numpy() for k, v in sd.items()}
    pref["bert.embeddings.position_ids"] = np.arange(cfg["max_position_embeddings"], dtype=np.int64)[None]
    # A masked-LM head the encoder must ignore (BertForMaskedLM checkpoints carry one).
    pref["cls.predictions.bias"] = np.zeros(len(vocab), dtype=np.float32)
    write_safetensors(os.path.join(d, "model.safetensors"), pref)
    open(os.path.join(d, "config.json"), "w").write(hf_config(cfg))
    open(os.path.join(d, "vocab.txt"), "w", encoding="utf-8").write("\n".join(vocab) + "\n")
    write_json(os.path.join(d, "tokenizer_config.json"), {
        "do_lower_case": True, "unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]",
        "cls_token": "[CLS]", "mask_token": "[MASK]", "tokenize_chinese_chars": True, "strip_accents": None,
        "tokenizer_class": "BertTokenizer", "model_max_length": 512})
    write_json(os.path.join(d, "special_tokens_map.json"), {
        "unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]", "cls_token": "[CLS]", "mask_token": "[MASK]"})
    write_st_layout(d, cfg["hidden_size"], "mean", max_seq, False, normalize_module=True)

    d = os.path.join(out, "tiny-wp-noprefix")
    os.makedirs(d, exist_ok=True)
    g = torch.Generator().manual_seed(99)
    plain = {k: v.numpy() for k, v in sd.items()}
    plain["pooler.dense.weight"] = (torch.randn(32, 32, generator=g) * 0.1).numpy()
    plain["pooler.dense.bias"] = np.zeros(32, dtype=np.float32)
    write_safetensors(os.path.join(d, "model.safetensors"), plain)
    open(os.path.join(d, "config.json"), "w").write(hf_config(cfg))
    write_st_layout(d, cfg["hidden_size"], "cls", max_seq, False, normalize_module=False)

    # llama.cpp layout of the same weights; pooling_type 1 = mean.
    llama_cpp_bert_gguf(os.path.join(out, "tiny-wp.gguf"), sd, cfg, vocab, 1, "tiny-wp")

    ids = [wp.encode(s) for s in WP_SENTENCES]
    write_json(os.path.join(out, "golden", "tiny-wp.json"),
               make_golden("tiny-wp", sd, cfg, 0, max_seq, WP_SENTENCES, ids))

    # --- XLM-R style SentencePiece model.
    d = os.path.join(out, "tiny-xlmr")
    os.makedirs(d, exist_ok=True)
    spm_path = os.path.join(d, "sentencepiece.bpe.model")
    train_tiny_spm(spm_path, vocab_size=300)
    sp = XlmrSentencePiece(spm_path)
    xcfg = {"hidden_size": 48, "intermediate_size": 96, "num_attention_heads": 3, "num_hidden_layers": 3,
            "max_position_embeddings": 64, "type_vocab_size": 2, "vocab_size": sp.vocab_size() + 3,
            "layer_norm_eps": 1e-5, "pad_token_id": 1, "bos_token_id": 0, "eos_token_id": 2}
    xsd = make_weights(xcfg, seed=4321)
    x_max_seq = 24
    write_safetensors(os.path.join(d, "model.safetensors"), {k: v.numpy() for k, v in xsd.items()})
    open(os.path.join(d, "config.json"), "w").write(hf_config(xcfg))
    mask_tok = {"content": "<mask>", "lstrip": True, "normalized": False, "rstrip": False, "single_word": False}
    write_json(os.path.join(d, "tokenizer_config.json"), {
        "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "sep_token": "</s>", "cls_token": "<s>",
        "pad_token": "<pad>", "mask_token": mask_tok, "model_max_length": 512,
        "tokenizer_class": "XLMRobertaTokenizer"})
    write_json(os.path.join(d, "special_tokens_map.json"), {
        "bos_token": "<s>", "cls_token": "<s>", "eos_token": "</s>", "mask_token": mask_tok,
        "pad_token": "<pad>", "sep_token": "</s>", "unk_token": "<unk>"})
    write_st_layout(d, xcfg["hidden_size"], "max", x_max_seq, False, normalize_module=False)
    ids = [sp.encode(s) for s in XLMR_SENTENCES]
    write_json(os.path.join(out, "golden", "tiny-xlmr.json"),
               make_golden("tiny-xlmr", xsd, xcfg, 1, x_max_seq, XLMR_SENTENCES, ids))
    print("wrote", out)


if __name__ == "__main__":
    main()
