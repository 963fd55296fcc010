// AVX2 variants of kernels/rope/rope.h (mul/add/sub only, no FMA: bit-exact with scalar).
#include <immintrin.h>

#include "kernels/rope/rope.h"
#include "kernels/rope/rope_tail.h"

namespace sprout::kern {
namespace {

using namespace rope_detail;

void rotate_half(float* x, int heads, int head_dim, const float* c, const float* s) {
  rotate_half_heads(x, heads, head_dim, c, s, [c, s](float* p, int half) {
    int i = 0;
    for (; i + 8 <= half; i += 8) {
      const __m256 a = _mm256_loadu_ps(p + i), b = _mm256_loadu_ps(p + i + half);
      const __m256 vc = _mm256_loadu_ps(c + i), vs = _mm256_loadu_ps(s + i);
      _mm256_storeu_ps(p + i, _mm256_sub_ps(_mm256_mul_ps(a, vc), _mm256_mul_ps(b, vs)));
      _mm256_storeu_ps(p + i + half, _mm256_add_ps(_mm256_mul_ps(b, vc), _mm256_mul_ps(a, vs)));
    }
    return i;
  });
}

// 4 pairs per vector: y = x * [c0 c0 c1 c1 ..] + swap_pairs(x) * [-s0 s0 -s1 s1 ..].
void interleaved(float* x, int heads, int head_dim, const float* c, const float* s) {
  const __m256 neg_even = _mm256_setr_ps(-0.f, 0.f, -0.f, 0.f, -0.f, 0.f, -0.f, 0.f);
  interleaved_heads(x, heads, head_dim, c, s, [c, s, neg_even](float* p, int half) {
    int i = 0;
    for (; i + 4 <= half; i += 4) {
      const __m128 c4 = _mm_loadu_ps(c + i), s4 = _mm_loadu_ps(s + i);
      const __m256 cc = _mm256_set_m128(_mm_unpackhi_ps(c4, c4), _mm_unpacklo_ps(c4, c4));
      const __m256 ss = _mm256_xor_ps(_mm256_set_m128(_mm_unpackhi_ps(s4, s4), _mm_unpacklo_ps(s4, s4)), neg_even);
      const __m256 v = _mm256_loadu_ps(p + 2 * i);
      const __m256 sw = _mm256_permute_ps(v, 0xB1);  // (b, a) per pair
      _mm256_storeu_ps(p + 2 * i, _mm256_add_ps(_mm256_mul_ps(v, cc), _mm256_mul_ps(sw, ss)));
    }
    return i;
  });
}

}  // namespace

const RopeKernels kRopeAvx2 = {rotate_half, interleaved};

}  // namespace sprout::kern
