"""Reference (PyTorch) definition of Sprout's remaining-useful-life model family.

A config-driven CNN + BiLSTM + self-attention network with two heads, as in the
AMNL-style models for NASA C-MAPSS. The same config.json drives the native
implementation in models/rul/, so every size here is read from the config:

    x [B, T, F]  (T = window, F = len(features), min-max scaled)
    -> Conv1d(k, same padding) + BatchNorm + ReLU, one block per entry of conv.channels  [B, T, C]
    -> LSTM (num_layers, bidirectional)                                                  [B, T, D*H]
    -> LayerNorm                                                                         [B, T, E]
    -> E + MultiheadAttention(E, heads)(E, E, E)   (residual)                            [B, T, E]
    -> pooling over time (mean | max | last)                                             [B, E]
    -> rul head:    Linear(E, hr) ReLU Linear(hr, 1)     * rul_scale = RUL in cycles
    -> health head: Linear(E, hc) ReLU Linear(hc, classes) = class logits

Also: C-MAPSS parsing, scaling, windowing (shared by training and goldens) and the
export to config.json + model.safetensors (tools/common/safetensors_io.py; the
safetensors package is not available here).
"""
import gzip
import json
import os
import sys

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from safetensors_io import write_safetensors  # noqa: E402

# C-MAPSS columns: unit, cycle, setting1..3, s1..s21 (26 in all).
COLUMNS = ["unit", "cycle", "setting1", "setting2", "setting3"] + [f"s{i}" for i in range(1, 22)]
# The 3 operating settings + the 14 sensors that vary in FD001 (s1, s5, s6, s10,
# s16, s18, s19 are constant there and are dropped).
FEATURES = ["setting1", "setting2", "setting3", "s2", "s3", "s4", "s7", "s8", "s9", "s11", "s12",
            "s13", "s14", "s15", "s17", "s20", "s21"]
CLASSES = ["healthy", "degrading", "critical"]

DEFAULT_CONFIG = {
    "model_type": "cnn_bilstm_attention_rul",
    "window": 50,
    "features": FEATURES,
    "feature_columns": [COLUMNS.index(f) for f in FEATURES],
    "padding": "repeat_first",
    "conv": {"channels": [64, 128, 64], "kernel_sizes": [3, 3, 3], "batch_norm_eps": 1e-5},
    "lstm": {"hidden_size": 128, "num_layers": 2, "bidirectional": True},
    "layer_norm_eps": 1e-5,
    "attention": {"num_heads": 8, "residual": True},
    "pooling": "mean",
    "rul_head": {"hidden": 128},
    "health_head": {"hidden": 64},
    "rul_scale": 125.0,
    "rul_cap": 125,
    "health_classes": CLASSES,
    # RUL > 75 healthy; 25 < RUL <= 75 degrading; RUL <= 25 critical.
    "class_thresholds": {"healthy_above": 75, "critical_at_or_below": 25},
}


