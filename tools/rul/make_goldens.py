#!/usr/bin/env python3
"""Goldens for the native RUL model (tests/rul/), made with PyTorch in eval mode.

    /usr/bin/python3 tools/rul/make_goldens.py

1. The shipped model (app/assets/rul_fd001): the raw RUL output, the RUL in cycles
   and the health-class logits for the last window of each of the 100 FD001 test
   units, plus the RMSE and NASA score against RUL_FD001.txt
   -> tests/data/rul/golden_fd001.json
2. A second, randomly initialised config with other sizes (two conv blocks with
   kernels 5 and 3, one BiLSTM layer of 36, 4 heads, max pooling, window 30, the 14
   sensors without the settings) and random BatchNorm statistics, so that nothing
   in the native code is tied to one shape -> tests/data/rul/random_model/ (config +
   safetensors) and tests/data/rul/golden_random.json.
"""
import json
import os
import sys

import numpy as np
import torch

import rul_model as rm

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from safetensors_io import read_safetensors  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DATA = os.path.join(ROOT, "tests", "data", "rul")
SHIPPED = os.path.join(ROOT, "app", "assets", "rul_fd001")


def load(dirname):
    with open(os.path.join(dirname, "config.json")) as f:
        cfg = json.load(f)
    model = rm.RulNet(cfg)
    missing, unexpected = model.load_state_dict(read_safetensors(os.path.join(dirname, "model.safetensors")), strict=False)
    assert not unexpected and all(k.endswith("num_batches_tracked") for k in missing), (missing, unexpected)
    return cfg, model.eval()


def run(cfg, model, test_raw, true_rul):
    ids, x = rm.last_windows(test_raw, cfg)
    with torch.no_grad():
        r, logits = model(torch.from_numpy(x))
    r = r.double().numpy()
    rul = r * cfg["rul_scale"]
    return {
        "units": [int(i) for i in ids],
        "rul_raw": r.tolist(),
        "rul": rul.tolist(),
        "logits": logits.double().numpy().tolist(),
        "health": [cfg["health_classes"][i] for i in logits.argmax(1).tolist()],
        "rmse": rm.rmse(rul, true_rul),
        "nasa_score": rm.nasa_score(rul, true_rul),
        "torch": torch.__version__,
    }


def random_model(shipped_cfg):
    torch.manual_seed(7)
    cfg = json.loads(json.dumps(shipped_cfg))
    sensors = rm.FEATURES[3:]
    cols = [rm.COLUMNS.index(f) for f in sensors]
    keep = [shipped_cfg["feature_columns"].index(c) for c in cols]
    cfg.update({
        "window": 30,
        "features": sensors,
        "feature_columns": cols,
        "scaling": {"type": "minmax", "min": [shipped_cfg["scaling"]["min"][i] for i in keep],
                    "max": [shipped_cfg["scaling"]["max"][i] for i in keep]},
        "conv": {"channels": [24, 40], "kernel_sizes": [5, 3], "batch_norm_eps": 1e-3},
        "lstm": {"hidden_size": 36, "num_layers": 1, "bidirectional": True},
        "layer_norm_eps": 1e-6,
        "attention": {"num_heads": 4, "residual": True},
        "pooling": "max",
        "rul_head": {"hidden": 20},
        "health_head": {"hidden": 12},
        "rul_scale": 100.0,
    })
    model = rm.RulNet(cfg)
    with torch.no_grad():
        for blk in model.convs:  # non-trivial BatchNorm so that folding is exercised
            n = blk.bn.num_features
            blk.bn.weight.uniform_(0.5, 1.5)
            blk.bn.bias.uniform_(-0.2, 0.2)
            blk.bn.running_mean.uniform_(-0.3, 0.3)
            blk.bn.running_var.uniform_(0.2, 2.0)
        model.norm.weight.uniform_(0.5, 1.5)
        model.norm.bias.uniform_(-0.2, 0.2)
        for p in [model.attn.in_proj_bias, model.attn.out_proj.bias]:
            p.uniform_(-0.1, 0.1)
    return cfg, model.eval()


def main():
    torch.set_num_threads(2)
    test_raw = rm.read_cmapss(os.path.join(DATA, "test_FD001.txt"))
    true_rul = np.loadtxt(os.path.join(DATA, "RUL_FD001.txt"))

    cfg, model = load(SHIPPED)
    g = run(cfg, model, test_raw, true_rul)
    with open(os.path.join(DATA, "golden_fd001.json"), "w") as f:
        json.dump(g, f)
    print(f"shipped: rmse {g['rmse']:.4f} nasa {g['nasa_score']:.2f}")

    rcfg, rmodel = random_model(cfg)
    out = os.path.join(DATA, "random_model")
    rm.export(rmodel, rcfg, out, {"note": "randomly initialised test model"})
    _, rmodel = load(out)  # round trip through the file, as the native code reads it
    g = run(rcfg, rmodel, test_raw, true_rul)
    with open(os.path.join(DATA, "golden_random.json"), "w") as f:
        json.dump(g, f)
    r = np.asarray(g["rul"])
    print(f"random: rul range {r.min():.3f}..{r.max():.3f}")


if __name__ == "__main__":
    main()
