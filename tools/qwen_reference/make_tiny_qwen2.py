#!/usr/bin/python3
"""Tiny Qwen2 / Llama decoders with seeded random weights, and their goldens.

The reference forward pass below follows Hugging Face's modeling_qwen2.py /
modeling_llama.py step by step (RMSNorm, q/k/v projections with bias for Qwen2,
rotate-half RoPE with rope_theta, grouped-query attention by repeating k/v
heads, causal softmax attention, o_proj without bias, SwiGLU MLP, final norm,
lm_head tied or untied). It runs in float64 on the weights exactly as stored
(after rounding to the file's dtype), so the goldens are what an exact f32
engine reading those files should produce.

Each model is written as
  * a Hugging Face directory: config.json as HF writes it + model.safetensors
    (or two shards + model.safetensors.index.json), tensors named
    model.embed_tokens.weight, model.layers.N.self_attn.q_proj.weight/bias, ...
  * a GGUF file with llama.cpp's naming (token_embd, blk.N.attn_q, ...). For
    arch "llama" llama.cpp's converter permutes the rows of q/k so that its
    interleaved ("normal") RoPE equals HF's rotate-half; for arch "qwen2" it
    does not permute (llama.cpp uses NEOX rope there). We do the same.

Goldens (<name>.golden.json + <name>.logits.f32): prompt ids, logits at every
prompt position (raw little-endian f32, rows of vocab), and 16 greedy ids that
follow the prompt (full recompute, no stopping).

Usage: /usr/bin/python3 tools/qwen_reference/make_tiny_qwen2.py [OUT_DIR]
       (default OUT_DIR: tests/data/llama)
"""
import json
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fileformats import GgufWriter, round_to, write_safetensors  # noqa: E402

N_GREEDY = 16


# ------------------------------------------------------------ reference model

def rms_norm(x, w, eps):
    var = x.pow(2).mean(-1, keepdim=True)
    return w * (x * torch.rsqrt(var + eps))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def rope_cos_sin(positions, head_dim, theta):
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim))
    freqs = positions[:, None].double() * inv_freq[None, :]       # [T, D/2]
    emb = torch.cat((freqs, freqs), dim=-1)                        # [T, D]
    return emb.cos(), emb.sin()


