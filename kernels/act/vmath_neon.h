// NEON vector math: exp, sigmoid, tanh, erf and the GELU (erf) core over 4 floats.
// Include only from *_neon.cpp files. Same algorithms and coefficients as
// vmath_avx2.h (see vmath_coeffs.h), so both ISAs agree to the same tolerance.
#pragma once
#include <arm_neon.h>

#include "kernels/act/vmath_coeffs.h"

namespace sprout::kern::vm {

inline float32x4_t set1(float v) { return vdupq_n_f32(v); }

template <int N>
inline float32x4_t horner(float32x4_t x, const float (&c)[N]) {
  float32x4_t p = set1(c[N - 1]);
  for (int i = N - 2; i >= 0; --i) p = vfmaq_f32(set1(c[i]), p, x);
  return p;
}

// 2^n for integer-valued n in [-150, 128], as two exponent-field products.
inline float32x4_t scale_pow2(float32x4_t p, float32x4_t n) {
  const int32x4_t ni = vcvtq_s32_f32(n);
  const int32x4_t n1 = vshrq_n_s32(ni, 1), n2 = vsubq_s32(ni, n1);
  const int32x4_t b = vdupq_n_s32(127);
  const float32x4_t s1 = vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(n1, b), 23));
  const float32x4_t s2 = vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(n2, b), 23));
  return vmulq_f32(vmulq_f32(p, s1), s2);
}

inline float32x4_t exp(float32x4_t x) {
  const float32x4_t xc = vminq_f32(vmaxq_f32(x, set1(kExpMin)), set1(kExpMax));
  const float32x4_t n = vrndnq_f32(vmulq_f32(xc, set1(kLog2e)));
  float32x4_t r = vfmsq_f32(xc, n, set1(kLn2Hi));
  r = vfmsq_f32(r, n, set1(kLn2Lo));
  float32x4_t y = scale_pow2(horner(r, kExpC), n);
  y = vbslq_f32(vcltq_f32(x, set1(kExpMin)), set1(0.f), y);
  return vbslq_f32(vcgtq_f32(x, set1(kExpMax)), set1(__builtin_inff()), y);
}

inline float32x4_t sign_of(float32x4_t x) {
  return vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(x), vdupq_n_u32(0x80000000u)));
}
inline float32x4_t or_sign(float32x4_t r, float32x4_t s) {
  return vreinterpretq_f32_u32(vorrq_u32(vreinterpretq_u32_f32(r), vreinterpretq_u32_f32(s)));
}

inline float32x4_t sigmoid(float32x4_t x) {
  return vdivq_f32(set1(1.f), vaddq_f32(set1(1.f), exp(vnegq_f32(x))));
}

inline float32x4_t tanh(float32x4_t x) {
  const float32x4_t a = vabsq_f32(x);
  const float32x4_t a2 = vmulq_f32(a, a);
  const float32x4_t small = vfmaq_f32(a, vmulq_f32(a2, a), horner(a2, kTanhP));
  const float32x4_t e = exp(vaddq_f32(a, a));
  const float32x4_t large = vsubq_f32(set1(1.f), vdivq_f32(set1(2.f), vaddq_f32(e, set1(1.f))));
  return or_sign(vbslq_f32(vcltq_f32(a, set1(kTanhSmall)), small, large), sign_of(x));
}

inline float32x4_t erfc_large(float32x4_t a, float32x4_t hi, float32x4_t lo) {
  const float32x4_t t = vdivq_f32(set1(2.f), vaddq_f32(set1(2.f), a));
  // exp(C) * exp(-hi), not exp(C - hi): rounding C - hi would cost ulp(a^2) relative.
  const float32x4_t e = vmulq_f32(exp(horner(t, kErfcC)), exp(vnegq_f32(hi)));
  return vmulq_f32(vmulq_f32(t, e), vsubq_f32(set1(1.f), lo));
}
inline float32x4_t erfc_large(float32x4_t a) {
  const float32x4_t hi = vmulq_f32(a, a);
  return erfc_large(a, hi, vfmaq_f32(vnegq_f32(hi), a, a));  // lo = a*a - hi, exact
}

inline float32x4_t erf(float32x4_t x) {
  const float32x4_t a = vabsq_f32(x);
  const float32x4_t small = vmulq_f32(a, horner(vmulq_f32(a, a), kErfP));
  const float32x4_t large = vsubq_f32(set1(1.f), erfc_large(a));
  return or_sign(vbslq_f32(vcltq_f32(a, set1(kErfSmall)), small, large), sign_of(x));
}

// 1 + erf(x / sqrt2) with z^2 = x^2 / 2 formed exactly (see vmath_avx2.h).
inline float32x4_t one_plus_erf_scaled(float32x4_t x) {
  const float32x4_t z = vmulq_f32(x, set1(kInvSqrt2));
  const float32x4_t a = vabsq_f32(z);
  const float32x4_t small = vaddq_f32(set1(1.f), vmulq_f32(z, horner(vmulq_f32(a, a), kErfP)));
  const float32x4_t x2 = vmulq_f32(x, x);
  const float32x4_t hi = vmulq_f32(x2, set1(0.5f));
  const float32x4_t lo = vmulq_f32(vfmaq_f32(vnegq_f32(x2), x, x), set1(0.5f));
  const float32x4_t c = erfc_large(a, hi, lo);
  const float32x4_t large = vbslq_f32(vcltq_f32(z, set1(0.f)), c, vsubq_f32(set1(2.f), c));
  return vbslq_f32(vcltq_f32(a, set1(kErfSmall)), small, large);
}

}  // namespace sprout::kern::vm
