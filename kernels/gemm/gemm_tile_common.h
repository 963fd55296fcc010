// Pieces shared by the int8 GEMM tiles of every instruction set.
//
// Internal linkage on purpose: the files including this are compiled with
// different instruction-set flags (docs/architecture.md), so each must keep its
// own copy; a shared out-of-line one could run on a CPU without those
// instructions.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/dot/dot.h"
#include "kernels/gemm/gemm.h"

#if defined(__AVX2__)
#include <immintrin.h>
#endif
#if defined(__aarch64__)
#include <arm_neon.h>
#endif

namespace sprout::kern {
namespace {

// The q8_0 views of a tile's 4 activation rows (a, stride as bytes); rows past
// `rows` repeat the last one (computed, never stored).
inline void tile_rows(const void* a, size_t as, int rows, int n, Q8Row ar[4]) {
  const uint8_t* a8 = static_cast<const uint8_t*>(a);
  for (int i = 0; i < 4; ++i) ar[i] = q8_0_row(a8 + size_t(i < rows ? i : rows - 1) * as, n);
}

#if defined(__AVX2__)
inline __m256i load32(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }
// 4 activation bytes in every 32-bit lane.
inline __m256i bcast4(const int8_t* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return _mm256_set1_epi32(v);
}

// AVX2: block b's exact int32 sums s of the 8 weight rows against activation row
// r, less kOffset * sum(q_a), times d_w * d_a (+ m_w * ds_a for the min types),
// into acc: the scalar tile's f32 terms, fused.
template <int kOffset, bool kMin>
inline __m256 avx2_finish_block(__m256i s, const Q8Row& r, int b, __m256 dw, __m256 mw, __m256 acc) {
  if constexpr (kOffset != 0) s = _mm256_sub_epi32(s, _mm256_set1_epi32(r.sum[b] * kOffset));
  acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_mul_ps(dw, _mm256_set1_ps(r.d[b])), acc);
  if constexpr (kMin) acc = _mm256_fmadd_ps(mw, _mm256_set1_ps(r.ds[b]), acc);
  return acc;
}

// Stores the first `cols` (<= 8; none if cols <= 0) values of one tile row.
inline void avx2_store_row(__m256 v, float* c, int cols) {
  if (cols <= 0) return;
  if (cols >= kGemmQCols) {
    _mm256_storeu_ps(c, v);
    return;
  }
  alignas(32) float t[kGemmQCols];
  _mm256_store_ps(t, v);
  std::memcpy(c, t, sizeof(float) * size_t(cols));
}
#endif

#if defined(__aarch64__)
// NEON: block b's int32 sums s[i][half] (weight rows 0..3, 4..7) of the 4
// activation rows, times d_w * d_a (+ m_w * ds_a for the min types), into acc:
// the scalar tile's f32 terms.
template <bool kMin>
inline void neon_finish_block(float32x4_t acc[4][2], const int32x4_t s[4][2], const uint8_t* blk, const Q8Row ar[4],
                              int b) {
  const float* dw = reinterpret_cast<const float*>(blk);
  const float32x4_t dw03 = vld1q_f32(dw), dw47 = vld1q_f32(dw + 4);
#pragma GCC unroll 4
  for (int i = 0; i < 4; ++i) {
    const float da = ar[i].d[b];
    acc[i][0] = vaddq_f32(acc[i][0], vmulq_f32(vcvtq_f32_s32(s[i][0]), vmulq_n_f32(dw03, da)));
    acc[i][1] = vaddq_f32(acc[i][1], vmulq_f32(vcvtq_f32_s32(s[i][1]), vmulq_n_f32(dw47, da)));
    if constexpr (kMin) {
      const float* mw = reinterpret_cast<const float*>(blk + 32);
      acc[i][0] = vaddq_f32(acc[i][0], vmulq_n_f32(vld1q_f32(mw), ar[i].ds[b]));
      acc[i][1] = vaddq_f32(acc[i][1], vmulq_n_f32(vld1q_f32(mw + 4), ar[i].ds[b]));
    }
  }
}

// Stores the valid rows x cols of a NEON 4 x 8 tile.
inline void neon_store_tile(const float32x4_t acc[4][2], int rows, float* C, size_t ldc, int cols) {
  float out[kGemmQCols];
  for (int i = 0; i < rows; ++i) {
    vst1q_f32(out, acc[i][0]);
    vst1q_f32(out + 4, acc[i][1]);
    std::memcpy(C + size_t(i) * ldc, out, sizeof(float) * size_t(cols));
  }
}
#endif

}  // namespace
}  // namespace sprout::kern
