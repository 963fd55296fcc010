// Scalar reference for kernels/softmax/softmax.h.
#include <cmath>
#include <limits>

#include "kernels/softmax/softmax.h"

namespace sprout::kern {
namespace {

void softmax(float* x, int n) {
  float mx = -std::numeric_limits<float>::infinity();
  for (int i = 0; i < n; ++i) mx = std::fmax(mx, x[i]);
  if (mx == -std::numeric_limits<float>::infinity()) {  // every entry masked
    for (int i = 0; i < n; ++i) x[i] = 0.f;
    return;
  }
  double sum = 0.0;
  for (int i = 0; i < n; ++i) sum += std::exp(double(x[i]) - double(mx));
  for (int i = 0; i < n; ++i) x[i] = float(std::exp(double(x[i]) - double(mx)) / sum);
}

}  // namespace

const SoftmaxKernels kSoftmaxScalar = {softmax};

}  // namespace sprout::kern
