// AVX2+FMA variants of kernels/norm/norm.h (compiled with -mavx2 -mfma -mf16c,
// called only when cpuid reports them).
#include <immintrin.h>

#include "kernels/act/vmath_avx2.h"
#include "kernels/norm/norm.h"
#include "kernels/norm/norm_tail.h"

namespace sprout::kern {
namespace {

using namespace norm_detail;
using vm::hsum;  // one horizontal sum for every AVX2 kernel (kernels/act/vmath_avx2.h)

void rmsnorm_avx2(const float* x, const float* w, float eps, int n, float* y) {
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  int i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256 a = _mm256_loadu_ps(x + i), b = _mm256_loadu_ps(x + i + 8);
    acc0 = _mm256_fmadd_ps(a, a, acc0);
    acc1 = _mm256_fmadd_ps(b, b, acc1);
  }
  const float inv = inv_rms(sum_sq_tail(x, i, n, hsum(_mm256_add_ps(acc0, acc1))), n, eps);
  const __m256 vinv = _mm256_set1_ps(inv);
  i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_mul_ps(_mm256_loadu_ps(x + i), vinv), _mm256_loadu_ps(w + i)));
  rms_scale_tail(x, w, inv, i, n, y);
}

void layernorm_avx2(const float* x, const float* g, const float* b, float eps, int n, float* y) {
  __m256 acc = _mm256_setzero_ps();
  int i = 0;
  for (; i + 8 <= n; i += 8) acc = _mm256_add_ps(acc, _mm256_loadu_ps(x + i));
  const float mean = sum_tail(x, i, n, hsum(acc)) / float(n);
  const __m256 vmean = _mm256_set1_ps(mean);
  acc = _mm256_setzero_ps();
  i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 d = _mm256_sub_ps(_mm256_loadu_ps(x + i), vmean);
    acc = _mm256_fmadd_ps(d, d, acc);
  }
  const float inv = inv_rms(sum_sq_dev_tail(x, i, n, mean, hsum(acc)), n, eps);
  const __m256 vinv = _mm256_set1_ps(inv);
  i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 v = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i), vmean), vinv);
    if (g) v = _mm256_mul_ps(v, _mm256_loadu_ps(g + i));
    if (b) v = _mm256_add_ps(v, _mm256_loadu_ps(b + i));
    _mm256_storeu_ps(y + i, v);
  }
  layer_affine_tail(x, g, b, mean, inv, i, n, y);
}

}  // namespace

const NormKernels kNormAvx2 = {rmsnorm_avx2, layernorm_avx2};

}  // namespace sprout::kern
