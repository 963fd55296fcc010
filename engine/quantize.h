// Conversions between dtypes, row by row: f32 -> any block-quantized or float
// dtype with GGUF's reference rounding (bit for bit what ggml writes), and any
// dtype -> f32. The kernels behind them are in kernels/quant/quant.h.
#pragma once
#include <cstdint>
#include <vector>

#include "engine/dtype.h"
#include "engine/tensor.h"

namespace sprout {

// f32 -> t for t in f32, f16, bf16, q8_0, q4_0, q4_1, q5_0, q5_1, q4_k, q5_k,
// q6_k, q8_k. n must be a whole number of blocks; out holds row_bytes(t, n).
// Throws Error for other dtypes (i8_row: use quantize_row_i8) or a bad n.
void quantize_row(DType t, const float* x, int64_t n, void* out);
// t -> f32 for the dtypes above and the plain integer/f64 types (as values).
// i8_row needs its scale: use dequantize_row_i8.
void dequantize_row(DType t, const void* x, int64_t n, float* out);

// Per-row symmetric int8 (DType::i8_row): scale = max|x| / 127, q = round(x / scale)
// (ties away from zero). Returns the scale (0 for an all-zero row).
float quantize_row_i8(const float* x, int64_t n, int8_t* out);
void dequantize_row_i8(const int8_t* x, float scale, int64_t n, float* out);

// Whole tensor (any dtype incl. i8_row with its row_scale, f16, bf16, i32/i64
// as values) -> f32, contiguous, numel() values. The tensor must be contiguous.
void to_f32(const Tensor& t, float* out);
std::vector<float> to_f32(const Tensor& t);

}  // namespace sprout
