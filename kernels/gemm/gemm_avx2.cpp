// AVX2+FMA GEMM tiles (compiled with -mavx2 -mfma -mf16c, called only when cpuid
// reports them). f32: 6 x 16 register block on packed operands (12 accumulators,
// 2 panel loads and 6 sliver broadcasts per k); B panels packed with 8 x 8
// register transposes (f16 via F16C). int8: 4 x 8 block on a packed panel of 4- to
// 6-bit weight planes (gemm.h): maddubs (sign trick only for q6_K), int16 sums
// per block or half block, one madd per plane and span, no horizontal reductions.
#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "kernels/common/quant_blocks.h"
#include "kernels/dot/dot.h"
#include "kernels/quant/quant.h"
#include "kernels/gemm/gemm.h"
#include "kernels/gemm/gemm_tile_common.h"

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


// One packed panel (gemm.h) against 4 activation rows. Per block and chunk, one
// 32-byte plane load (4 values of 8 weight rows) meets 4 bytes of each activation
// row broadcast: maddubs gives, per row, 8 lanes of 2-product int16 sums (one
// weight row each). The int16 sums run over the block's 8 chunks (4-bit planes)
// or over 4 (5-bit values, q6_K's |w| <= 32: below 2^15 either way), then one
// madd per plane (or half block) widens them to the 8 rows' int32 block sums,
// already fully reduced: no horizontal adds. q6_K's madd multiplies by its int16
// scales instead of 1, and its signed w moves its sign onto the activation
// (abs / sign). The offset (q4_0: 8, q5_0: 16, q8_0: 128) times sum(q_a) is
// subtracted in int32, so the sums are exact; min types add m * ds_a in f32.
template <GemmQ T>
void q8_tile_avx2(int n, const void* panel, const void* a, size_t as, int rows, float* C, size_t ldc, int cols) {
  constexpr bool kTwo = T == GemmQ::q8_0, kSigned = T == GemmQ::q6_K, kMin = gemm_q_has_min(T);
  constexpr bool kHalves = T == GemmQ::q5_0 || T == GemmQ::q5_1 || T == GemmQ::q5_K || T == GemmQ::q6_K;
  constexpr int kOffset = kTwo ? 128 : T == GemmQ::q4_0 ? 8 : T == GemmQ::q5_0 ? 16 : 0;
  constexpr int kSpan = kHalves ? 4 : 8;  // chunks per int16 sum
  constexpr size_t po = gemm_q_plane_offset(T), stride = gemm_q_block_bytes(T);
  const int nb = n / QK8_0;
  Q8Row ar[4];
  tile_rows(a, as, rows, n, ar);
  const __m256i ones = _mm256_set1_epi16(1), sixteen = _mm256_set1_epi16(16);
  __m256 acc0 = _mm256_setzero_ps(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
  const uint8_t* blk = static_cast<const uint8_t*>(panel);
  for (int b = 0; b < nb; ++b, blk += stride) {
    const int8_t *a0 = ar[0].b[b].qs, *a1 = ar[1].b[b].qs, *a2 = ar[2].b[b].qs, *a3 = ar[3].b[b].qs;
    const uint8_t* lo = blk + po + (kTwo ? 256 : 0);
    const uint8_t* hi = blk + po;
    __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0;
    for (int c0 = 0; c0 < 8; c0 += kSpan) {
      __m256i l0 = _mm256_setzero_si256(), l1 = l0, l2 = l0, l3 = l0, h0 = l0, h1 = l0, h2 = l0, h3 = l0;
      for (int c = c0; c < c0 + kSpan; ++c) {
        __m256i wl = load32(lo + 32 * c);
        __m256i x0 = bcast4(a0 + 4 * c), x1 = bcast4(a1 + 4 * c), x2 = bcast4(a2 + 4 * c), x3 = bcast4(a3 + 4 * c);
        if constexpr (kSigned) {
          x0 = _mm256_sign_epi8(x0, wl), x1 = _mm256_sign_epi8(x1, wl);
          x2 = _mm256_sign_epi8(x2, wl), x3 = _mm256_sign_epi8(x3, wl);
          wl = _mm256_abs_epi8(wl);
        }
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
      const __m256i mul = kSigned ? load32(blk + 32 + 32 * (c0 / 4)) : ones;  // q6_K: the half's scales
      s0 = _mm256_add_epi32(s0, _mm256_madd_epi16(l0, mul));
      s1 = _mm256_add_epi32(s1, _mm256_madd_epi16(l1, mul));
      s2 = _mm256_add_epi32(s2, _mm256_madd_epi16(l2, mul));
      s3 = _mm256_add_epi32(s3, _mm256_madd_epi16(l3, mul));
      if constexpr (kTwo) {
        s0 = _mm256_add_epi32(s0, _mm256_madd_epi16(h0, sixteen));
        s1 = _mm256_add_epi32(s1, _mm256_madd_epi16(h1, sixteen));
        s2 = _mm256_add_epi32(s2, _mm256_madd_epi16(h2, sixteen));
        s3 = _mm256_add_epi32(s3, _mm256_madd_epi16(h3, sixteen));
      }
    }
    const __m256 dw = _mm256_loadu_ps(reinterpret_cast<const float*>(blk));
    const __m256 mw = kMin ? _mm256_loadu_ps(reinterpret_cast<const float*>(blk + 32)) : dw;
    acc0 = avx2_finish_block<kOffset, kMin>(s0, ar[0], b, dw, mw, acc0);
    acc1 = avx2_finish_block<kOffset, kMin>(s1, ar[1], b, dw, mw, acc1);
    acc2 = avx2_finish_block<kOffset, kMin>(s2, ar[2], b, dw, mw, acc2);
    acc3 = avx2_finish_block<kOffset, kMin>(s3, ar[3], b, dw, mw, acc3);
  }
  const __m256 acc[4] = {acc0, acc1, acc2, acc3};
  for (int i = 0; i < rows; ++i) avx2_store_row(acc[i], C + size_t(i) * ldc, cols);
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

// The 32 values of 32-value block b of one weight row as the panel stores them
// (gemm.h), in value order, with the row's scale, min term and q6_K scales.
template <GemmQ T>
inline __m256i row_block(const uint8_t* row, int b, float* d, float* m, int16_t* sc) {
  const __m256i low = _mm256_set1_epi8(0x0F);
  // 16 nibble bytes -> values 0..15 (low nibbles) then 16..31 (high nibbles).
  auto nib = [&](const uint8_t* qs) {
    const __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(qs));
    return _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(q, 4), q), low);
  };
  // Bit k of a q5 block's 32-bit qh as 16 in byte k.
  auto fifth = [&](const uint8_t* qh4) {
    uint32_t qh;
    std::memcpy(&qh, qh4, 4);
    const __m256i sel = _mm256_setr_epi64x(0, 0x0101010101010101, 0x0202020202020202, 0x0303030303030303);
    const __m256i bit = _mm256_set1_epi64x(int64_t(0x8040201008040201));
    const __m256i v = _mm256_shuffle_epi8(_mm256_set1_epi32(int(qh)), sel);
    return _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(v, bit), bit), _mm256_set1_epi8(16));
  };
  if constexpr (T == GemmQ::q8_0 || T == GemmQ::q8_0_bytes) {
    const auto& x = reinterpret_cast<const block_q8_0*>(row)[b];
    *d = _cvtsh_ss(x.d);
    return _mm256_xor_si256(load32(x.qs), _mm256_set1_epi8(char(0x80)));  // w + 128
  } else if constexpr (T == GemmQ::q4_0) {
    const auto& x = reinterpret_cast<const block_q4_0*>(row)[b];
    *d = _cvtsh_ss(x.d);
    return nib(x.qs);
  } else if constexpr (T == GemmQ::q4_1) {
    const auto& x = reinterpret_cast<const block_q4_1*>(row)[b];
    *d = _cvtsh_ss(x.d), *m = _cvtsh_ss(x.m);
    return nib(x.qs);
  } else if constexpr (T == GemmQ::q5_0) {
    const auto& x = reinterpret_cast<const block_q5_0*>(row)[b];
    *d = _cvtsh_ss(x.d);
    return _mm256_or_si256(nib(x.qs), fifth(x.qh));
  } else if constexpr (T == GemmQ::q5_1) {
    const auto& x = reinterpret_cast<const block_q5_1*>(row)[b];
    *d = _cvtsh_ss(x.d), *m = _cvtsh_ss(x.m);
    return _mm256_or_si256(nib(x.qs), fifth(x.qh));
  } else if constexpr (T == GemmQ::q4_K || T == GemmQ::q5_K) {
    using Block = std::conditional_t<T == GemmQ::q4_K, block_q4_K, block_q5_K>;
    const auto& x = reinterpret_cast<const Block*>(row)[b / 8];
    const int j = b % 8;
    uint8_t s, mn;
    get_scale_min_k4(j, x.scales, &s, &mn);
    *d = _cvtsh_ss(x.d) * float(s);
    *m = -(_cvtsh_ss(x.dmin) * float(mn));
    const __m256i q = load32(x.qs + 32 * (j / 2));
    const __m256i u = _mm256_and_si256(_mm256_srl_epi16(q, _mm_cvtsi32_si128(4 * (j & 1))), low);
    if constexpr (T == GemmQ::q4_K) {
      return u;
    } else {  // bit j of qh[k] as 16
      const __m256i h = _mm256_and_si256(_mm256_srl_epi16(load32(x.qh), _mm_cvtsi32_si128(j)), _mm256_set1_epi8(1));
      return _mm256_or_si256(u, _mm256_slli_epi16(h, 4));
    }
  } else {  // q6_K
    const auto& x = reinterpret_cast<const block_q6_K*>(row)[b / 8];
    const int j = b % 8, half = j / 4, g = j % 4;
    *d = _cvtsh_ss(x.d);
    sc[0] = x.scales[2 * j], sc[1] = x.scales[2 * j + 1];
    const __m256i ql = load32(x.ql + 64 * half + 32 * (g & 1)), qh = load32(x.qh + 32 * half);
    const __m256i l = _mm256_and_si256(_mm256_srl_epi16(ql, _mm_cvtsi32_si128(4 * (g >> 1))), low);
    const __m256i h = _mm256_and_si256(_mm256_srl_epi16(qh, _mm_cvtsi32_si128(2 * g)), _mm256_set1_epi8(3));
    return _mm256_sub_epi8(_mm256_or_si256(l, _mm256_slli_epi16(h, 4)), _mm256_set1_epi8(32));
  }
}

