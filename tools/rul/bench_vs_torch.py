#!/usr/bin/env python3
"""Sprout vs PyTorch on the RUL model, same machine, same run.

    /usr/bin/python3 tools/rul/bench_vs_torch.py [--build build] [--repeats 5]

1. Latency / throughput: batch 1 and batch 256 with 1 and 2 threads. Sprout via
   build/bench/sprout_bench_rul (Google Benchmark, JSON); PyTorch in this process
   (eval mode, torch.no_grad(), torch.set_num_threads(n)), the same inputs.
2. Memory: for batch 1, 8, 32, 64, 128, 256, 512, one fresh process per batch:
   Sprout's peak RSS and activation-arena peak (sprout_bench_rul --memory B);
   PyTorch's peak RSS for one forward in a fresh interpreter.
Prints markdown tables (pasted into docs/rul.md and docs/performance.md).
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
import rul_model as rm  # noqa: E402
from make_goldens import load  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MODEL = os.path.join(ROOT, "app", "assets", "rul_fd001")
DATA = os.path.join(ROOT, "tests", "data", "rul", "test_FD001.txt")
BATCHES = [1, 8, 32, 64, 128, 256, 512]

TORCH_MEM = r"""
import sys, numpy as np, torch
def hwm():  # VmHWM of this process image (ru_maxrss would include the parent's peak)
    return [float(l.split()[1]) / 1024 for l in open("/proc/self/status") if l.startswith("VmHWM")][0]
sys.path.insert(0, %r)
import rul_model as rm
from make_goldens import load
torch.set_num_threads(1)
cfg, model = load(%r)
_, x = rm.last_windows(rm.read_cmapss(%r), cfg)
b = %d
x = torch.from_numpy(np.resize(x, (b,) + x.shape[1:]).copy())
before = hwm()
with torch.no_grad():
    model(x)
print(before, hwm())
"""


def torch_time(model, x, threads):
    """Mean wall ms and mean process CPU ms per forward (CPU of all threads)."""
    torch.set_num_threads(threads)
    with torch.no_grad():
        model(x)
        n, t0, c0 = 0, time.perf_counter(), time.process_time()
        while n < 3 or time.perf_counter() - t0 < 2.0:
            model(x)
            n += 1
    return (time.perf_counter() - t0) / n * 1e3, (time.process_time() - c0) / n * 1e3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--memory-only", action="store_true")
    args = ap.parse_args()
    exe = os.path.join(args.build, "bench", "sprout_bench_rul")

    if args.memory_only:
        return memory_table(exe)
    out = subprocess.run([exe, "--benchmark_format=json", "--benchmark_min_time=1"], check=True,
                         capture_output=True, text=True).stdout
    sprout = {}
    for b in json.loads(out)["benchmarks"]:
        parts = dict(p.split(":") for p in b["name"].split("/")[1:] if ":" in p)
        sprout[(int(parts["batch"]), int(parts["threads"]), int(parts["int8"]))] = (b["real_time"], b["cpu_time"])

    cfg, model = load(MODEL)
    _, xs = rm.last_windows(rm.read_cmapss(DATA), cfg)
    print(f"torch {torch.__version__}, BLAS: {torch.__config__.show().split('BLAS_INFO=')[1].split(',')[0]}")
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print("\nWall ms per forward (CPU ms in brackets: main thread for Sprout, whole process for PyTorch).")
    print("\n| batch | threads | Sprout f32 | Sprout int8 | PyTorch | Sprout samples/s | PyTorch samples/s | Sprout vs PyTorch (wall) | (CPU, 1 thread) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for batch in (1, 256):
        x = torch.from_numpy(np.resize(xs, (batch,) + xs.shape[1:]).copy())
        for threads in (1, 2):
            t_wall, t_cpu = torch_time(model, x, threads)
            s_wall, s_cpu = sprout[(batch, threads, 0)]
            q = sprout.get((batch, threads, 1))
            qs = f"{q[0]:.2f} [{q[1]:.2f}]" if q else "-"
            cpu_ratio = f"{t_cpu / s_cpu:.1f}x" if threads == 1 else "-"
            print(f"| {batch} | {threads} | {s_wall:.2f} [{s_cpu:.2f}] | {qs} | {t_wall:.2f} [{t_cpu:.2f}] | "
                  f"{batch / s_wall * 1e3:.0f} | {batch / t_wall * 1e3:.0f} | {t_wall / s_wall:.1f}x | {cpu_ratio} |")

    memory_table(exe)


def memory_table(exe):
    print("\n| batch | Sprout peak RSS MB | Sprout arena peak MB | PyTorch peak RSS MB | PyTorch forward increase MB |")
    print("|---|---|---|---|---|")
    rows = []
    for b in BATCHES:
        r = json.loads(subprocess.run([exe, "--memory", str(b)], check=True, capture_output=True, text=True).stdout)
        t = subprocess.run([sys.executable, "-c", TORCH_MEM % (os.path.dirname(os.path.abspath(__file__)), MODEL, DATA, b)],
                           check=True, capture_output=True, text=True).stdout.split()
        t_before, t_peak = float(t[0]), float(t[1])
        rows.append((b, r["peak_rss_mb"], r["arena_peak_mb"], t_peak))
        print(f"| {b} | {r['peak_rss_mb']:.1f} | {r['arena_peak_mb']:.2f} | {t_peak:.1f} | {t_peak - t_before:.1f} |")
    (b0, s0, a0, t0), (b1, s1, a1, t1) = rows[0], rows[-1]
    print(f"\nper-sample slope (batch {b0}..{b1}): Sprout RSS {(s1 - s0) / (b1 - b0) * 1024:.1f} KB, "
          f"arena {(a1 - a0) / (b1 - b0) * 1024:.1f} KB, PyTorch RSS {(t1 - t0) / (b1 - b0) * 1024:.1f} KB")


if __name__ == "__main__":
    main()
