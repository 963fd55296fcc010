// Row quantization and dequantization for GGUF's block formats (layouts in
// kernels/common/quant_blocks.h), as raw-pointer kernels.
//
// quantize_*: f32 -> blocks, bit for bit GGUF's reference rounding (ggml's
//   quantize_row_<t>_ref without importance weights):
//   q8_0   d = amax/127, q = roundf(x/d)                  (ties away from zero)
//   q4_0   d = max/-8 (max = the value of largest |x|), q = min(15, trunc(x/d + 8.5))
//   q5_0   d = max/-16, q = min(31, trunc(x/d + 16.5))
//   q4_1   d = (max-min)/15, m = min, q = min(15, trunc((x-min)/d + 0.5))
//   q5_1   d = (max-min)/31, m = min, q = trunc((x-min)/d + 0.5)
//   q4_K   per 32-value sub-block an iterative weighted least-squares search for
//          (scale, min) (make_qkx2: 21 candidate grids, weights |x| + rms), then
//          6-bit scales/mins relative to the block's max, and a final requantization
//   q5_K   as q4_K with 5-bit values (16 candidate grids)
//   q6_K   per 16-value sub-block a scale search over 19 grids (make_qx, weights x^2),
//          8-bit sub-block scales relative to the largest
//   q8_K   d = max/-127 (max signed as above), q = min(127, round(x/d)), bsums
//   rounding to nearest ties-to-even where the reference uses nearest_int.
//   n must be a multiple of the block size (32 or 256).
// dequantize_*: blocks -> f32, the reference's arithmetic and operation order
//   (so results equal ggml's dequantize_row_<t> exactly).
// Plain types: f16 and bf16 round to nearest even (kernels/common/fp16.h).
//
// These run at load/convert time, not per token, so they are scalar only; the
// hot activation quantizers live in kernels/dot/ (dot.h).
#pragma once
#include <cstdint>

namespace sprout::kern {

void quantize_q8_0(const float* x, int64_t n, void* out);
void quantize_q4_0(const float* x, int64_t n, void* out);
void quantize_q4_1(const float* x, int64_t n, void* out);
void quantize_q5_0(const float* x, int64_t n, void* out);
void quantize_q5_1(const float* x, int64_t n, void* out);
void quantize_q4_K(const float* x, int64_t n, void* out);
void quantize_q5_K(const float* x, int64_t n, void* out);
void quantize_q6_K(const float* x, int64_t n, void* out);
void quantize_q8_K(const float* x, int64_t n, void* out);
void quantize_f16(const float* x, int64_t n, void* out);
void quantize_bf16(const float* x, int64_t n, void* out);

void dequantize_q8_0(const void* x, int64_t n, float* out);
void dequantize_q4_0(const void* x, int64_t n, float* out);
void dequantize_q4_1(const void* x, int64_t n, float* out);
void dequantize_q5_0(const void* x, int64_t n, float* out);
void dequantize_q5_1(const void* x, int64_t n, float* out);
void dequantize_q4_K(const void* x, int64_t n, float* out);
void dequantize_q5_K(const void* x, int64_t n, float* out);
void dequantize_q6_K(const void* x, int64_t n, float* out);
void dequantize_q8_K(const void* x, int64_t n, float* out);
void dequantize_f16(const void* x, int64_t n, float* out);
void dequantize_bf16(const void* x, int64_t n, float* out);

// The 6-bit (scale, min) pair of sub-block j (0..7) of a q4_K / q5_K block.
inline void get_scale_min_k4(int j, const uint8_t* q, uint8_t* sc, uint8_t* m) {
  if (j < 4) {
    *sc = q[j] & 63;
    *m = q[j + 4] & 63;
  } else {
    *sc = uint8_t((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
    *m = uint8_t((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
  }
}

// Round to nearest, ties to even, for |x| <= 2^22 (ggml's nearest_int: adding
// 1.5*2^23 puts the integer in the low mantissa bits).
inline int nearest_int(float x) {
  const float v = x + 12582912.f;
  int32_t i;
  __builtin_memcpy(&i, &v, 4);
  return (i & 0x007fffff) - 0x00400000;
}

}  // namespace sprout::kern
