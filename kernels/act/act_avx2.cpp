// AVX2+FMA variants of kernels/act/act.h. Tails (n % 8) go through an 8-float
// buffer so every element takes the same vector code path.
#include <immintrin.h>

#include <cstring>

#include "kernels/act/act.h"
#include "kernels/act/vmath_avx2.h"

namespace sprout::kern {
namespace {

// y[i] = f(x[i]) over n floats, 8 at a time.
template <class F>
inline void map1(const float* x, int n, float* y, F f) {
  int i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, f(_mm256_loadu_ps(x + i)));
  if (i < n) {
    alignas(32) float buf[8] = {};
    std::memcpy(buf, x + i, sizeof(float) * size_t(n - i));
    _mm256_store_ps(buf, f(_mm256_load_ps(buf)));
    std::memcpy(y + i, buf, sizeof(float) * size_t(n - i));
  }
}

inline __m256 silu8(__m256 x) { return _mm256_mul_ps(x, vm::sigmoid(x)); }

inline __m256 gelu_erf8(__m256 x) {
  return _mm256_mul_ps(_mm256_mul_ps(vm::set1(0.5f), x), vm::one_plus_erf_scaled(x));
}

// 0.5 x (1 + tanh u) = x * sigmoid(2u), u = sqrt(2/pi) (x + 0.044715 x^3)
inline __m256 gelu_tanh8(__m256 x) {
  const __m256 x3 = _mm256_mul_ps(_mm256_mul_ps(x, x), x);
  const __m256 t = _mm256_fmadd_ps(vm::set1(vm::kGeluTanhCubic), x3, x);  // x + 0.044715 x^3
  const __m256 u2 = _mm256_mul_ps(vm::set1(2 * vm::kGeluTanhScale), t);
  return _mm256_mul_ps(x, vm::sigmoid(u2));
}

void silu(float* x, int n) { map1(x, n, x, silu8); }
void gelu_erf(float* x, int n) { map1(x, n, x, gelu_erf8); }
void gelu_tanh(float* x, int n) { map1(x, n, x, gelu_tanh8); }
void relu(float* x, int n) {
  map1(x, n, x, [](__m256 v) { return _mm256_max_ps(v, _mm256_setzero_ps()); });
}

void swiglu(const float* g, const float* u, int n, float* y) {
  int i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_mul_ps(silu8(_mm256_loadu_ps(g + i)), _mm256_loadu_ps(u + i)));
  for (; i < n; ++i) {
    alignas(32) float buf[8] = {g[i]};
    _mm256_store_ps(buf, silu8(_mm256_load_ps(buf)));
    y[i] = buf[0] * u[i];
  }
}

void exp_(const float* x, int n, float* y) { map1(x, n, y, [](__m256 v) { return vm::exp(v); }); }
void tanh_(const float* x, int n, float* y) { map1(x, n, y, [](__m256 v) { return vm::tanh(v); }); }
void erf_(const float* x, int n, float* y) { map1(x, n, y, [](__m256 v) { return vm::erf(v); }); }
void sigmoid(const float* x, int n, float* y) { map1(x, n, y, [](__m256 v) { return vm::sigmoid(v); }); }

}  // namespace

const ActKernels kActAvx2 = {silu, gelu_erf, gelu_tanh, relu, swiglu, exp_, tanh_, erf_, sigmoid};

}  // namespace sprout::kern
