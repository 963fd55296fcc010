// AVX2+FMA variant of kernels/conv1d/conv1d.h (row loop in conv1d_rows.h).
#include <immintrin.h>

#include "kernels/conv1d/conv1d.h"
#include "kernels/conv1d/conv1d_rows.h"

namespace sprout::kern {
namespace {

void conv1d(const float* x, int T, int Cin, const float* wp, const float* b, int Cout, int k, int t0, int t1,
            float* y) {
  conv1d_detail::conv1d_rows(x, T, Cin, wp, b, Cout, k, t0, t1, y, [](float xv, const float* w, float* yr, int n) {
    const __m256 vx = _mm256_set1_ps(xv);
    int o = 0;
    for (; o + 8 <= n; o += 8)
      _mm256_storeu_ps(yr + o, _mm256_fmadd_ps(vx, _mm256_loadu_ps(w + o), _mm256_loadu_ps(yr + o)));
    return o;
  });
}

}  // namespace

const Conv1dKernels kConv1dAvx2 = {conv1d};

}  // namespace sprout::kern
