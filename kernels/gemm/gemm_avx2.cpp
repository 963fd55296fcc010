// AVX2+FMA GEMM tiles (compiled with -mavx2 -mfma -mf16c, called only when cpuid
// reports them). f32: 6 x 16 register block on packed operands (12 accumulators,
// 2 panel loads and 6 sliver broadcasts per k); B panels packed with 8 x 8
// register transposes (f16 via F16C). int8: 4 x 8 block on a packed panel of unsigned 4-bit
// weight planes (gemm.h): maddubs without the sign trick, int16 sums per block,
// one madd per plane and block, no horizontal reductions.
#include <immintrin.h>

#include <algorithm>
#include <cstring>

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
inline __m256i bcast4(const int8_t* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return _mm256_set1_epi32(v);
}

// One packed panel (gemm.h) against 4 activation rows. Per block and chunk, one
// 32-byte plane load (4 values of 8 weight rows) meets 4 bytes of each activation
// row broadcast: maddubs gives, per row, 8 lanes of 2-product int16 sums (one
// weight row each); int16 sums over the block's 8 chunks stay below 2^15, then
// one madd per plane widens them to the 8 rows' int32 block sums, already fully
// reduced: no horizontal adds. The offset (q4_0: 8, q8_0: 128) times
// sum(q_a) is subtracted in int32, so the sums are exact.
template <GemmQ T>
void q8_tile_avx2(int n, const void* panel, const void* a, size_t as, int rows, float* C, size_t ldc, int cols) {
  constexpr bool kTwo = T == GemmQ::q8_0;
  constexpr int kOffset = kTwo ? 128 : 8;
  const int nb = n / QK8_0;
  const size_t stride = gemm_q_panel_bytes(T, QK8_0);
  Q8Row ar[4];
  for (int i = 0; i < 4; ++i) ar[i] = q8_0_row(static_cast<const uint8_t*>(a) + size_t(std::min(i, rows - 1)) * as, n);
  const __m256i ones = _mm256_set1_epi16(1), sixteen = _mm256_set1_epi16(16);
  __m256 acc0 = _mm256_setzero_ps(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
  const uint8_t* blk = static_cast<const uint8_t*>(panel);
  for (int b = 0; b < nb; ++b, blk += stride) {
    const int8_t *a0 = ar[0].b[b].qs, *a1 = ar[1].b[b].qs, *a2 = ar[2].b[b].qs, *a3 = ar[3].b[b].qs;
    const uint8_t* lo = blk + 32 + (kTwo ? 256 : 0);
    const uint8_t* hi = blk + 32;
    __m256i l0 = _mm256_setzero_si256(), l1 = l0, l2 = l0, l3 = l0, h0 = l0, h1 = l0, h2 = l0, h3 = l0;
    for (int c = 0; c < 8; ++c) {
      const __m256i wl = load32(lo + 32 * c);
      const __m256i x0 = bcast4(a0 + 4 * c), x1 = bcast4(a1 + 4 * c), x2 = bcast4(a2 + 4 * c), x3 = bcast4(a3 + 4 * c);
      l0 = _mm256_add_epi16(l0, _mm256_maddubs_epi16(wl, x0));
      l1 = _mm256_add_epi16(l1, _mm256_maddubs_epi16(wl, x1));
      l2 = _mm256_add_epi16(l2, _mm256_maddubs_epi16(wl, x2));
      l3 = _mm256_add_epi16(l3, _mm256_maddubs_epi16(wl, x3));
      if constexpr (kTwo) {
        const __m256i wh = load32(hi + 32 * c);
        h0 = _mm256_add_epi16(h0, _mm256_maddubs_epi16(wh, x0));
        h1 = _mm256_add_epi16(h1, _mm256_maddubs_epi16(wh, x1));
        h2 = _mm256_add_epi16(h2, _mm256_maddubs_epi16(wh, x2));
        h3 = _mm256_add_epi16(h3, _mm256_maddubs_epi16(wh, x3));
        asm("" : "+x"(h0), "+x"(h1), "+x"(h2), "+x"(h3));
      }
      // Keeps the sums chained in registers: otherwise the compiler turns the
      // chunk loop into an add tree over all 64 products and spills them.
      asm("" : "+x"(l0), "+x"(l1), "+x"(l2), "+x"(l3));
    }
    const __m256 dw = _mm256_loadu_ps(reinterpret_cast<const float*>(blk));
    auto finish = [&](__m256i l, __m256i h, const Q8Row& r, __m256 acc) {
      __m256i s = _mm256_madd_epi16(l, ones);
      if constexpr (kTwo) s = _mm256_add_epi32(s, _mm256_madd_epi16(h, sixteen));
      s = _mm256_sub_epi32(s, _mm256_set1_epi32(r.sum[b] * kOffset));
      return _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_mul_ps(dw, _mm256_set1_ps(r.d[b])), acc);
    };
    acc0 = finish(l0, h0, ar[0], acc0);
    acc1 = finish(l1, h1, ar[1], acc1);
    acc2 = finish(l2, h2, ar[2], acc2);
    acc3 = finish(l3, h3, ar[3], acc3);
  }
  const __m256 acc[4] = {acc0, acc1, acc2, acc3};
  if (cols == kGemmQCols) {
    for (int i = 0; i < rows; ++i) _mm256_storeu_ps(C + size_t(i) * ldc, acc[i]);
    return;
  }
  alignas(32) float t[kGemmQCols];
  for (int i = 0; i < rows; ++i) {
    _mm256_store_ps(t, acc[i]);
    std::memcpy(C + size_t(i) * ldc, t, sizeof(float) * size_t(cols));
  }
}