class ConvBlock(nn.Module):
    def __init__(self, cin, cout, k, eps):
        super().__init__()
        assert k % 2 == 1, "same padding needs an odd kernel"
        self.conv = nn.Conv1d(cin, cout, k, padding=k // 2)
        self.bn = nn.BatchNorm1d(cout, eps=eps)

    def forward(self, x):  # [B, C, T]
        return torch.relu(self.bn(self.conv(x)))


class Head(nn.Module):
    def __init__(self, din, hidden, dout, dropout):
        super().__init__()
        self.fc1 = nn.Linear(din, hidden)
        self.fc2 = nn.Linear(hidden, dout)
        self.drop = nn.Dropout(dropout)

    def forward(self, x):
        return self.fc2(self.drop(torch.relu(self.fc1(x))))


class RulNet(nn.Module):
    def __init__(self, cfg, dropout=0.0):
        super().__init__()
        self.cfg = cfg
        c = cfg["conv"]
        chans = [len(cfg["features"])] + list(c["channels"])
        self.convs = nn.ModuleList(
            ConvBlock(chans[i], chans[i + 1], c["kernel_sizes"][i], c["batch_norm_eps"])
            for i in range(len(c["channels"])))
        l = cfg["lstm"]
        self.lstm = nn.LSTM(chans[-1], l["hidden_size"], num_layers=l["num_layers"],
                            bidirectional=l["bidirectional"], batch_first=True,
                            dropout=dropout if l["num_layers"] > 1 else 0.0)
        e = l["hidden_size"] * (2 if l["bidirectional"] else 1)
        self.norm = nn.LayerNorm(e, eps=cfg["layer_norm_eps"])
        self.attn = nn.MultiheadAttention(e, cfg["attention"]["num_heads"], batch_first=True)
        self.rul_head = Head(e, cfg["rul_head"]["hidden"], 1, dropout)
        self.health_head = Head(e, cfg["health_head"]["hidden"], len(cfg["health_classes"]), dropout)

    def forward(self, x):  # x [B, T, F] -> (rul_raw [B], logits [B, classes])
        h = x.transpose(1, 2)                     # [B, F, T]
        for blk in self.convs:
            h = blk(h)                            # [B, C, T]
        h, _ = self.lstm(h.transpose(1, 2))       # [B, T, E]
        h = self.norm(h)
        a, _ = self.attn(h, h, h, need_weights=False)
        if self.cfg["attention"]["residual"]:
            a = h + a
        pool = self.cfg["pooling"]
        if pool == "mean":
            p = a.mean(dim=1)
        elif pool == "max":
            p = a.max(dim=1).values
        elif pool == "last":
            p = a[:, -1]
        else:
            raise ValueError(pool)
        return self.rul_head(p).squeeze(-1), self.health_head(p)


# ---------------------------------------------------------------- data

def read_cmapss(path):
    """Rows of a C-MAPSS text file as float64 [rows, 26]."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt") as f:
        rows = [[float(v) for v in line.split()] for line in f if line.strip()]
    a = np.asarray(rows, dtype=np.float64)
    assert a.shape[1] == 26, a.shape
    return a


def fit_minmax(train, cfg):
    x = train[:, cfg["feature_columns"]]
    return x.min(axis=0), x.max(axis=0)


def scale(rows, cfg):
    """Min-max scaling with the config's statistics, in float64, then float32.
    A feature whose training range is zero (setting3 in FD001) scales to 0."""
    lo = np.asarray(cfg["scaling"]["min"], dtype=np.float64)
    hi = np.asarray(cfg["scaling"]["max"], dtype=np.float64)
    rng = hi - lo
    inv = np.where(rng > 0, 1.0 / np.where(rng > 0, rng, 1.0), 0.0)
    return ((rows[:, cfg["feature_columns"]] - lo) * inv).astype(np.float32)


def units(raw):
    """Unit ids in file order and the row range of each."""
    ids = raw[:, 0].astype(int)
    out = []
    start = 0
    for i in range(1, len(ids) + 1):
        if i == len(ids) or ids[i] != ids[start]:
            out.append((ids[start], start, i))
            start = i
    return out


def window_at(x, end, w):
    """The w rows ending at row `end` (exclusive) of one unit's scaled rows x;
    when fewer than w rows exist, the unit's first row is repeated at the front."""
    begin = end - w
    if begin >= 0:
        return x[begin:end]
    pad = np.repeat(x[:1], -begin, axis=0)
    return np.concatenate([pad, x[:end]], axis=0)


def last_windows(raw, cfg):
    """One window per unit (its last `window` cycles): ([units], [U, T, F] float32)."""
    x = scale(raw, cfg)
    ids, wins = [], []
    for uid, b, e in units(raw):
        ids.append(uid)
        wins.append(window_at(x[b:e], e - b, cfg["window"]))
    return ids, np.stack(wins)


def health_class(rul, cfg):
    t = cfg["class_thresholds"]
    return np.where(rul > t["healthy_above"], 0, np.where(rul > t["critical_at_or_below"], 1, 2))


# ---------------------------------------------------------------- export

def export(model, cfg, outdir, extra_meta=None):
    os.makedirs(outdir, exist_ok=True)
    sd = {k: v for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
    # Tensors in state_dict order.
    write_safetensors(os.path.join(outdir, "model.safetensors"), sd,
                      {"format": "pt", **(extra_meta or {})}, sort_names=False)
    with open(os.path.join(outdir, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")


def nasa_score(pred, true):
    d = np.asarray(pred, np.float64) - np.asarray(true, np.float64)
    return float(np.sum(np.where(d < 0, np.exp(-d / 13.0) - 1, np.exp(d / 10.0) - 1)))


def rmse(pred, true):
    d = np.asarray(pred, np.float64) - np.asarray(true, np.float64)
    return float(np.sqrt(np.mean(d * d)))
