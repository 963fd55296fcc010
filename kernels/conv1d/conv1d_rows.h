// The row loop of the SIMD variants of kernels/conv1d/conv1d.h (conv1d_avx2.cpp,
// conv1d_neon.cpp), written once: per output row, an axpy of each input value
// into the Cout-long f32 accumulator row. Each variant passes its vector axpy as
// a lambda `(float xv, const float* w, float* yr, int Cout) -> int` that updates
// the leading outputs and returns the first index it left; the scalar tail here
// does the rest. (The scalar reference accumulates in double and does not use this.)
// Static: each file keeps its own copy, compiled for its own ISA.
#pragma once
#include <cstddef>

namespace sprout::kern::conv1d_detail {

template <class VecAxpy>
static inline void conv1d_rows(const float* x, int T, int Cin, const float* wp, const float* b, int Cout, int k, int t0,
                        int t1, float* y, VecAxpy axpy) {
  const int pad = k / 2;
  for (int t = t0; t < t1; ++t) {
    float* yr = y + size_t(t) * Cout;
    for (int o = 0; o < Cout; ++o) yr[o] = b ? b[o] : 0.f;
    for (int j = 0; j < k; ++j) {
      const int ts = t + j - pad;
      if (ts < 0 || ts >= T) continue;
      for (int c = 0; c < Cin; ++c) {
        const float xv = x[size_t(ts) * Cin + c];
        const float* w = wp + (size_t(j) * Cin + c) * Cout;
        for (int o = axpy(xv, w, yr, Cout); o < Cout; ++o) yr[o] += xv * w[o];
      }
    }
  }
}

}  // namespace sprout::kern::conv1d_detail
