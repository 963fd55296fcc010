// The matmul every model uses: y[M, N] = x[M, K] @ W[N, K]^T (+ bias[N]).
//
// W (a view, usually into a mapped model file) is f32, f16, bf16, q8_0, q4_0,
// q4_1, q5_0, q5_1, q4_k, q5_k, q6_k or i8_row ({N, K}, contiguous rows; i8_row
// needs W.row_scale). x and y are contiguous f32 rows. Each row of x is
// quantized once to the weight's companion activation format (kernels/dot/dot.h:
// q8_0, q8_K or per-row int8; f32 for float weights) and shared by all N outputs.
// Threaded with OpenMP over output features (num_threads()).
//
// M == 1 (decode) streams W once (GEMV). M > 1 walks W in tiles that stay in
// cache while every row of x passes over them, so W is read from memory once.
// Results equal the scalar dot kernels' per (row, output) up to the SIMD
// summation order (see dot.h for the accuracy statement).
#pragma once
#include <cstdint>

#include "engine/tensor.h"

namespace sprout {

// Throws Error("linear", ...) for an unsupported dtype, a non-2-D or
// non-contiguous W, or an i8_row W without row scales.
void linear(const Tensor& W, const float* x, int64_t M, float* y, const float* bias = nullptr);

// True when linear() can use W's dtype.
bool linear_supports(DType t);

// Fast-path hook for a packed/blocked GEMM: linear() calls this first and uses
// its own path only when it returns false. The default (engine/linear_gemm.cpp)
// declines everything; a GEMM implementation replaces that file.
bool linear_gemm(const Tensor& W, const float* x, int64_t M, float* y, const float* bias);

}  // namespace sprout
