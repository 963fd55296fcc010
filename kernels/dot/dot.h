// Dot products of one weight row with one activation row: the inner loop of
// every GEMV/GEMM (engine/linear.cpp), following ggml's vec_dot design.
//
// Weight rows are in their stored format (GGUF blocks, kernels/common/quant_blocks.h;
// f32/f16/bf16; or per-row int8). Activations are f32 rows quantized once per row,
// on the fly, into the companion format the integer kernels want:
//
//   weights                      activations   per-block arithmetic
//   f32, f16, bf16               f32           f32 FMA (f16 via F16C / vcvt)
//   q8_0, q4_0, q5_0             q8_0          int32 sum of q_w*q_a, then += d_w*d_a*sum
//   q4_1, q5_1                   q8_0          as above + m_w*d_a*sum(q_a)
//   q4_K, q5_K                   q8_K          int sums per 32-value sub-block times 6-bit
//                                              scales; mins through q8_K's bsums
//   q6_K                         q8_K          int sums per 16, int8 scales; -32 offset via bsums
//   i8_row                       i8 (per row)  one int32 sum; the caller multiplies by both scales
//
// A q8_0 activation row of n values is laid out as float d[nb], float ds[nb],
// int32 sum[nb], then nb block_q8_0 (nb = n/32): d[i] is block i's scale as f32,
// sum[i] the sum of its q, ds[i] = d[i] * sum[i]. The blocks are plain GGUF q8_0;
// the arrays are computed once per activation row and spare every weight row the
// f16 scale conversion and the sum(q_a) that the offset formats need (q4_0's -8
// and q5_0's -16 exactly in int32, q4_1/q5_1's m_w * d_a * sum(q_a) in f32).
//
// Activation quantization: q8_0 is d = amax/127, q = roundf(x/d) (ties away from
// zero, GGUF's reference); q8_K is d = max/-127, q = nearest_int(x/d) (ties to
// even, GGUF's reference); i8 is scale = amax/127, q = roundf(x/scale). The SIMD
// quantizers produce exactly the scalar bytes.
//
// Accumulation: integer sums are exact; block results are accumulated in f32.
// SIMD variants sum blocks in another order than the scalar oracle, so dots agree
// to ~1e-6 of sum |terms|, not bit for bit. int32 sums are exact for q8_0-family
// blocks; the i8 kernel's single int32 sum is exact for n < 2^31 / 127^2 = 133,144.
//
// n (values per row) must be a multiple of the weight's block size (32 or 256);
// any n >= 1 for f32, f16, bf16, i8. Kernels are single-threaded.
#pragma once
#include <cstddef>
#include <cstdint>

#include "kernels/common/dispatch.h"
#include "kernels/common/quant_blocks.h"

namespace sprout::kern {

// Activation formats, and weight formats by the activation they pair with.
enum class ActFormat { f32, q8_0, q8_K, i8 };
enum class WeightFormat { f32, f16, bf16, q8_0, q4_0, q4_1, q5_0, q5_1, q4_K, q5_K, q6_K, i8, count };

ActFormat act_format(WeightFormat w);

struct Q8Row {
  const float* d;
  const float* ds;
  const int32_t* sum;
  const block_q8_0* b;
};
inline Q8Row q8_0_row(const void* a, int n) {
  const int nb = n / QK8_0;
  const float* f = static_cast<const float*>(a);
  return {f, f + nb, reinterpret_cast<const int32_t*>(f + 2 * nb), reinterpret_cast<const block_q8_0*>(f + 3 * nb)};
}
// Fills d[], ds[] and sum[] of a q8_0 activation row whose blocks are written.
void q8_0_row_sums(int n, void* a);
// Bytes of one activation row of n values in format f (i8: n bytes; its scale is separate),
// rounded up to a multiple of 64 so consecutive rows stay aligned.
size_t act_row_bytes(ActFormat f, int n);

// w: one weight row; a: one activation row in act_format(w) (f32 for float weights).
using DotFn = float (*)(int n, const void* w, const void* a);
// Two weight rows against one activation row: out[0] = dot(w0, a), out[1] = dot(w1, a),
// computed in lockstep. A GEMV that walks two rows far apart in memory (different
// pages) keeps two DRAM streams in flight per core; one stream at a time leaves
// decode ~25% below the bandwidth two streams reach (docs/performance.md, "GEMV
// streams"). Results equal dot() on each row up to f32 summation order.
using Dot2Fn = void (*)(int n, const void* w0, const void* w1, const void* a, float* out);

struct DotKernels {
  void (*quantize_q8_0)(const float* x, int n, void* out);   // n % 32 == 0
  void (*quantize_q8_K)(const float* x, int n, void* out);   // n % 256 == 0
  float (*quantize_i8)(const float* x, int n, int8_t* out);  // returns the scale
  DotFn dot[int(WeightFormat::count)];  // i8 entry returns float(int32 sum), unscaled
  // Optional (nullptr: callers run dot() on each row, in the same interleaved order).
  Dot2Fn dot2[int(WeightFormat::count)];
};

// The table for `isa`; entries an ISA does not specialize are the scalar ones.
const DotKernels& dot_kernels(Isa isa);
inline const DotKernels& dot_kernels() { return dot_kernels(active_isa()); }

// Per-ISA tables. Each SIMD file fills only what it specializes (nullptr
// elsewhere); dot_kernels() merges them over the scalar table.
extern const DotKernels kDotScalar;
extern const DotKernels kDotAvx2;
extern const DotKernels kDotNeon;
extern const DotKernels kDotNeonDot;

}  // namespace sprout::kern