template <GemmQ T>
void pack_q_avx2_t(const void* w, size_t ws, int rows, int n, void* panel) {
  const int nb = n / QK8_0;
  constexpr size_t stride = gemm_q_block_bytes(T), po = gemm_q_plane_offset(T);
  const __m256i low = _mm256_set1_epi8(0x0F);
  uint8_t* blk = static_cast<uint8_t*>(panel);
  for (int b = 0; b < nb; ++b, blk += stride) {
    __m256i r[kGemmQCols];
    alignas(32) float d[kGemmQCols] = {}, m[kGemmQCols] = {};
    alignas(32) int16_t sc[2][2 * kGemmQCols] = {};
    for (int j = 0; j < kGemmQCols; ++j) {
      if (j >= rows) {
        r[j] = _mm256_setzero_si256();
        continue;
      }
      int16_t s[2] = {0, 0};
      r[j] = row_block<T>(static_cast<const uint8_t*>(w) + size_t(j) * ws, b, &d[j], &m[j], s);
      sc[0][2 * j] = sc[0][2 * j + 1] = s[0];
      sc[1][2 * j] = sc[1][2 * j + 1] = s[1];
    }
    _mm256_storeu_ps(reinterpret_cast<float*>(blk), _mm256_load_ps(d));
    if constexpr (gemm_q_has_min(T)) _mm256_storeu_ps(reinterpret_cast<float*>(blk + 32), _mm256_load_ps(m));
    if constexpr (T == GemmQ::q6_K) std::memcpy(blk + 32, sc, sizeof sc);
    transpose8x8_epi32(r);
    uint8_t* planes = blk + po;
    for (int c = 0; c < 8; ++c) {
      if constexpr (T == GemmQ::q8_0) {
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(planes + 32 * c), _mm256_and_si256(_mm256_srli_epi16(r[c], 4), low));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(planes + 256 + 32 * c), _mm256_and_si256(r[c], low));
      } else {
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(planes + 32 * c), r[c]);
      }
    }
  }
}

