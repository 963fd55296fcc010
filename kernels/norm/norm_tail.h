// The scalar tails of the SIMD variants of kernels/norm/norm.h (norm_avx2.cpp,
// norm_neon.cpp): each finishes, from index i, a loop whose leading elements the
// vector code handled, in the same f32 arithmetic on every ISA. (The scalar
// reference, norm_scalar.cpp, sums in double and does not use these.)
// Static: each file keeps its own copy, compiled for its own ISA.
#pragma once
#include <cmath>

namespace sprout::kern::norm_detail {

// acc + sum of x[i..n).
static inline float sum_tail(const float* x, int i, int n, float acc) {
  for (; i < n; ++i) acc += x[i];
  return acc;
}

// acc + sum of x[j]^2 over [i, n).
static inline float sum_sq_tail(const float* x, int i, int n, float acc) {
  for (; i < n; ++i) acc += x[i] * x[i];
  return acc;
}

// acc + sum of (x[j] - mean)^2 over [i, n).
static inline float sum_sq_dev_tail(const float* x, int i, int n, float mean, float acc) {
  for (; i < n; ++i) acc += (x[i] - mean) * (x[i] - mean);
  return acc;
}

// 1 / sqrt(sum_sq / n + eps): the scale of rmsnorm (sum_sq of x) and of layernorm (of x - mean).
static inline float inv_rms(float sum_sq, int n, float eps) { return 1.0f / std::sqrt(sum_sq / float(n) + eps); }

// rmsnorm output from i on.
static inline void rms_scale_tail(const float* x, const float* w, float inv, int i, int n, float* y) {
  for (; i < n; ++i) y[i] = x[i] * inv * w[i];
}

// layernorm output from i on; g or b may be null.
static inline void layer_affine_tail(const float* x, const float* g, const float* b, float mean, float inv, int i,
                                     int n, float* y) {
  for (; i < n; ++i) {
    float v = (x[i] - mean) * inv;
    if (g) v *= g[i];
    if (b) v += b[i];
    y[i] = v;
  }
}

}  // namespace sprout::kern::norm_detail