// Panel packing (gemm.h layout, byte for byte gemm_pack_q's): per block, the 8
// rows' 32 values as 8 x 8 int32 (4-value chunks) transposed with unpack/permute
// so vector c holds chunk c of every row, then split into 4-bit planes.
inline void transpose8x8_epi32(__m256i r[8]) {
  __m256i t[8], u[8];
  for (int p = 0; p < 4; ++p) {
    t[2 * p] = _mm256_unpacklo_epi32(r[2 * p], r[2 * p + 1]);      // chunks 0,1 | 4,5 of rows 2p, 2p+1
    t[2 * p + 1] = _mm256_unpackhi_epi32(r[2 * p], r[2 * p + 1]);  // chunks 2,3 | 6,7
  }
  for (int h = 0; h < 2; ++h) {  // rows 0..3, then 4..7
    const __m256i* s = t + 4 * h;
    u[4 * h + 0] = _mm256_unpacklo_epi64(s[0], s[2]);  // chunk 0 | 4 of 4 rows
    u[4 * h + 1] = _mm256_unpackhi_epi64(s[0], s[2]);  // chunk 1 | 5
    u[4 * h + 2] = _mm256_unpacklo_epi64(s[1], s[3]);  // chunk 2 | 6
    u[4 * h + 3] = _mm256_unpackhi_epi64(s[1], s[3]);  // chunk 3 | 7
  }
  for (int c = 0; c < 4; ++c) {
    r[c] = _mm256_permute2x128_si256(u[c], u[4 + c], 0x20);
    r[c + 4] = _mm256_permute2x128_si256(u[c], u[4 + c], 0x31);
  }
}

void pack_q_avx2(GemmQ t, const void* w, size_t ws, int rows, int n, void* panel) {
  const int nb = n / QK8_0;
  const bool q8 = t == GemmQ::q8_0;
  const size_t stride = gemm_q_panel_bytes(t, QK8_0), bs = q8 ? sizeof(block_q8_0) : sizeof(block_q4_0);
  const uint8_t* row[kGemmQCols];
  for (int j = 0; j < kGemmQCols; ++j) row[j] = static_cast<const uint8_t*>(w) + size_t(std::min(j, rows - 1)) * ws;
  const __m256i low = _mm256_set1_epi8(0x0F), x80 = _mm256_set1_epi8(char(0x80));
  uint8_t* blk = static_cast<uint8_t*>(panel);
  for (int b = 0; b < nb; ++b, blk += stride) {
    __m256i r[kGemmQCols];
    alignas(16) uint16_t d[kGemmQCols] = {};
    for (int j = 0; j < kGemmQCols; ++j) {
      const uint8_t* x = row[j] + size_t(b) * bs;
      if (j >= rows) {
        r[j] = q8 ? x80 : _mm256_setzero_si256();  // zero planes
        continue;
      }
      std::memcpy(&d[j], x, 2);
      if (q8) {
        r[j] = load32(x + 2);
      } else {  // values 0..15 are the low nibbles, 16..31 the high ones
        const __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x + 2));
        r[j] = _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(q, 4), q), low);
      }
    }
    _mm256_storeu_ps(reinterpret_cast<float*>(blk), _mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i*>(d))));
    transpose8x8_epi32(r);
    uint8_t* planes = blk + sizeof(float) * kGemmQCols;
    for (int c = 0; c < 8; ++c) {
      if (q8) {
        const __m256i u = _mm256_xor_si256(r[c], x80);  // w + 128
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(planes + 32 * c), _mm256_and_si256(_mm256_srli_epi16(u, 4), low));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(planes + 256 + 32 * c), _mm256_and_si256(u, low));
      } else {
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(planes + 32 * c), r[c]);
      }
    }
  }
}

}  // namespace

const GemmKernels kGemmAvx2 = {MR, NR, f32_tile_avx2, q8_tile_avx2<GemmQ::q8_0>, q8_tile_avx2<GemmQ::q4_0>,
                            pack_q_avx2, pack_b_avx2};

}  // namespace sprout::kern
