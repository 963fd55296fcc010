// AVX2+FMA GEMM tiles (compiled with -mavx2 -mfma -mf16c, called only when cpuid
// reports them). f32: 6 x 16 register block on packed operands (12
// accumulators, 2 panel loads and 6 sliver broadcasts per k); B panels packed
// with 8 x 8 register transposes (f16 via F16C). int8: 4 x 4 block via maddubs/madd (signed x signed as
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

void f32_tile_avx2(int kc, const float* a, const float* b, float* C, size_t ldc, int rows, int cols, bool accumulate) {
  // The C block is only touched after the k loop: start fetching it now.
  for (int i = 0; i < rows; ++i) {
    _mm_prefetch(reinterpret_cast<const char*>(C + size_t(i) * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(C + size_t(i) * ldc + NR - 1), _MM_HINT_T0);
  }
  // Named accumulators: an array indexed after the loop would make the compiler
  // mirror every update to the stack. 12 accumulators + 2 panel vectors + 1
  // broadcast = 15 of the 16 ymm registers.
  __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00,
         c40 = c00, c41 = c00, c50 = c00, c51 = c00;
#pragma GCC unroll 4
  for (int k = 0; k < kc; ++k) {
    const __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
    __m256 ai = _mm256_broadcast_ss(a);
    c00 = _mm256_fmadd_ps(ai, b0, c00);
    c01 = _mm256_fmadd_ps(ai, b1, c01);
    ai = _mm256_broadcast_ss(a + 1);
    c10 = _mm256_fmadd_ps(ai, b0, c10);
    c11 = _mm256_fmadd_ps(ai, b1, c11);
    ai = _mm256_broadcast_ss(a + 2);
    c20 = _mm256_fmadd_ps(ai, b0, c20);
    c21 = _mm256_fmadd_ps(ai, b1, c21);
    ai = _mm256_broadcast_ss(a + 3);
    c30 = _mm256_fmadd_ps(ai, b0, c30);
    c31 = _mm256_fmadd_ps(ai, b1, c31);
    ai = _mm256_broadcast_ss(a + 4);
    c40 = _mm256_fmadd_ps(ai, b0, c40);
    c41 = _mm256_fmadd_ps(ai, b1, c41);
    ai = _mm256_broadcast_ss(a + 5);
    c50 = _mm256_fmadd_ps(ai, b0, c50);
    c51 = _mm256_fmadd_ps(ai, b1, c51);
    a += MR;
    b += NR;
  }
  __m256 c[MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
  if (cols == NR) {
    for (int i = 0; i < rows; ++i) {
      float* ci = C + size_t(i) * ldc;
      if (accumulate) {
        c[i][0] = _mm256_add_ps(_mm256_loadu_ps(ci), c[i][0]);
        c[i][1] = _mm256_add_ps(_mm256_loadu_ps(ci + 8), c[i][1]);
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

// 8 values of B row `r` from element k as f32 (f16 through F16C; bf16 is the
// high half of an f32).
inline __m256 load8(GemmB t, const void* r, size_t k) {
  switch (t) {
    case GemmB::f16:
      return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(static_cast<const uint16_t*>(r) + k)));
    case GemmB::bf16: {
      const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(static_cast<const uint16_t*>(r) + k));
      return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
    }
    default: return _mm256_loadu_ps(static_cast<const float*>(r) + k);
  }
}

inline float load1(GemmB t, const void* r, size_t k) {
  switch (t) {
    case GemmB::f16: return _cvtsh_ss(static_cast<const uint16_t*>(r)[k]);
    case GemmB::bf16: {
      const uint32_t u = uint32_t(static_cast<const uint16_t*>(r)[k]) << 16;
      float f;
      __builtin_memcpy(&f, &u, 4);
      return f;
    }
    default: return static_cast<const float*>(r)[k];
  }
}

// Panel [kc][16]: 8 x 8 blocks (8 B rows x 8 k) converted and transposed in
// registers; the k tail element by element. Missing columns are 0.
void pack_b_avx2(GemmB t, const void* B, size_t ldb, int n0, int cols, int k0, int kc, float* panel) {
  const size_t es = t == GemmB::f32 ? 4 : 2;
  const uint8_t* rows[NR];
  for (int j = 0; j < NR; ++j)
    rows[j] = j < cols ? static_cast<const uint8_t*>(B) + (size_t(n0 + j) * ldb + size_t(k0)) * es : nullptr;
  const int k8 = kc / 8 * 8;
  for (int half = 0; half < NR; half += 8) {
    const uint8_t* const* r = rows + half;
    for (int k = 0; k < k8; k += 8) {
      __m256 v[8];
      for (int j = 0; j < 8; ++j) v[j] = r[j] ? load8(t, r[j], size_t(k)) : _mm256_setzero_ps();
      const __m256 t0 = _mm256_unpacklo_ps(v[0], v[1]), t1 = _mm256_unpackhi_ps(v[0], v[1]);
      const __m256 t2 = _mm256_unpacklo_ps(v[2], v[3]), t3 = _mm256_unpackhi_ps(v[2], v[3]);
      const __m256 t4 = _mm256_unpacklo_ps(v[4], v[5]), t5 = _mm256_unpackhi_ps(v[4], v[5]);
      const __m256 t6 = _mm256_unpacklo_ps(v[6], v[7]), t7 = _mm256_unpackhi_ps(v[6], v[7]);
      const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
      const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
      const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
      const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
      float* p = panel + size_t(k) * NR + half;
      _mm256_storeu_ps(p + 0 * NR, _mm256_permute2f128_ps(u0, u4, 0x20));
      _mm256_storeu_ps(p + 1 * NR, _mm256_permute2f128_ps(u1, u5, 0x20));
      _mm256_storeu_ps(p + 2 * NR, _mm256_permute2f128_ps(u2, u6, 0x20));
      _mm256_storeu_ps(p + 3 * NR, _mm256_permute2f128_ps(u3, u7, 0x20));
      _mm256_storeu_ps(p + 4 * NR, _mm256_permute2f128_ps(u0, u4, 0x31));
      _mm256_storeu_ps(p + 5 * NR, _mm256_permute2f128_ps(u1, u5, 0x31));
      _mm256_storeu_ps(p + 6 * NR, _mm256_permute2f128_ps(u2, u6, 0x31));
      _mm256_storeu_ps(p + 7 * NR, _mm256_permute2f128_ps(u3, u7, 0x31));
    }
  }
  for (int k = k8; k < kc; ++k)
    for (int j = 0; j < NR; ++j) panel[size_t(k) * NR + j] = rows[j] ? load1(t, rows[j], size_t(k)) : 0.f;
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

const GemmKernels kGemmAvx2 = {MR, NR, f32_tile_avx2, q8_tile_avx2<block_q8_0>, q8_tile_avx2<block_q4_0>,
                               pack_b_avx2};

}  // namespace sprout::kern