void pack_q_avx2(GemmQ t, const void* w, size_t ws, int rows, int n, void* panel) {
  switch (t) {
    case GemmQ::q8_0: return pack_q_avx2_t<GemmQ::q8_0>(w, ws, rows, n, panel);
    case GemmQ::q4_0: return pack_q_avx2_t<GemmQ::q4_0>(w, ws, rows, n, panel);
    case GemmQ::q4_1: return pack_q_avx2_t<GemmQ::q4_1>(w, ws, rows, n, panel);
    case GemmQ::q5_0: return pack_q_avx2_t<GemmQ::q5_0>(w, ws, rows, n, panel);
    case GemmQ::q5_1: return pack_q_avx2_t<GemmQ::q5_1>(w, ws, rows, n, panel);
    case GemmQ::q4_K: return pack_q_avx2_t<GemmQ::q4_K>(w, ws, rows, n, panel);
    case GemmQ::q6_K: return pack_q_avx2_t<GemmQ::q6_K>(w, ws, rows, n, panel);
    case GemmQ::q5_K: return pack_q_avx2_t<GemmQ::q5_K>(w, ws, rows, n, panel);
    case GemmQ::q8_0_bytes: return pack_q_avx2_t<GemmQ::q8_0_bytes>(w, ws, rows, n, panel);
    case GemmQ::count: break;
  }
}

}  // namespace

const GemmKernels kGemmAvx2 = {MR,
                               NR,
                               f32_tile_avx2,
                               {q8_tile_avx2<GemmQ::q8_0>, q8_tile_avx2<GemmQ::q4_0>, q8_tile_avx2<GemmQ::q4_1>,
                                q8_tile_avx2<GemmQ::q5_0>, q8_tile_avx2<GemmQ::q5_1>, q8_tile_avx2<GemmQ::q4_K>,
                                q8_tile_avx2<GemmQ::q6_K>, q8_tile_avx2<GemmQ::q5_K>,
                                nullptr},  // q8_0_bytes: AVX2 has no 8-bit x 8-bit product without saturation
                               GemmQ::q8_0,
                               pack_q_avx2,
                               pack_b_avx2};

}  // namespace sprout::kern
