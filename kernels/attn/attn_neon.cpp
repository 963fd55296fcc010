// NEON variants of kernels/attn/attn.h (f16 <-> f32 with the baseline FCVTL/FCVTN).
#include <arm_neon.h>

#include "kernels/attn/attn.h"

namespace sprout::kern {
namespace {

inline float32x4_t load_h(const f16_t* p) { return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(p))); }

float dot_f32(const float* a, const float* b, int n) {
  float32x4_t s0 = vdupq_n_f32(0.f), s1 = vdupq_n_f32(0.f);
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    s0 = vfmaq_f32(s0, vld1q_f32(a + i), vld1q_f32(b + i));
    s1 = vfmaq_f32(s1, vld1q_f32(a + i + 4), vld1q_f32(b + i + 4));
  }
  for (; i + 4 <= n; i += 4) s0 = vfmaq_f32(s0, vld1q_f32(a + i), vld1q_f32(b + i));
  float s = vaddvq_f32(vaddq_f32(s0, s1));
  for (; i < n; ++i) s += a[i] * b[i];
  return s;
}

float dot_f16(const float* a, const f16_t* b, int n) {
  float32x4_t s0 = vdupq_n_f32(0.f), s1 = vdupq_n_f32(0.f);
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    s0 = vfmaq_f32(s0, vld1q_f32(a + i), load_h(b + i));
    s1 = vfmaq_f32(s1, vld1q_f32(a + i + 4), load_h(b + i + 4));
  }
  for (; i + 4 <= n; i += 4) s0 = vfmaq_f32(s0, vld1q_f32(a + i), load_h(b + i));
  float s = vaddvq_f32(vaddq_f32(s0, s1));
  for (; i < n; ++i) s += a[i] * f16_to_f32(b[i]);
  return s;
}

void axpy_f32(float s, const float* x, int n, float* y) {
  int i = 0;
  for (; i + 4 <= n; i += 4) vst1q_f32(y + i, vfmaq_n_f32(vld1q_f32(y + i), vld1q_f32(x + i), s));
  for (; i < n; ++i) y[i] += s * x[i];
}

void axpy_f16(float s, const f16_t* x, int n, float* y) {
  int i = 0;
  for (; i + 4 <= n; i += 4) vst1q_f32(y + i, vfmaq_n_f32(vld1q_f32(y + i), load_h(x + i), s));
  for (; i < n; ++i) y[i] += s * f16_to_f32(x[i]);
}

void to_f16(const float* x, int n, f16_t* y) {
  int i = 0;
  for (; i + 4 <= n; i += 4) vst1_u16(y + i, vreinterpret_u16_f16(vcvt_f16_f32(vld1q_f32(x + i))));
  for (; i < n; ++i) y[i] = f32_to_f16(x[i]);
}

void from_f16(const f16_t* x, int n, float* y) {
  int i = 0;
  for (; i + 4 <= n; i += 4) vst1q_f32(y + i, load_h(x + i));
  for (; i < n; ++i) y[i] = f16_to_f32(x[i]);
}

}  // namespace

const AttnKernels kAttnNeon = {dot_f32, dot_f16, axpy_f32, axpy_f16, to_f16, from_f16};

}  // namespace sprout::kern
