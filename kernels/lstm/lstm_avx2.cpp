// AVX2+FMA variant of kernels/lstm/lstm.h.
#include <immintrin.h>

#include "kernels/act/vmath_avx2.h"
#include "kernels/lstm/lstm.h"

namespace sprout::kern {
namespace {

// 8 lanes of the update; gi..go point at the four gate rows at the same offset.
inline void step8(const float* gi, const float* gf, const float* gg, const float* go, float* c, float* h) {
  const __m256 i = vm::sigmoid(_mm256_loadu_ps(gi)), f = vm::sigmoid(_mm256_loadu_ps(gf));
  const __m256 g = vm::tanh(_mm256_loadu_ps(gg)), o = vm::sigmoid(_mm256_loadu_ps(go));
  const __m256 cn = _mm256_fmadd_ps(f, _mm256_loadu_ps(c), _mm256_mul_ps(i, g));
  _mm256_storeu_ps(c, cn);
  _mm256_storeu_ps(h, _mm256_mul_ps(o, vm::tanh(cn)));
}

void lstm_cell(const float* g, float* c, float* h, int H) {
  int j = 0;
  for (; j + 8 <= H; j += 8) step8(g + j, g + H + j, g + 2 * H + j, g + 3 * H + j, c + j, h + j);
  if (j < H) {  // tail through padded buffers so it takes the same vector path
    alignas(32) float b[4][8] = {}, bc[8] = {}, bh[8] = {};
    for (int t = j; t < H; ++t) {
      for (int q = 0; q < 4; ++q) b[q][t - j] = g[q * H + t];
      bc[t - j] = c[t];
    }
    step8(b[0], b[1], b[2], b[3], bc, bh);
    for (int t = j; t < H; ++t) c[t] = bc[t - j], h[t] = bh[t - j];
  }
}

}  // namespace

const LstmKernels kLstmAvx2 = {lstm_cell};

}  // namespace sprout::kern
