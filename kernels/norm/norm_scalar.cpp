// Scalar reference for kernels/norm/norm.h: the oracle the SIMD variants are tested against.
#include <cmath>

#include "kernels/norm/norm.h"

namespace sprout::kern {
namespace {

void rmsnorm_scalar(const float* x, const float* w, float eps, int n, float* y) {
  double ss = 0.0;  // double keeps the oracle exact enough to judge the SIMD sums
  for (int i = 0; i < n; ++i) ss += double(x[i]) * double(x[i]);
  const float inv = float(1.0 / std::sqrt(ss / n + double(eps)));
  for (int i = 0; i < n; ++i) y[i] = x[i] * inv * w[i];
}

void layernorm_scalar(const float* x, const float* g, const float* b, float eps, int n, float* y) {
  double sum = 0.0;
  for (int i = 0; i < n; ++i) sum += x[i];
  const double mean = sum / n;
  double var = 0.0;
  for (int i = 0; i < n; ++i) var += (x[i] - mean) * (x[i] - mean);
  const double inv = 1.0 / std::sqrt(var / n + double(eps));
  for (int i = 0; i < n; ++i) {
    const double v = (x[i] - mean) * inv;
    y[i] = float(v * (g ? g[i] : 1.0) + (b ? b[i] : 0.0));
  }
}

}  // namespace

const NormKernels kNormScalar = {rmsnorm_scalar, layernorm_scalar};

}  // namespace sprout::kern
