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

}  // namespace

const NormKernels kNormScalar = {rmsnorm_scalar};

}  // namespace sprout::kern