def forward(cfg, W, ids):
    """ids: list of ints -> logits [T, vocab] (float64). W: name -> float64 tensor."""
    T = len(ids)
    H, KV = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    D = cfg["hidden_size"] // H
    eps = cfg["rms_norm_eps"]
    has_bias = cfg["model_type"] == "qwen2" or cfg.get("attention_bias", False)
    h = W["model.embed_tokens.weight"][torch.tensor(ids)]          # [T, hidden]
    cos, sin = rope_cos_sin(torch.arange(T), D, cfg["rope_theta"])
    mask = torch.full((T, T), float("-inf"), dtype=torch.float64).triu(1)
    for l in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % l
        x = rms_norm(h, W[p + "input_layernorm.weight"], eps)

        def proj(name, x=x):
            y = x @ W[p + "self_attn.%s.weight" % name].T
            if has_bias:
                y = y + W[p + "self_attn.%s.bias" % name]
            return y
        q = proj("q_proj").view(T, H, D).transpose(0, 1)             # [H, T, D]
        k = proj("k_proj").view(T, KV, D).transpose(0, 1)            # [KV, T, D]
        v = proj("v_proj").view(T, KV, D).transpose(0, 1)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(H // KV, dim=0)                      # repeat_kv
        v = v.repeat_interleave(H // KV, dim=0)
        att = (q @ k.transpose(1, 2)) / math.sqrt(D) + mask         # [H, T, T]
        att = torch.softmax(att, dim=-1)
        o = (att @ v).transpose(0, 1).reshape(T, H * D)              # [T, hidden]
        h = h + o @ W[p + "self_attn.o_proj.weight"].T
        x = rms_norm(h, W[p + "post_attention_layernorm.weight"], eps)
        g = x @ W[p + "mlp.gate_proj.weight"].T
        u = x @ W[p + "mlp.up_proj.weight"].T
        h = h + (torch.nn.functional.silu(g) * u) @ W[p + "mlp.down_proj.weight"].T
    h = rms_norm(h, W["model.norm.weight"], eps)
    head = W["model.embed_tokens.weight"] if cfg["tie_word_embeddings"] else W["lm_head.weight"]
    return h @ head.T


# ------------------------------------------------------------ model creation

def make_config(arch, hidden, layers, heads, kv_heads, ffn, vocab, tied, dtype):
    torch_dtype = {"f32": "float32", "f16": "float16", "bf16": "bfloat16"}[dtype]
    if arch == "qwen2":
        return {
            "architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0,
            "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu",
            "hidden_size": hidden, "initializer_range": 0.02, "intermediate_size": ffn,
            "max_position_embeddings": 128, "max_window_layers": layers, "model_type": "qwen2",
            "num_attention_heads": heads, "num_hidden_layers": layers, "num_key_value_heads": kv_heads,
            "rms_norm_eps": 1e-06, "rope_theta": 1000000.0, "sliding_window": 128,
            "tie_word_embeddings": tied, "torch_dtype": torch_dtype,
            "transformers_version": "4.40.1", "use_cache": True, "use_sliding_window": False,
            "vocab_size": vocab,
        }
    return {
        "architectures": ["LlamaForCausalLM"], "attention_bias": False, "attention_dropout": 0.0,
        "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu", "hidden_size": hidden,
        "initializer_range": 0.02, "intermediate_size": ffn, "max_position_embeddings": 128,
        "mlp_bias": False, "model_type": "llama", "num_attention_heads": heads,
        "num_hidden_layers": layers, "num_key_value_heads": kv_heads, "pretraining_tp": 1,
        "rms_norm_eps": 1e-05, "rope_scaling": None, "rope_theta": 10000.0,
        "tie_word_embeddings": tied, "torch_dtype": torch_dtype,
        "transformers_version": "4.40.1", "use_cache": True, "vocab_size": vocab,
    }


def make_weights(cfg, seed, dtype):
    """Seeded random weights, rounded to the storage dtype. Biases non-zero, norms non-unit."""
    g = torch.Generator().manual_seed(seed)

    def rnd(*shape, std=1.0, mean=0.0):
        return (torch.randn(*shape, generator=g, dtype=torch.float64) * std + mean)

    hid, ffn, V = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
    H, KV = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    D = hid // H
    qwen = cfg["model_type"] == "qwen2"
    W = {"model.embed_tokens.weight": rnd(V, hid, std=1.0)}
    s_in, s_ffn = 1.0 / math.sqrt(hid), 1.0 / math.sqrt(ffn)
    for l in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % l
        W[p + "input_layernorm.weight"] = rnd(hid, std=0.2, mean=1.0)
        W[p + "self_attn.q_proj.weight"] = rnd(H * D, hid, std=s_in * 1.5)
        W[p + "self_attn.k_proj.weight"] = rnd(KV * D, hid, std=s_in * 1.5)
        W[p + "self_attn.v_proj.weight"] = rnd(KV * D, hid, std=s_in)
        if qwen:
            W[p + "self_attn.q_proj.bias"] = rnd(H * D, std=0.3)
            W[p + "self_attn.k_proj.bias"] = rnd(KV * D, std=0.3)
            W[p + "self_attn.v_proj.bias"] = rnd(KV * D, std=0.3)
        W[p + "self_attn.o_proj.weight"] = rnd(hid, H * D, std=s_in)
        W[p + "post_attention_layernorm.weight"] = rnd(hid, std=0.2, mean=1.0)
        W[p + "mlp.gate_proj.weight"] = rnd(ffn, hid, std=s_in)
        W[p + "mlp.up_proj.weight"] = rnd(ffn, hid, std=s_in)
        W[p + "mlp.down_proj.weight"] = rnd(hid, ffn, std=s_ffn)
    W["model.norm.weight"] = rnd(hid, std=0.2, mean=1.0)
    if not cfg["tie_word_embeddings"]:
        W["lm_head.weight"] = rnd(V, hid, std=s_in * 3.0)
    else:
        W["model.embed_tokens.weight"] *= 0.15
    # The values the file will hold: everything rounded to the storage dtype.
    return {k: torch.from_numpy(round_to(v.numpy(), dtype).astype(np.float64)) for k, v in W.items()}


# --------------------------------------------------------------- file output

def save_hf(out_dir, cfg, W, dtype, shards=1):
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2, sort_keys=True)
        f.write("\n")
    arrays = {k: v.numpy().astype(np.float32) for k, v in W.items()}
    if shards == 1:
        write_safetensors(os.path.join(out_dir, "model.safetensors"), arrays, dtype)
        return
    names = sorted(arrays)
    weight_map, total = {}, 0
    for i in range(shards):
        part = names[i::shards]
        fname = "model-%05d-of-%05d.safetensors" % (i + 1, shards)
        total += write_safetensors(os.path.join(out_dir, fname), {n: arrays[n] for n in part}, dtype)
        weight_map.update({n: fname for n in part})
    with open(os.path.join(out_dir, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}, f, indent=2)
        f.write("\n")


def permute_for_llama_cpp(w, n_head):
    """llama.cpp convert_hf_to_gguf LlamaModel.permute: within each head, row i of the first
    half and row i of the second half become rows 2i and 2i+1 (rotate-half -> interleaved)."""
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


GGUF_NAMES = {
    "input_layernorm.weight": "attn_norm.weight",
    "self_attn.q_proj.weight": "attn_q.weight", "self_attn.q_proj.bias": "attn_q.bias",
    "self_attn.k_proj.weight": "attn_k.weight", "self_attn.k_proj.bias": "attn_k.bias",
    "self_attn.v_proj.weight": "attn_v.weight", "self_attn.v_proj.bias": "attn_v.bias",
    "self_attn.o_proj.weight": "attn_output.weight",
    "post_attention_layernorm.weight": "ffn_norm.weight",
    "mlp.gate_proj.weight": "ffn_gate.weight", "mlp.up_proj.weight": "ffn_up.weight",
    "mlp.down_proj.weight": "ffn_down.weight",
}


def save_gguf(path, cfg, W, dtype):
    arch = cfg["model_type"]
    H, KV = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    w = GgufWriter()
    w.add("general.architecture", arch)
    w.add("general.name", os.path.basename(path))
    w.add("general.file_type", {"f32": 0, "f16": 1}[dtype])
    w.add(arch + ".context_length", cfg["max_position_embeddings"])
    w.add(arch + ".embedding_length", cfg["hidden_size"])
    w.add(arch + ".block_count", cfg["num_hidden_layers"])
    w.add(arch + ".feed_forward_length", cfg["intermediate_size"])
    w.add(arch + ".attention.head_count", H)
    w.add(arch + ".attention.head_count_kv", KV)
    w.add(arch + ".rope.freq_base", float(cfg["rope_theta"]))
    w.add(arch + ".rope.dimension_count", cfg["hidden_size"] // H)
    w.add(arch + ".attention.layer_norm_rms_epsilon", float(cfg["rms_norm_eps"]))
    w.add(arch + ".vocab_size", cfg["vocab_size"])
    w.add("tokenizer.ggml.bos_token_id", cfg["bos_token_id"])
    w.add("tokenizer.ggml.eos_token_id", cfg["eos_token_id"])

    def put(name, t):
        a = t.numpy().astype(np.float32)
        # llama.cpp keeps 1-D tensors (norms, biases) in f32 whatever the file type.
        w.add_tensor(name, a, dtype if a.ndim == 2 else "f32")

    put("token_embd.weight", W["model.embed_tokens.weight"])
    for l in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % l
        for hf, gg in GGUF_NAMES.items():
            if p + hf not in W:
                continue
            t = W[p + hf].numpy()
            if arch == "llama" and hf.startswith("self_attn.q_proj"):
                t = permute_for_llama_cpp(t, H)
            elif arch == "llama" and hf.startswith("self_attn.k_proj"):
                t = permute_for_llama_cpp(t, KV)
            put("blk.%d.%s" % (l, gg), torch.from_numpy(np.ascontiguousarray(t)))
    put("output_norm.weight", W["model.norm.weight"])
    if not cfg["tie_word_embeddings"]:  # tied models carry no output.weight in GGUF
        put("output.weight", W["lm_head.weight"])
    w.write(path)


def greedy_run(cfg, W, seed):
    rng = np.random.default_rng(seed)
    prompt = [int(x) for x in rng.integers(3, cfg["vocab_size"], size=11)]
    prompt = [cfg["bos_token_id"]] + prompt
    with torch.no_grad():
        logits = forward(cfg, W, prompt)
        ids, greedy, min_margin = list(prompt), [], float("inf")
        for _ in range(N_GREEDY):
            last = forward(cfg, W, ids)[-1]
            top2 = torch.topk(last, 2).values
            min_margin = min(min_margin, float(top2[0] - top2[1]))
            nxt = int(torch.argmax(last))
            greedy.append(nxt)
            ids.append(nxt)
    return prompt, logits, greedy, min_margin


def save_golden(out, name, cfg, W, seed):
    # Greedy ids must not hinge on rounding: take the first prompt (seed, seed+1, ...)
    # whose 16 greedy steps all have a winner leading by > 2e-3 x max|logit|.
    for s in range(seed, seed + 50):
        prompt, logits, greedy, min_margin = greedy_run(cfg, W, s)
        maxabs = float(logits.abs().max())
        if min_margin > 2e-3 * maxabs:
            break
    else:
        raise SystemExit("no prompt with a clear greedy margin for " + name)
    logits.numpy().astype("<f4").tofile(os.path.join(out, name + ".logits.f32"))
    with open(os.path.join(out, name + ".golden.json"), "w") as f:
        json.dump({"prompt_ids": prompt, "greedy_ids": greedy, "vocab_size": cfg["vocab_size"],
                   "max_abs_logit": maxabs, "min_greedy_margin": min_margin,
                   "logits_file": name + ".logits.f32"}, f, indent=1)
        f.write("\n")
    print("%-22s max|logit| %.3f  greedy margin %.4f  greedy %s" % (name, maxabs, min_margin, greedy))


# The fixture set: (name, arch, heads, kv_heads, tied, dtype, seed, forms)
MODELS = [
    ("qwen2_gqa_untied_f32", "qwen2", 4, 2, False, "f32", 11, ["hf", "gguf"]),
    ("qwen2_gqa_untied_bf16", "qwen2", 4, 2, False, "bf16", 11, ["hf"]),
    ("qwen2_mha_tied_f16", "qwen2", 4, 4, True, "f16", 12, ["hf_sharded", "gguf"]),
    ("llama_gqa_f16", "llama", 4, 2, False, "f16", 13, ["hf", "gguf"]),
]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/data/llama"
    os.makedirs(out, exist_ok=True)
    for name, arch, heads, kv, tied, dtype, seed, forms in MODELS:
        cfg = make_config(arch, 64, 2, heads, kv, 96, 192, tied, dtype)
        W = make_weights(cfg, seed, dtype)
        save_golden(out, name, cfg, W, seed + 1000)
        if "hf" in forms:
            save_hf(os.path.join(out, name), cfg, W, dtype)
        if "hf_sharded" in forms:
            save_hf(os.path.join(out, name), cfg, W, dtype, shards=2)
        if "gguf" in forms:
            save_gguf(os.path.join(out, name + ".gguf"), cfg, W, dtype)


if __name__ == "__main__":
    main()
