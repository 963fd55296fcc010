// AVX2+FMA GEMM tiles (compiled with -mavx2 -mfma -mf16c, called only when cpuid
// reports them). f32: 6 x 16 register block (12 accumulators, 2 panel loads and
// 6 broadcasts per k). int8: 4 x 4 block via maddubs/madd (signed x signed as
// |w| * (a with w's sign)); the 16 int32 vectors of a block are reduced with
// hadd so each (row, col) gets its exact per-block integer sum.
#include <immintrin.h>

#include <algorithm>

#include "kernels/common/quant_blocks.h"
#include "kernels/dot/dot.h"
#include "kernels/gemm/gemm.h"

namespace sprout::kern {
namespace {

constexpr int MR = 6, NR = 16;

void f32_tile_avx2(int kc, const float* A, size_t lda, const float* panel, float* C, size_t ldc, int rows, int cols,
                   bool accumulate) {
  const float* a[MR];
  for (int i = 0; i < MR; ++i) a[i] = A + size_t(std::min(i, rows - 1)) * lda;
  // Named accumulators: an array indexed after the loop would make the compiler
  // mirror every update to the stack.
  __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00,
         c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  const float *a0 = a[0], *a1 = a[1], *a2 = a[2], *a3 = a[3], *a4 = a[4], *a5 = a[5];
  for (int k = 0; k < kc; ++k) {
    const __m256 b0 = _mm256_loadu_ps(panel + size_t(k) * NR), b1 = _mm256_loadu_ps(panel + size_t(k) * NR + 8);
    __m256 ai = _mm256_broadcast_ss(a0 + k);
    c00 = _mm256_fmadd_ps(ai, b0, c00);
    c01 = _mm256_fmadd_ps(ai, b1, c01);
    ai = _mm256_broadcast_ss(a1 + k);
    c10 = _mm256_fmadd_ps(ai, b0, c10);
    c11 = _mm256_fmadd_ps(ai, b1, c11);
    ai = _mm256_broadcast_ss(a2 + k);
    c20 = _mm256_fmadd_ps(ai, b0, c20);
    c21 = _mm256_fmadd_ps(ai, b1, c21);
    ai = _mm256_broadcast_ss(a3 + k);
    c30 = _mm256_fmadd_ps(ai, b0, c30);
    c31 = _mm256_fmadd_ps(ai, b1, c31);
    ai = _mm256_broadcast_ss(a4 + k);
    c40 = _mm256_fmadd_ps(ai, b0, c40);
    c41 = _mm256_fmadd_ps(ai, b1, c41);
    ai = _mm256_broadcast_ss(a5 + k);
    c50 = _mm256_fmadd_ps(ai, b0, c50);
    c51 = _mm256_fmadd_ps(ai, b1, c51);
  }
  __m256 c[MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
  if (cols == NR) {
    for (int i = 0; i < rows; ++i) {
      float* ci = C + size_t(i) * ldc;
      if (accumulate) {
        c[i][0] = _mm256_add_ps(c[i][0], _mm256_loadu_ps(ci));
        c[i][1] = _mm256_add_ps(c[i][1], _mm256_loadu_ps(ci + 8));
      }
      _mm256_storeu_ps(ci, c[i][0]);
      _mm256_storeu_ps(ci + 8, c[i][1]);
    }
    return;
  }
  alignas(32) float t[NR];
  for (int i = 0; i < rows; ++i) {
    _mm256_store_ps(t, c[i][0]);
    _mm256_store_ps(t + 8, c[i][1]);
    float* ci = C + size_t(i) * ldc;
    for (int j = 0; j < cols; ++j) ci[j] = accumulate ? ci[j] + t[j] : t[j];
  }
}

inline __m256i load32(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }

// Weight values of one block as 32 bytes in element order: q8_0 signed int8;
// q4_0 the unsigned nibbles 0..15, its -8 offset applied later in int32 through
// the activation block sums (so no sign trick is needed).
template <class B>
struct WQ;
template <>
struct WQ<block_q8_0> {
  static constexpr int kOffset = 0;
  static __m256i vals(const block_q8_0& b) { return load32(b.qs); }
};
template <>
struct WQ<block_q4_0> {
  static constexpr int kOffset = 8;
  static __m256i vals(const block_q4_0& b) {
    const __m256i x = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b.qs)));
    return _mm256_and_si256(_mm256_srlv_epi64(x, _mm256_setr_epi64x(0, 0, 4, 4)), _mm256_set1_epi8(0xF));
  }
};

