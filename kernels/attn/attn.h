// Row primitives for attention over f32 or f16 key/value rows.
//
//   dot_f32(a, b, n)      = sum a[i] * b[i]            (q . k, f32 cache or plain K)
//   dot_f16(a, b, n)      = sum a[i] * f32(b[i])       (q . k, f16 cache)
//   axpy_f32(s, x, n, y)  : y[i] += s * x[i]           (weighted V sum)
//   axpy_f16(s, x, n, y)  : y[i] += s * f32(x[i])
//   to_f16(x, n, y)       : y[i] = f16(x[i]), round to nearest even (cache writes)
//   from_f16(x, n, y)     : y[i] = f32(x[i])
//
// The scalar dot accumulates in double (the oracle); SIMD dots use several f32
// FMA accumulators (agreement ~1e-6 relative to sum |a b|). axpy in SIMD uses
// FMA, so it differs from the scalar (separate multiply and add) by at most one
// rounding per element. f16 conversions are exact / RNE and match
// kernels/common/fp16.h bit for bit.
#pragma once
#include "kernels/common/dispatch.h"
#include "kernels/common/fp16.h"

namespace sprout::kern {

struct AttnKernels {
  float (*dot_f32)(const float* a, const float* b, int n);
  float (*dot_f16)(const float* a, const f16_t* b, int n);
  void (*axpy_f32)(float s, const float* x, int n, float* y);
  void (*axpy_f16)(float s, const f16_t* x, int n, float* y);
  void (*to_f16)(const float* x, int n, f16_t* y);
  void (*from_f16)(const f16_t* x, int n, float* y);
};

const AttnKernels& attn_kernels(Isa isa);
inline const AttnKernels& attn_kernels() { return attn_kernels(active_isa()); }

extern const AttnKernels kAttnScalar;
extern const AttnKernels kAttnAvx2;
extern const AttnKernels kAttnNeon;

}  // namespace sprout::kern
