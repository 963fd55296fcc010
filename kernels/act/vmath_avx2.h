// AVX2+FMA vector math: exp, sigmoid, tanh, erf and the GELU (erf) core over 8 floats.
// Include only from *_avx2.cpp files. Algorithms and accuracy in vmath_coeffs.h;
// measured worst errors against glibc are in docs/kernels.md (tests/kernels/test_act.cpp).
#pragma once
#include <immintrin.h>

#include "kernels/act/vmath_coeffs.h"

namespace sprout::kern::vm {

inline __m256 set1(float v) { return _mm256_set1_ps(v); }

template <int N>
inline __m256 horner(__m256 x, const float (&c)[N]) {
  __m256 p = set1(c[N - 1]);
  for (int i = N - 2; i >= 0; --i) p = _mm256_fmadd_ps(p, x, set1(c[i]));
  return p;
}

// 2^n for integer-valued n in [-150, 128], as two exponent-field products so
// subnormal results and 2^128 * small stay representable.
inline __m256 scale_pow2(__m256 p, __m256 n) {
  const __m256i ni = _mm256_cvtps_epi32(n);
  const __m256i n1 = _mm256_srai_epi32(ni, 1), n2 = _mm256_sub_epi32(ni, n1);
  const __m256i b = _mm256_set1_epi32(127);
  const __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, b), 23));
  const __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, b), 23));
  return _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
}

// exp(x): n = round(x / ln2), r = x - n ln2 (two-part ln2), exp(r) by polynomial.
// exp(-inf) = 0, exp(x > 88.72) = +inf.
inline __m256 exp(__m256 x) {
  const __m256 xc = _mm256_min_ps(_mm256_max_ps(x, set1(kExpMin)), set1(kExpMax));
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(xc, set1(kLog2e)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, set1(kLn2Hi), xc);
  r = _mm256_fnmadd_ps(n, set1(kLn2Lo), r);
  __m256 y = scale_pow2(horner(r, kExpC), n);
  y = _mm256_blendv_ps(y, _mm256_setzero_ps(), _mm256_cmp_ps(x, set1(kExpMin), _CMP_LT_OQ));
  return _mm256_blendv_ps(y, set1(__builtin_inff()), _mm256_cmp_ps(x, set1(kExpMax), _CMP_GT_OQ));
}

inline __m256 abs(__m256 x) { return _mm256_andnot_ps(set1(-0.f), x); }
inline __m256 sign_of(__m256 x) { return _mm256_and_ps(set1(-0.f), x); }

// 1 / (1 + exp(-x)), exact division (no reciprocal estimate).
inline __m256 sigmoid(__m256 x) {
  return _mm256_div_ps(set1(1.f), _mm256_add_ps(set1(1.f), exp(_mm256_sub_ps(_mm256_setzero_ps(), x))));
}

inline __m256 tanh(__m256 x) {
  const __m256 a = abs(x);
  const __m256 a2 = _mm256_mul_ps(a, a);
  const __m256 small = _mm256_fmadd_ps(_mm256_mul_ps(a2, a), horner(a2, kTanhP), a);
  const __m256 e = exp(_mm256_add_ps(a, a));
  const __m256 large = _mm256_sub_ps(set1(1.f), _mm256_div_ps(set1(2.f), _mm256_add_ps(e, set1(1.f))));
  const __m256 r = _mm256_blendv_ps(large, small, _mm256_cmp_ps(a, set1(kTanhSmall), _CMP_LT_OQ));
  return _mm256_or_ps(r, sign_of(x));
}

// erfc(a) for a >= kErfSmall. a^2 is split into hi + lo (exact by FMA) so the
// rounding of a^2 does not cost relative accuracy at large a.
// a2 = hi + lo is a^2 (or a more exact value of it, see gelu_erf).
inline __m256 erfc_large(__m256 a, __m256 hi, __m256 lo) {
  const __m256 t = _mm256_div_ps(set1(2.f), _mm256_add_ps(set1(2.f), a));
  // exp(C) * exp(-hi), not exp(C - hi): rounding C - hi would cost ulp(a^2) relative.
  const __m256 e = _mm256_mul_ps(exp(horner(t, kErfcC)), exp(_mm256_sub_ps(_mm256_setzero_ps(), hi)));
  return _mm256_mul_ps(_mm256_mul_ps(t, e), _mm256_sub_ps(set1(1.f), lo));
}
inline __m256 erfc_large(__m256 a) {
  const __m256 hi = _mm256_mul_ps(a, a);
  return erfc_large(a, hi, _mm256_fmsub_ps(a, a, hi));
}

inline __m256 erf(__m256 x) {
  const __m256 a = abs(x);
  const __m256 small = _mm256_mul_ps(a, horner(_mm256_mul_ps(a, a), kErfP));
  const __m256 large = _mm256_sub_ps(set1(1.f), erfc_large(a));
  const __m256 r = _mm256_blendv_ps(large, small, _mm256_cmp_ps(a, set1(kErfSmall), _CMP_LT_OQ));
  return _mm256_or_ps(r, sign_of(x));
}

// 1 + erf(x / sqrt2), accurate in relative terms also where it is tiny (x << 0):
// z^2 = x^2 / 2 is formed exactly from x, so the rounding of x / sqrt2 does not
// get amplified by exp(-z^2).
inline __m256 one_plus_erf_scaled(__m256 x) {
  const __m256 z = _mm256_mul_ps(x, set1(kInvSqrt2));
  const __m256 a = abs(z);
  const __m256 small = _mm256_add_ps(set1(1.f), _mm256_mul_ps(z, horner(_mm256_mul_ps(a, a), kErfP)));
  const __m256 x2 = _mm256_mul_ps(x, x);
  const __m256 hi = _mm256_mul_ps(x2, set1(0.5f)), lo = _mm256_mul_ps(_mm256_fmsub_ps(x, x, x2), set1(0.5f));
  const __m256 c = erfc_large(a, hi, lo);
  const __m256 large = _mm256_blendv_ps(_mm256_sub_ps(set1(2.f), c), c, _mm256_cmp_ps(z, _mm256_setzero_ps(), _CMP_LT_OQ));
  return _mm256_blendv_ps(large, small, _mm256_cmp_ps(a, set1(kErfSmall), _CMP_LT_OQ));
}

inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

inline float hmax(__m256 v) {
  __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_max_ps(s, _mm_movehl_ps(s, s));
  s = _mm_max_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// Mask for a tail of n < 8 lanes (loads/stores with _mm256_maskload/maskstore).
inline __m256i tail_mask(int n) {
  alignas(32) static const int m[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(m + 8 - n));
}

}  // namespace sprout::kern::vm
