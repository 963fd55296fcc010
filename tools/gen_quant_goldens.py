#!/usr/bin/env python3
"""Golden bytes for engine/quantize.h: GGUF's reference quantization of fixed inputs.

The reference is ggml itself: libggml-base.so as shipped prebuilt in the npm package
@node-llama-cpp/linux-x64@3.22.1 (llama.cpp release built by node-llama-cpp; sha256 of the
library 6c342c8a...486e). Get it with

    cd /tmp && npm pack @node-llama-cpp/linux-x64@3.22.1 && tar xzf node-llama-cpp-linux-x64-3.22.1.tgz

and run

    /usr/bin/python3 tools/gen_quant_goldens.py /tmp/package/bins/linux-x64/libggml-base.so

It calls ggml's exported reference rows (quantize_row_<t>_ref, ggml_fp32_to_fp16_row,
ggml_fp32_to_bf16_row_ref, dequantize_row_<t>) through ctypes, so the fixtures come from an
implementation independent of Sprout's. Writes tests/data/quant/:
    input.f32          2048 float32 values (8 blocks of 256 with different character)
    <type>.bin         the input quantized as one row of 2048 values
    <type>.deq.f32     ggml's dequantization of <type>.bin
"""
import ctypes
import os
import sys

import numpy as np

N = 2048
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "quant")

# name -> (quantize symbol, dequantize symbol, bytes per block, values per block)
TYPES = {
    "q8_0": ("quantize_row_q8_0_ref", "dequantize_row_q8_0", 34, 32),
    "q4_0": ("quantize_row_q4_0_ref", "dequantize_row_q4_0", 18, 32),
    "q4_1": ("quantize_row_q4_1_ref", "dequantize_row_q4_1", 20, 32),
    "q5_0": ("quantize_row_q5_0_ref", "dequantize_row_q5_0", 22, 32),
    "q5_1": ("quantize_row_q5_1_ref", "dequantize_row_q5_1", 24, 32),
    "q4_k": ("quantize_row_q4_K_ref", "dequantize_row_q4_K", 144, 256),
    "q5_k": ("quantize_row_q5_K_ref", "dequantize_row_q5_K", 176, 256),
    "q6_k": ("quantize_row_q6_K_ref", "dequantize_row_q6_K", 210, 256),
    "q8_k": ("quantize_row_q8_K_ref", "dequantize_row_q8_K", 292, 256),
    "f16": ("ggml_fp32_to_fp16_row", "ggml_fp16_to_fp32_row", 2, 1),
    "bf16": ("ggml_fp32_to_bf16_row_ref", "ggml_bf16_to_fp32_row", 2, 1),
}


def make_input():
    rng = np.random.RandomState(20261121)
    b = []
    b.append(rng.uniform(-1, 1, 256))                                   # 0 uniform
    g = rng.normal(0, 3, 256); g[[5, 77, 200]] = [40.0, -55.0, 61.0]
    b.append(g)                                                         # 1 gaussian + outliers
    b.append(rng.uniform(0.1, 2.0, 256))                                # 2 all positive
    b.append(-rng.uniform(0.05, 1.5, 256))                              # 3 all negative
    b.append(rng.normal(0, 1e-6, 256))                                  # 4 tiny (subnormal f16 scales)
    z = rng.normal(0, 0.5, 256); z[:32] = 0.0; z[32:64] = 0.75; z[64:80] = -0.25
    b.append(z)                                                         # 5 zero / constant sub-blocks
    b.append(rng.normal(0, 3000, 256))                                  # 6 large
    t = np.zeros(256)
    for s in range(8):                                                  # 7 exact .5 ties
        sub = np.arange(32) - 16 + 0.5
        sub[0] = 127.0
        t[32 * s:32 * s + 32] = sub
    b.append(t)
    return np.concatenate(b).astype(np.float32)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    lib = ctypes.CDLL(sys.argv[1])
    x = make_input()
    assert x.size == N
    os.makedirs(OUT, exist_ok=True)
    x.tofile(os.path.join(OUT, "input.f32"))
    xp = x.ctypes.data_as(ctypes.c_void_p)
    for name, (qsym, dsym, bb, be) in TYPES.items():
        nbytes = N // be * bb
        q = np.zeros(nbytes, dtype=np.uint8)   # zeroed: ggml leaves q8_K bsums of all-zero blocks unset
        getattr(lib, qsym)(xp, q.ctypes.data_as(ctypes.c_void_p), ctypes.c_int64(N))
        d = np.zeros(N, dtype=np.float32)
        getattr(lib, dsym)(q.ctypes.data_as(ctypes.c_void_p), d.ctypes.data_as(ctypes.c_void_p), ctypes.c_int64(N))
        q.tofile(os.path.join(OUT, name + ".bin"))
        d.tofile(os.path.join(OUT, name + ".deq.f32"))
        print(f"{name}: {nbytes} bytes, max |deq - x| = {np.max(np.abs(d - x)):.4g}")


if __name__ == "__main__":
    main()
