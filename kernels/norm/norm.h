// Normalization kernels over one row of n floats.
//
//   rmsnorm:   y = x / sqrt(mean(x^2) + eps) * w            (Llama, Qwen2)
//   layernorm: y = (x - mean) / sqrt(var + eps) * g + b      (BERT, M2M100; biased variance
//              as torch.nn.LayerNorm; g or b may be null for 1 / 0)
//
// Layout: contiguous f32 rows; y may alias x. Accumulation in f32; the SIMD
// variants sum in a different order than the scalar reference (which sums in
// double), so they agree to a relative error of ~1e-6, not bit for bit.
// References: HF LlamaRMSNorm, torch.nn.LayerNorm (two-pass mean, then variance).
#pragma once
#include "kernels/common/dispatch.h"

namespace sprout::kern {

struct NormKernels {
  void (*rmsnorm)(const float* x, const float* w, float eps, int n, float* y);
  void (*layernorm)(const float* x, const float* g, const float* b, float eps, int n, float* y);
};

// The table for `isa`; entries an ISA does not specialize are the scalar ones.
const NormKernels& norm_kernels(Isa isa);
inline const NormKernels& norm_kernels() { return norm_kernels(active_isa()); }

inline void rmsnorm(const float* x, const float* w, float eps, int n, float* y) {
  norm_kernels().rmsnorm(x, w, eps, n, y);
}

inline void layernorm(const float* x, const float* g, const float* b, float eps, int n, float* y) {
  norm_kernels().layernorm(x, g, b, eps, n, y);
}

// Per-ISA tables, defined in norm_scalar.cpp, norm_avx2.cpp, norm_neon.cpp.
extern const NormKernels kNormScalar;
extern const NormKernels kNormAvx2;
extern const NormKernels kNormNeon;

}  // namespace sprout::kern
