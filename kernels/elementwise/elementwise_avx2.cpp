// AVX2 variants of kernels/elementwise/elementwise.h.
#include <immintrin.h>

#include "kernels/elementwise/elementwise.h"

namespace sprout::kern {
namespace {

void add(const float* a, const float* b, int n, float* y) {
  int i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_add_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i)));
  for (; i < n; ++i) y[i] = a[i] + b[i];
}
void mul(const float* a, const float* b, int n, float* y) {
  int i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i)));
  for (; i < n; ++i) y[i] = a[i] * b[i];
}
void scale(float* x, float s, int n) {
  const __m256 vs = _mm256_set1_ps(s);
  int i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), vs));
  for (; i < n; ++i) x[i] *= s;
}

}  // namespace

const ElementwiseKernels kElementwiseAvx2 = {add, mul, scale};

}  // namespace sprout::kern
