#!/usr/bin/python3
"""Perplexity and KL-divergence goldens for `sprout perplexity` on the tiny Qwen2 fixtures.

Reads the committed Hugging Face directories under tests/data/llama (written by
make_tiny_qwen2.py), runs the float64 reference forward pass of make_tiny_qwen2.py
on a fixed, seeded id sequence and scores it with the windowing `sprout perplexity`
documents (docs/decoder.md, "Perplexity"):

  * the ids are cut into non-overlapping windows of `ctx` ids; a trailing partial
    window is dropped; each window is evaluated from an empty cache;
  * with bos_first, the first id of every window is replaced by BOS (llama.cpp's
    llama-perplexity does this when the tokenizer adds BOS);
  * the logits at window position j predict the id at j + 1; positions
    j = first .. ctx-2 are scored (first = ctx/2: the second half, as llama.cpp;
    first = 0: every id of the window but the first).

Reported per case (all over the scored positions, natural logs):
  ppl = exp(mean nll), ppl_se = ppl * sd(nll) / sqrt(N - 1)    (N scored positions)
  with a base model: the base's ppl, mean / median / p99 / max of KL(base || model),
  top-1 agreement (fraction of positions whose argmax is the same in both) and
  mean ln(ppl / base_ppl).

Usage: /usr/bin/python3 tools/qwen_reference/make_perplexity_golden.py [DATA_DIR]
       (default tests/data/llama; writes DATA_DIR/perplexity.golden.json)
"""
import json
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from make_tiny_qwen2 import forward  # noqa: E402
from safetensors_io import read_safetensors  # noqa: E402


def load_hf(model_dir):
    with open(os.path.join(model_dir, "config.json")) as f:
        cfg = json.load(f)
    W = {}
    for fn in sorted(os.listdir(model_dir)):
        if fn.endswith(".safetensors"):
            # float64 for the reference forward pass; f32 / f16 / bf16 widen exactly.
            W.update({n: t.double() for n, t in read_safetensors(os.path.join(model_dir, fn)).items()})
    return cfg, W


def log_softmax(logits):
    return logits - torch.logsumexp(logits, dim=-1, keepdim=True)


def score(model, base, ids, ctx, first, bos_first, bos_id):
    """Per scored position: nll under the model (and base), KL(base || model), top-1 match."""
    nll, nll_base, kl, same = [], [], [], []
    for w in range(len(ids) // ctx):
        win = list(ids[w * ctx:(w + 1) * ctx])
        if bos_first:
            win[0] = bos_id
        lp = log_softmax(forward(model[0], model[1], win))          # [ctx, vocab]
        lb = log_softmax(forward(base[0], base[1], win)) if base else None
        for j in range(first, ctx - 1):
            t = win[j + 1]
            nll.append(-float(lp[j, t]))
            if base:
                nll_base.append(-float(lb[j, t]))
                kl.append(float((lb[j].exp() * (lb[j] - lp[j])).sum()))
                same.append(int(torch.argmax(lb[j])) == int(torch.argmax(lp[j])))
    return nll, nll_base, kl, same


def ppl_and_se(nll):
    a = np.array(nll)
    mean = a.mean()
    se = math.sqrt(max(0.0, (np.mean(a * a) - mean * mean) / (len(a) - 1)))
    return math.exp(mean), math.exp(mean) * se, mean


def main():
    data = sys.argv[1] if len(sys.argv) > 1 else "tests/data/llama"
    model_f32 = load_hf(os.path.join(data, "qwen2_gqa_untied_f32"))
    model_bf16 = load_hf(os.path.join(data, "qwen2_gqa_untied_bf16"))
    model_other = load_hf(os.path.join(data, "qwen2_mha_tied_f16"))
    vocab = model_f32[0]["vocab_size"]
    rng = np.random.default_rng(2024)
    ids = [1] + [int(x) for x in rng.integers(3, vocab, size=99)]   # 100 ids, BOS first

    # (name, model, model dir, base, base dir, ctx, first, bos_first)
    cases = [
        ("bf16_vs_f32_second_half", model_bf16, "qwen2_gqa_untied_bf16", model_f32, "qwen2_gqa_untied_f32",
         32, 16, False),
        ("f32_vs_other_all_bos", model_f32, "qwen2_gqa_untied_f32", model_other, "qwen2_mha_tied_f16",
         40, 0, True),
        ("f32_alone_second_half", model_f32, "qwen2_gqa_untied_f32", None, None, 16, 8, False),
    ]
    out = {"ids": ids, "bos_id": 1, "cases": []}
    with torch.no_grad():
        for name, model, mdir, base, bdir, ctx, first, bos_first in cases:
            nll, nll_b, kl, same = score(model, base, ids, ctx, first, bos_first, 1)
            ppl, se, mean = ppl_and_se(nll)
            c = {"name": name, "model": mdir, "base": bdir, "ctx": ctx, "first": first, "bos_first": bos_first,
                 "windows": len(ids) // ctx, "scored": len(nll), "nll_mean": mean, "ppl": ppl, "ppl_se": se}
            if base:
                bppl, bse, bmean = ppl_and_se(nll_b)
                k = np.array(kl)
                c.update({"base_ppl": bppl, "base_ppl_se": bse, "ln_ppl_ratio": mean - bmean,
                          "kl_mean": float(k.mean()), "kl_max": float(k.max()),
                          "kl_median": float(np.median(k)), "top1": float(np.mean(same))})
            out["cases"].append(c)
            print(json.dumps(c))
    with open(os.path.join(data, "perplexity.golden.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
