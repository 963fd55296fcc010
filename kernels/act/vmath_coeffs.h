// Polynomial coefficients shared by the SIMD exp/tanh/erf approximations
// (vmath_avx2.h, vmath_neon.h). Fitted by tools/fit_vmath.py (weighted least
// squares on Chebyshev nodes); increasing powers. Worst relative error of each
// fit in float64 is below 2e-9, so float32 evaluation error dominates (~1-3 ulp).
#pragma once

namespace sprout::kern::vm {

// exp(r), |r| <= ln2/2: Taylor series to r^7 (truncation error < 3e-9 relative).
inline constexpr float kExpC[8] = {1.f, 1.f, 1.f / 2, 1.f / 6, 1.f / 24, 1.f / 120, 1.f / 720, 1.f / 5040};
inline constexpr float kLn2Hi = 0.693145752f;          // ln2 with the low 12 bits zero: n*kLn2Hi is exact
inline constexpr float kLn2Lo = 1.42860677e-06f;       // ln2 - kLn2Hi
inline constexpr float kLog2e = 1.44269504f;
inline constexpr float kExpMax = 88.7228394f;          // above: +inf
inline constexpr float kExpMin = -104.0f;              // below: 0 (past the smallest subnormal)

// tanh(x) = x + x^3 * P(x^2) for |x| < kTanhSmall; beyond, 1 - 2 / (exp(2|x|) + 1).
inline constexpr float kTanhSmall = 0.625f;
inline constexpr float kTanhP[6] = {-3.333333101e-01f, 1.333321251e-01f, -5.394745495e-02f,
                                    2.170400414e-02f, -8.184669912e-03f, 2.148990955e-03f};

// erf(z) = z * E(z^2) for |z| < kErfSmall; beyond, erfc(a) = t * exp(-a^2 + C(t)), t = 2/(2+a).
inline constexpr float kErfSmall = 0.875f;
inline constexpr float kErfP[7] = {1.128379167e+00f, -3.761263673e-01f, 1.128374098e-01f, -2.686196858e-02f,
                                   5.207621291e-03f, -8.220516069e-04f, 8.714052078e-05f};
inline constexpr float kErfcC[10] = {-1.265525559e+00f, 1.000427681e+00f, 3.691156841e-01f, 1.293088902e-01f,
                                     -3.109110496e-01f, 5.705017368e-01f, -1.553225776e+00f, 1.841857049e+00f,
                                     -9.803199956e-01f, 1.985953135e-01f};

// GELU: gelu_tanh's u = kGeluTanhScale * (x + kGeluTanhCubic x^3) (kGeluTanhScale = sqrt(2/pi));
// gelu_erf's z = x * kInvSqrt2.
inline constexpr float kGeluTanhScale = 0.79788456f;
inline constexpr float kGeluTanhCubic = 0.044715f;
inline constexpr float kInvSqrt2 = 0.70710678f;

}  // namespace sprout::kern::vm