// Per (row, col) integer block sums of activation row av against 4 weight vectors:
// lanes 0..3 of the low half + lanes 0..3 of the high half give cols 0..3.
// Signed weights: |w| * (a with w's sign); unsigned: plain maddubs.
template <bool kSigned>
inline __m256i row_sums(__m256i av, const __m256i* wabs, const __m256i* w) {
  const __m256i one = _mm256_set1_epi16(1);
  __m256i p[4];
  for (int j = 0; j < 4; ++j)
    p[j] = kSigned ? _mm256_madd_epi16(_mm256_maddubs_epi16(wabs[j], _mm256_sign_epi8(av, w[j])), one)
                   : _mm256_madd_epi16(_mm256_maddubs_epi16(w[j], av), one);
  return _mm256_hadd_epi32(_mm256_hadd_epi32(p[0], p[1]), _mm256_hadd_epi32(p[2], p[3]));
}

template <class B>
void q8_tile_avx2(int n, const void* w, size_t ws, const void* a, size_t as, float* C, size_t ldc) {
  const int nb = n / QK8_0;
  const B* wr[4];
  Q8Row ar[4];
  for (int j = 0; j < 4; ++j) wr[j] = reinterpret_cast<const B*>(static_cast<const uint8_t*>(w) + size_t(j) * ws);
  for (int i = 0; i < 4; ++i) ar[i] = q8_0_row(static_cast<const uint8_t*>(a) + size_t(i) * as, n);
  __m256 acc01 = _mm256_setzero_ps(), acc23 = _mm256_setzero_ps();
  constexpr int kOff = WQ<B>::kOffset;
  for (int b = 0; b < nb; ++b) {
    __m256i wv[4], wabs[4];
    for (int j = 0; j < 4; ++j) {
      wv[j] = WQ<B>::vals(wr[j][b]);
      if constexpr (kOff == 0) wabs[j] = _mm256_sign_epi8(wv[j], wv[j]);
    }
    const __m128 dw = _mm_cvtph_ps(_mm_setr_epi16(short(wr[0][b].d), short(wr[1][b].d), short(wr[2][b].d),
                                                  short(wr[3][b].d), 0, 0, 0, 0));
    const __m256 dw2 = _mm256_set_m128(dw, dw);
    for (int i = 0; i < 4; i += 2) {
      const __m256i q0 = row_sums<kOff == 0>(load32(ar[i].b[b].qs), wabs, wv);
      const __m256i q1 = row_sums<kOff == 0>(load32(ar[i + 1].b[b].qs), wabs, wv);
      __m256i s = _mm256_add_epi32(_mm256_permute2x128_si256(q0, q1, 0x20), _mm256_permute2x128_si256(q0, q1, 0x31));
      if constexpr (kOff != 0)
        s = _mm256_sub_epi32(s, _mm256_mullo_epi32(_mm256_set_m128i(_mm_set1_epi32(ar[i + 1].sum[b]), _mm_set1_epi32(ar[i].sum[b])),
                                                   _mm256_set1_epi32(kOff)));
      const __m256 da = _mm256_set_m128(_mm_set1_ps(ar[i + 1].d[b]), _mm_set1_ps(ar[i].d[b]));
      const __m256 term = _mm256_mul_ps(_mm256_cvtepi32_ps(s), _mm256_mul_ps(dw2, da));
      if (i == 0) acc01 = _mm256_add_ps(acc01, term);
      else acc23 = _mm256_add_ps(acc23, term);
    }
  }
  _mm_storeu_ps(C, _mm256_castps256_ps128(acc01));
  _mm_storeu_ps(C + ldc, _mm256_extractf128_ps(acc01, 1));
  _mm_storeu_ps(C + 2 * ldc, _mm256_castps256_ps128(acc23));
  _mm_storeu_ps(C + 3 * ldc, _mm256_extractf128_ps(acc23, 1));
}

}  // namespace

const GemmKernels kGemmAvx2 = {MR, NR, f32_tile_avx2, q8_tile_avx2<block_q8_0>, q8_tile_avx2<block_q4_0>};

}  // namespace sprout::kern
