// Scalar reference for kernels/conv1d/conv1d.h.
#include <vector>

#include <cstddef>

#include "kernels/conv1d/conv1d.h"

namespace sprout::kern {
namespace {

void conv1d(const float* x, int T, int Cin, const float* wp, const float* b, int Cout, int k, int t0, int t1,
            float* y) {
  const int pad = k / 2;
  std::vector<double> acc(static_cast<size_t>(Cout));
  for (int t = t0; t < t1; ++t) {
    for (int o = 0; o < Cout; ++o) acc[size_t(o)] = b ? b[o] : 0.0;
    for (int j = 0; j < k; ++j) {
      const int ts = t + j - pad;
      if (ts < 0 || ts >= T) continue;
      for (int c = 0; c < Cin; ++c) {
        const double xv = x[size_t(ts) * Cin + c];
        const float* w = wp + (size_t(j) * Cin + c) * Cout;
        for (int o = 0; o < Cout; ++o) acc[size_t(o)] += xv * w[o];
      }
    }
    for (int o = 0; o < Cout; ++o) y[size_t(t) * Cout + o] = float(acc[size_t(o)]);
  }
}

}  // namespace

const Conv1dKernels kConv1dScalar = {conv1d};

}  // namespace sprout::kern
