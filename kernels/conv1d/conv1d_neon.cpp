// NEON variant of kernels/conv1d/conv1d.h: per output row, axpy of each
// input value into the Cout-long accumulator row.
#include <arm_neon.h>

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
        int o = 0;
        for (; o + 4 <= Cout; o += 4) vst1q_f32(yr + o, vfmaq_n_f32(vld1q_f32(yr + o), vld1q_f32(w + o), xv));
        for (; o < Cout; ++o) yr[o] += xv * w[o];
      }
    }
  }
}

}  // namespace

const Conv1dKernels kConv1dNeon = {conv1d};

}  // namespace sprout::kern
