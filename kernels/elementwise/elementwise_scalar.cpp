// Scalar reference for kernels/elementwise/elementwise.h.
#include "kernels/elementwise/elementwise.h"

namespace sprout::kern {
namespace {

void add(const float* a, const float* b, int n, float* y) { for (int i = 0; i < n; ++i) y[i] = a[i] + b[i]; }
void mul(const float* a, const float* b, int n, float* y) { for (int i = 0; i < n; ++i) y[i] = a[i] * b[i]; }
void scale(float* x, float s, int n) { for (int i = 0; i < n; ++i) x[i] *= s; }

}  // namespace

const ElementwiseKernels kElementwiseScalar = {add, mul, scale};

}  // namespace sprout::kern
