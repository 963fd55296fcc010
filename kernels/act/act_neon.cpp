// NEON variants of kernels/act/act.h. Tails (n % 4) go through a 4-float
// buffer so every element takes the same vector code path.
#include <arm_neon.h>

#include <cstring>

#include "kernels/act/act.h"
#include "kernels/act/vmath_neon.h"

namespace sprout::kern {
namespace {

template <class F>
inline void map1(const float* x, int n, float* y, F f) {
  int i = 0;
  for (; i + 4 <= n; i += 4) vst1q_f32(y + i, f(vld1q_f32(x + i)));
  if (i < n) {
    float buf[4] = {};
    std::memcpy(buf, x + i, sizeof(float) * size_t(n - i));
    vst1q_f32(buf, f(vld1q_f32(buf)));
    std::memcpy(y + i, buf, sizeof(float) * size_t(n - i));
  }
}

inline float32x4_t silu4(float32x4_t x) { return vmulq_f32(x, vm::sigmoid(x)); }

inline float32x4_t gelu_erf4(float32x4_t x) {
  return vmulq_f32(vmulq_f32(vm::set1(0.5f), x), vm::one_plus_erf_scaled(x));
}

inline float32x4_t gelu_tanh4(float32x4_t x) {
  const float32x4_t x3 = vmulq_f32(vmulq_f32(x, x), x);
  const float32x4_t u2 = vmulq_f32(vm::set1(2 * vm::kGeluTanhScale), vfmaq_f32(x, vm::set1(vm::kGeluTanhCubic), x3));
  return vmulq_f32(x, vm::sigmoid(u2));
}

void silu(float* x, int n) { map1(x, n, x, silu4); }
void gelu_erf(float* x, int n) { map1(x, n, x, gelu_erf4); }
void gelu_tanh(float* x, int n) { map1(x, n, x, gelu_tanh4); }
void relu(float* x, int n) {
  map1(x, n, x, [](float32x4_t v) { return vmaxq_f32(v, vdupq_n_f32(0.f)); });
}

void swiglu(const float* g, const float* u, int n, float* y) {
  int i = 0;
  for (; i + 4 <= n; i += 4) vst1q_f32(y + i, vmulq_f32(silu4(vld1q_f32(g + i)), vld1q_f32(u + i)));
  for (; i < n; ++i) y[i] = vgetq_lane_f32(silu4(vdupq_n_f32(g[i])), 0) * u[i];
}

void exp_(const float* x, int n, float* y) { map1(x, n, y, [](float32x4_t v) { return vm::exp(v); }); }
void tanh_(const float* x, int n, float* y) { map1(x, n, y, [](float32x4_t v) { return vm::tanh(v); }); }
void erf_(const float* x, int n, float* y) { map1(x, n, y, [](float32x4_t v) { return vm::erf(v); }); }
void sigmoid(const float* x, int n, float* y) { map1(x, n, y, [](float32x4_t v) { return vm::sigmoid(v); }); }

}  // namespace

const ActKernels kActNeon = {silu, gelu_erf, gelu_tanh, relu, swiglu, exp_, tanh_, erf_, sigmoid};

}  // namespace sprout::kern
