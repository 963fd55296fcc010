// AVX2+FMA variant of kernels/softmax/softmax.h: max pass, exp+sum pass, scale pass.
#include <immintrin.h>

#include <cmath>
#include <limits>

#include "kernels/act/vmath_avx2.h"
#include "kernels/softmax/softmax.h"

namespace sprout::kern {
namespace {

void softmax(float* x, int n) {
  const float ninf = -std::numeric_limits<float>::infinity();
  __m256 vmax = _mm256_set1_ps(ninf);
  int i = 0;
  for (; i + 8 <= n; i += 8) vmax = _mm256_max_ps(vmax, _mm256_loadu_ps(x + i));
  float mx = vm::hmax(vmax);
  for (; i < n; ++i) mx = std::fmax(mx, x[i]);
  if (mx == ninf) {
    for (i = 0; i < n; ++i) x[i] = 0.f;
    return;
  }
  const __m256 vmx = _mm256_set1_ps(mx);
  __m256 acc = _mm256_setzero_ps();
  i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 e = vm::exp(_mm256_sub_ps(_mm256_loadu_ps(x + i), vmx));
    _mm256_storeu_ps(x + i, e);
    acc = _mm256_add_ps(acc, e);
  }
  if (i < n) {  // tail through the same vector exp; padding lanes are -inf -> 0
    const __m256i m = vm::tail_mask(n - i);
    __m256 t = _mm256_blendv_ps(_mm256_set1_ps(ninf), _mm256_maskload_ps(x + i, m), _mm256_castsi256_ps(m));
    t = vm::exp(_mm256_sub_ps(t, vmx));
    _mm256_maskstore_ps(x + i, m, t);
    acc = _mm256_add_ps(acc, t);
  }
  const __m256 inv = _mm256_set1_ps(1.0f / vm::hsum(acc));
  i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), inv));
  const float s = _mm256_cvtss_f32(inv);
  for (; i < n; ++i) x[i] *= s;
}

}  // namespace

const SoftmaxKernels kSoftmaxAvx2 = {softmax};

}  // namespace sprout::kern
