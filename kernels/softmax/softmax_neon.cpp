// NEON variant of kernels/softmax/softmax.h: max pass, exp+sum pass, scale pass.
#include <arm_neon.h>

#include <cmath>
#include <limits>

#include "kernels/act/vmath_neon.h"
#include "kernels/softmax/softmax.h"

namespace sprout::kern {
namespace {

void softmax(float* x, int n) {
  const float ninf = -std::numeric_limits<float>::infinity();
  float32x4_t vmax = vdupq_n_f32(ninf);
  int i = 0;
  for (; i + 4 <= n; i += 4) vmax = vmaxq_f32(vmax, vld1q_f32(x + i));
  float mx = vmaxvq_f32(vmax);
  for (; i < n; ++i) mx = std::fmax(mx, x[i]);
  if (mx == ninf) {
    for (i = 0; i < n; ++i) x[i] = 0.f;
    return;
  }
  const float32x4_t vmx = vdupq_n_f32(mx);
  float32x4_t acc = vdupq_n_f32(0.f);
  i = 0;
  for (; i + 4 <= n; i += 4) {
    const float32x4_t e = vm::exp(vsubq_f32(vld1q_f32(x + i), vmx));
    vst1q_f32(x + i, e);
    acc = vaddq_f32(acc, e);
  }
  if (i < n) {  // tail through the same vector exp; padding lanes are -inf -> 0
    float buf[4] = {ninf, ninf, ninf, ninf};
    for (int j = i; j < n; ++j) buf[j - i] = x[j];
    const float32x4_t e = vm::exp(vsubq_f32(vld1q_f32(buf), vmx));
    vst1q_f32(buf, e);
    for (int j = i; j < n; ++j) x[j] = buf[j - i];
    acc = vaddq_f32(acc, e);
  }
  const float s = 1.0f / vaddvq_f32(acc);
  i = 0;
  for (; i + 4 <= n; i += 4) vst1q_f32(x + i, vmulq_n_f32(vld1q_f32(x + i), s));
  for (; i < n; ++i) x[i] *= s;
}

}  // namespace

const SoftmaxKernels kSoftmaxNeon = {softmax};

}  // namespace sprout::kern
