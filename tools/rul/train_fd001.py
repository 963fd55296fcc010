#!/usr/bin/env python3
"""Train the shipped RUL model on NASA C-MAPSS FD001 and export it.

    /usr/bin/python3 tools/rul/train_fd001.py [--max-minutes 14] [--out app/assets/rul_fd001]

Debian's torch links the reference (netlib) BLAS; with OpenBLAS unpacked from the
libopenblas0-pthread .deb and put first on LD_LIBRARY_PATH, training is ~3x faster.
The shipped model was trained that way with ONE thread (--threads 1, OPENBLAS_NUM_THREADS=1):
on a loaded shared machine, 2 OpenMP/OpenBLAS threads spin-wait and a step became ~15x
slower. The learning rate follows a wall-clock budget (--max-minutes, default 14).

Data (tests/data/rul/, copied from the NASA Prognostics Data Repository files):
train_FD001.txt.gz for training, test_FD001.txt + RUL_FD001.txt for the report.

Preprocessing (the native code in models/rul/cmapss.* does the same):
  * features: the 3 operating settings + the 14 informative sensors;
  * min-max scaling fitted on the training rows (stored in config.json);
  * windows of `window` cycles; a window ending before cycle `window` repeats the
    unit's first row at the front. Training windows end at every cycle t >= 30
    (the shortest FD001 test unit has 31 cycles), so padded windows are seen in
    training just as they appear at test time;
  * target: piecewise-linear RUL, min(cycles left, 125), divided by rul_scale;
  * health label from the capped RUL: > 75 healthy, 26..75 degrading, <= 25 critical.
Loss: MSE on the scaled RUL + 0.05 * cross-entropy on the class. 10 training units
are held out to pick the best checkpoint (checked every --eval-every steps);
the test set is never used for selection.
"""
import argparse
import json
import os
import time

import numpy as np
import torch

import rul_model as rm

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DATA = os.path.join(ROOT, "tests", "data", "rul")


def training_windows(raw, cfg, unit_ids, min_end=30):
    x = rm.scale(raw, cfg)
    xs, ys = [], []
    for uid, b, e in rm.units(raw):
        if uid not in unit_ids:
            continue
        n = e - b
        for end in range(min(min_end, n), n + 1):
            xs.append(rm.window_at(x[b:e], end, cfg["window"]))
            ys.append(min(n - end, cfg["rul_cap"]))
    y = np.asarray(ys, dtype=np.float64)
    return np.stack(xs), y


def predict(model, x, bs=512):
    model.eval()
    outs, logits = [], []
    with torch.no_grad():
        for i in range(0, len(x), bs):
            r, c = model(torch.from_numpy(x[i:i + bs]))
            outs.append(r.numpy())
            logits.append(c.numpy())
    return np.concatenate(outs), np.concatenate(logits)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=1000)
    ap.add_argument("--eval-every", type=int, default=60)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-minutes", type=float, default=14.0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", default=os.path.join(ROOT, "app", "assets", "rul_fd001"))
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    rng = np.random.default_rng(args.seed)

    cfg = json.loads(json.dumps(rm.DEFAULT_CONFIG))
    train_raw = rm.read_cmapss(os.path.join(DATA, "train_FD001.txt.gz"))
    lo, hi = rm.fit_minmax(train_raw, cfg)
    cfg["scaling"] = {"type": "minmax", "min": lo.tolist(), "max": hi.tolist()}

    all_units = sorted(set(train_raw[:, 0].astype(int)))
    val_units = set(rng.choice(all_units, size=10, replace=False).tolist())
    tr_units = set(all_units) - val_units
    xtr, ytr = training_windows(train_raw, cfg, tr_units)
    xva, yva = training_windows(train_raw, cfg, val_units)
    xva, yva = xva[::4], yva[::4]  # every 4th window keeps the checks cheap
    ctr = rm.health_class(ytr, cfg)
    print(f"train windows {len(xtr)}, val windows {len(xva)}, classes {np.bincount(ctr)}", flush=True)

    test_raw = rm.read_cmapss(os.path.join(DATA, "test_FD001.txt"))
    true_rul = np.loadtxt(os.path.join(DATA, "RUL_FD001.txt"))
    test_ids, xte = rm.last_windows(test_raw, cfg)

    model = rm.RulNet(cfg, dropout=0.1)
    print(f"parameters: {sum(p.numel() for p in model.parameters())}", flush=True)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    xt = torch.from_numpy(xtr)
    yt = torch.from_numpy((ytr / cfg["rul_scale"]).astype(np.float32))
    ct = torch.from_numpy(ctr.astype(np.int64))

    # The learning rate follows the wall-clock budget (linear warm-up over the first
    # 5%, then cosine decay to 2% at --max-minutes): the machine is shared, so a
    # schedule in steps would end at an unpredictable time.
    budget = args.max_minutes * 60
    best, best_state, t0, step, epoch = 1e9, None, time.time(), 0, 0
    done = False
    while not done and epoch < args.epochs:
        epoch += 1
        model.train()
        perm = torch.randperm(len(xt))
        tot = 0.0
        for i in range(0, len(perm), args.batch):
            frac = (time.time() - t0) / budget
            if frac >= 1.0:
                done = True
                break
            lr = args.lr * (frac / 0.05 if frac < 0.05 else 0.02 + 0.98 * 0.5 * (1 + np.cos(np.pi * (frac - 0.05) / 0.95)))
            for g in opt.param_groups:
                g["lr"] = lr
            idx = perm[i:i + args.batch]
            r, logits = model(xt[idx])
            loss = torch.nn.functional.mse_loss(r, yt[idx]) + 0.05 * torch.nn.functional.cross_entropy(logits, ct[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            tot += loss.item() * len(idx)
            if step % args.eval_every == 0:
                pv, _ = predict(model, xva)
                val = rm.rmse(pv * cfg["rul_scale"], yva)
                pt, _ = predict(model, xte)
                te = rm.rmse(pt * cfg["rul_scale"], true_rul)
                mins = (time.time() - t0) / 60
                print(f"epoch {epoch} step {step}: lr {lr:.5f} loss {tot / (i + len(idx)):.5f} val rmse {val:.3f} "
                      f"(test {te:.3f}) {mins:.1f} min", flush=True)
                if val < best:
                    best = val
                    best_state = {k: v.clone() for k, v in model.state_dict().items()}
                model.train()

    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    pt, logits = predict(model, xte)
    rul = pt * cfg["rul_scale"]
    cls_true = rm.health_class(np.minimum(true_rul, cfg["rul_cap"]), cfg)
    metrics = {
        "val_rmse": best,
        "test_rmse": rm.rmse(rul, true_rul),
        "test_rmse_true_capped_125": rm.rmse(rul, np.minimum(true_rul, cfg["rul_cap"])),
        "test_nasa_score": rm.nasa_score(rul, true_rul),
        "test_health_accuracy": float(np.mean(np.argmax(logits, 1) == cls_true)),
        "train_minutes": (time.time() - t0) / 60,
        "epochs_run": round(step * args.batch / len(xt), 2),
        "steps": step,
        "torch": torch.__version__,
    }
    print(json.dumps(metrics, indent=2))
    rm.export(model, cfg, args.out, {"trained_on": "C-MAPSS FD001", "test_rmse": f"{metrics['test_rmse']:.4f}"})
    with open(os.path.join(args.out, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
