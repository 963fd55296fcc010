// Row primitives for attention over f32, f16 or q8_0 key/value rows.
//
//   dot_f32(a, b, n)      = sum a[i] * b[i]            (q . k, f32 cache or plain K)
//   dot_f16(a, b, n)      = sum a[i] * f32(b[i])       (q . k, f16 cache)
//   axpy_f32(s, x, n, y)  : y[i] += s * x[i]           (weighted V sum)
//   axpy_f16(s, x, n, y)  : y[i] += s * f32(x[i])
//   to_f16(x, n, y)       : y[i] = f16(x[i]), round to nearest even (cache writes)
//   from_f16(x, n, y)     : y[i] = f32(x[i])
//
// Multi-key decode primitives: one query row against n_keys rows that start
// `stride` elements apart (row j at K + j * stride; stride >= hd, e.g. the
// [position][kv_head][head_dim] cache where stride = n_kv_heads * head_dim):
//   scores_f32/f16(q, K, stride, n_keys, hd, scale, s)
//                         : s[j] = scale * (sum_i q[i] * K[j * stride + i])
//   weighted_sum_f32/f16(p, V, stride, n_keys, hd, out)
//                         : out[d] = sum_j p[j] * V[j * stride + d]  (overwrites
//                           out; n_keys == 0 gives zeros; no key is skipped, so
//                           p[j] == 0 with a non-finite V row still gives NaN)
//   scores_q8_0, weighted_sum_q8_0: the same over q8_0 rows (GGUF blocks of 32,
//                           kernels/common/quant_blocks.h; value i of a row is
//                           d * qs[i]); hd must be a multiple of 32 and stride
//                           is counted in blocks (row j at K + j * stride)
//   from_q8_0(x, n, y)    : y[i] = f32(d) * qs[i] (exact), n a multiple of 32
// They replace one dot/axpy call per key: the SIMD scores run several keys at
// once with independent accumulators (q loaded once per group), the SIMD
// weighted sum keeps a block of output columns in registers across all keys,
// and both prefetch rows a few keys ahead (strided rows sit in different pages,
// where hardware prefetchers do not follow).
//
// The scalar dot accumulates in double (the oracle); SIMD dots use several f32
// FMA accumulators (agreement ~1e-6 relative to sum |a b|). axpy in SIMD uses
// FMA, so it differs from the scalar (separate multiply and add) by at most one
// rounding per element. The scalar scores round the double dot to f32, then
// multiply by scale in f32 (as dot * scale); the scalar weighted sum accumulates
// each column in double over the keys. SIMD scores agree with the scalar ones to
// ~1e-6 relative to scale * sum |q k|; the SIMD weighted sum (f32 FMA, keys in
// order) to (n_keys + 1) * 2^-23 relative to sum_j |p_j v_jd|. f16 conversions are
// exact / RNE and match kernels/common/fp16.h bit for bit. The q8_0 scores
// dequantize on the fly (every d * qs is exact in f32) and use f32 FMA, with the
// bounds of the f32/f16 ones (their SIMD form sums each block before scaling it
// by d: one rounding more per block, within ~1e-6). The AVX2 q8_0 weighted sum
// works in integers: per block of columns and chunk of 16 keys, the weights
// p_j * d_j are rounded to int16 on the step max|p_j d_j| / 32767 and the sums
// of int16 weight x int8 value pairs (vpmaddwd) kept in int32, so it may also
// differ by half a step times sum_j |qs_jc| per column (relative ~1.5e-5 of the
// largest weight; non-finite weights take the f32 path, which gives the NaN/inf).
// (The q8_0 rows are written by kernels/dot's q8_0 quantizer: GGUF's rounding.)
#pragma once
#include <cstdint>

#include "kernels/common/dispatch.h"
#include "kernels/common/fp16.h"
#include "kernels/common/quant_blocks.h"

namespace sprout::kern {

struct AttnKernels {
  float (*dot_f32)(const float* a, const float* b, int n);
  float (*dot_f16)(const float* a, const f16_t* b, int n);
  void (*axpy_f32)(float s, const float* x, int n, float* y);
  void (*axpy_f16)(float s, const f16_t* x, int n, float* y);
  void (*to_f16)(const float* x, int n, f16_t* y);
  void (*from_f16)(const f16_t* x, int n, float* y);
  void (*scores_f32)(const float* q, const float* K, int64_t stride, int n_keys, int hd, float scale, float* s);
  void (*scores_f16)(const float* q, const f16_t* K, int64_t stride, int n_keys, int hd, float scale, float* s);
  void (*weighted_sum_f32)(const float* p, const float* V, int64_t stride, int n_keys, int hd, float* out);
  void (*weighted_sum_f16)(const float* p, const f16_t* V, int64_t stride, int n_keys, int hd, float* out);
  void (*from_q8_0)(const block_q8_0* x, int n, float* y);
  void (*scores_q8_0)(const float* q, const block_q8_0* K, int64_t stride, int n_keys, int hd, float scale, float* s);
  void (*weighted_sum_q8_0)(const float* p, const block_q8_0* V, int64_t stride, int n_keys, int hd, float* out);
};

const AttnKernels& attn_kernels(Isa isa);
inline const AttnKernels& attn_kernels() { return attn_kernels(active_isa()); }

extern const AttnKernels kAttnScalar;
extern const AttnKernels kAttnAvx2;
extern const AttnKernels kAttnNeon;

}  // namespace sprout::kern
