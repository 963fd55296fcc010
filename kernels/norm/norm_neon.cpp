// NEON variants of kernels/norm/norm.h (baseline ARMv8-A Advanced SIMD).
#include <arm_neon.h>

#include "kernels/norm/norm.h"
#include "kernels/norm/norm_tail.h"

namespace sprout::kern {
namespace {

using namespace norm_detail;

void rmsnorm_neon(const float* x, const float* w, float eps, int n, float* y) {
  float32x4_t acc0 = vdupq_n_f32(0.f), acc1 = vdupq_n_f32(0.f);
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    const float32x4_t a = vld1q_f32(x + i), b = vld1q_f32(x + i + 4);
    acc0 = vfmaq_f32(acc0, a, a);
    acc1 = vfmaq_f32(acc1, b, b);
  }
  const float inv = inv_rms(sum_sq_tail(x, i, n, vaddvq_f32(vaddq_f32(acc0, acc1))), n, eps);
  i = 0;
  for (; i + 4 <= n; i += 4)
    vst1q_f32(y + i, vmulq_f32(vmulq_n_f32(vld1q_f32(x + i), inv), vld1q_f32(w + i)));
  rms_scale_tail(x, w, inv, i, n, y);
}

void layernorm_neon(const float* x, const float* g, const float* b, float eps, int n, float* y) {
  float32x4_t acc = vdupq_n_f32(0.f);
  int i = 0;
  for (; i + 4 <= n; i += 4) acc = vaddq_f32(acc, vld1q_f32(x + i));
  const float mean = sum_tail(x, i, n, vaddvq_f32(acc)) / float(n);
  const float32x4_t vmean = vdupq_n_f32(mean);
  acc = vdupq_n_f32(0.f);
  i = 0;
  for (; i + 4 <= n; i += 4) {
    const float32x4_t d = vsubq_f32(vld1q_f32(x + i), vmean);
    acc = vfmaq_f32(acc, d, d);
  }
  const float inv = inv_rms(sum_sq_dev_tail(x, i, n, mean, vaddvq_f32(acc)), n, eps);
  i = 0;
  for (; i + 4 <= n; i += 4) {
    float32x4_t v = vmulq_n_f32(vsubq_f32(vld1q_f32(x + i), vmean), inv);
    if (g) v = vmulq_f32(v, vld1q_f32(g + i));
    if (b) v = vaddq_f32(v, vld1q_f32(b + i));
    vst1q_f32(y + i, v);
  }
  layer_affine_tail(x, g, b, mean, inv, i, n, y);
}

}  // namespace

const NormKernels kNormNeon = {rmsnorm_neon, layernorm_neon};

}  // namespace sprout::kern
