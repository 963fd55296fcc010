// NEON variants of kernels/elementwise/elementwise.h.
#include <arm_neon.h>

#include "kernels/elementwise/elementwise.h"

namespace sprout::kern {
namespace {

void add(const float* a, const float* b, int n, float* y) {
  int i = 0;
  for (; i + 4 <= n; i += 4) vst1q_f32(y + i, vaddq_f32(vld1q_f32(a + i), vld1q_f32(b + i)));
  for (; i < n; ++i) y[i] = a[i] + b[i];
}
void mul(const float* a, const float* b, int n, float* y) {
  int i = 0;
  for (; i + 4 <= n; i += 4) vst1q_f32(y + i, vmulq_f32(vld1q_f32(a + i), vld1q_f32(b + i)));
  for (; i < n; ++i) y[i] = a[i] * b[i];
}
void scale(float* x, float s, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) vst1q_f32(x + i, vmulq_n_f32(vld1q_f32(x + i), s));
  for (; i < n; ++i) x[i] *= s;
}

}  // namespace

const ElementwiseKernels kElementwiseNeon = {add, mul, scale};

}  // namespace sprout::kern
