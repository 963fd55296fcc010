// AVX2+FMA variant of kernels/conv1d/conv1d.h: per output row, axpy of each
// input value into the Cout-long accumulator row.
#include <immintrin.h>

#include <cstddef>

#include "kernels/conv1d/conv1d.h"

namespace sprout::kern {
namespace {

void conv1d(const float* x, int T, int Cin, const float* wp, const float* b, int Cout, int k, int t0, int t1,
            float* y) {
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
        const __m256 vx = _mm256_set1_ps(xv);
        int o = 0;
        for (; o + 8 <= Cout; o += 8)
          _mm256_storeu_ps(yr + o, _mm256_fmadd_ps(vx, _mm256_loadu_ps(w + o), _mm256_loadu_ps(yr + o)));
        for (; o < Cout; ++o) yr[o] += xv * w[o];
      }
    }
  }
}

}  // namespace

const Conv1dKernels kConv1dAvx2 = {conv1d};

}  // namespace sprout::kern
