// NEON GEMM tiles (aarch64). f32: 8 x 12 register block on packed operands (24
// accumulators; 3 panel and 2 sliver loads per k, vfmaq_laneq). int8: 4 x 8 block on a packed
// panel (gemm.h); signed weights rebuilt from its planes, products via
// vmull_s8 (one product per int16 lane), widened with vpadalq and reduced exactly.
#include <arm_neon.h>

#include <algorithm>
#include <cstring>

#include "kernels/common/fp16.h"
#include "kernels/common/quant_blocks.h"
#include "kernels/dot/dot.h"
#include "kernels/gemm/gemm.h"
#include "kernels/gemm/gemm_tile_common.h"

namespace sprout::kern {
namespace {

constexpr int MR = 8, NR = 12;

void f32_tile_neon(int kc, const float* a, const float* b, float* C, size_t ldc, int rows, int cols, bool accumulate) {
  // 24 accumulators + 3 panel vectors + 2 sliver vectors = 29 of 32 registers.
  float32x4_t c[MR][3];
  for (int i = 0; i < MR; ++i)
    for (int v = 0; v < 3; ++v) c[i][v] = vdupq_n_f32(0.f);
  for (int k = 0; k < kc; ++k, a += MR, b += NR) {
    const float32x4_t b0 = vld1q_f32(b), b1 = vld1q_f32(b + 4), b2 = vld1q_f32(b + 8);
    const float32x4_t a0 = vld1q_f32(a), a1 = vld1q_f32(a + 4);
#define SPROUT_ROW(i, av, lane)                        \
  c[i][0] = vfmaq_laneq_f32(c[i][0], b0, av, lane); \
  c[i][1] = vfmaq_laneq_f32(c[i][1], b1, av, lane); \
  c[i][2] = vfmaq_laneq_f32(c[i][2], b2, av, lane);
    SPROUT_ROW(0, a0, 0)
    SPROUT_ROW(1, a0, 1)
    SPROUT_ROW(2, a0, 2)
    SPROUT_ROW(3, a0, 3)
    SPROUT_ROW(4, a1, 0)
    SPROUT_ROW(5, a1, 1)
    SPROUT_ROW(6, a1, 2)
    SPROUT_ROW(7, a1, 3)
#undef SPROUT_ROW
  }
  float t[NR];
  for (int i = 0; i < rows; ++i) {
    for (int v = 0; v < 3; ++v) vst1q_f32(t + 4 * v, c[i][v]);
    float* ci = C + size_t(i) * ldc;
    for (int j = 0; j < cols; ++j) ci[j] = accumulate ? ci[j] + t[j] : t[j];
  }
}

void pack_b_neon(GemmB t, const void* B, size_t ldb, int n0, int cols, int k0, int kc, float* panel) {
  gemm_pack_b(t, B, ldb, n0, cols, k0, kc, NR, panel);
}

// Packed panel (gemm.h), chunk c of a block: the signed weights of rows 0..3
// (lo16) and 4..7 (hi16), 4 values each, rebuilt from the planes (offsets
// applied; the min types' unsigned values fit int8 as they are).
template <GemmQ T>
inline void wchunk(const uint8_t* blk, int c, int8x16_t* r03, int8x16_t* r47) {
  const uint8_t* planes = blk + gemm_q_plane_offset(T);
  if constexpr (T == GemmQ::q8_0) {
    const uint8x16_t x80 = vdupq_n_u8(0x80);
    const uint8_t *hi = planes + 32 * c, *lo = planes + 256 + 32 * c;
    *r03 = vreinterpretq_s8_u8(veorq_u8(vorrq_u8(vshlq_n_u8(vld1q_u8(hi), 4), vld1q_u8(lo)), x80));
    *r47 = vreinterpretq_s8_u8(veorq_u8(vorrq_u8(vshlq_n_u8(vld1q_u8(hi + 16), 4), vld1q_u8(lo + 16)), x80));
  } else {
    const int8x16_t off = vdupq_n_s8(T == GemmQ::q4_0 ? 8 : T == GemmQ::q5_0 ? 16 : 0);
    *r03 = vsubq_s8(vreinterpretq_s8_u8(vld1q_u8(planes + 32 * c)), off);
    *r47 = vsubq_s8(vreinterpretq_s8_u8(vld1q_u8(planes + 32 * c + 16)), off);
  }
}

// Per block: vmull_s8 of 8 weight bytes (2 rows x 4 values) with the activation's
// 4 bytes twice, widened pairwise into int32 (two lanes per weight row), reduced
// with vpaddq at the end of the block (q6_K: of each half, times its scales):
// exact int32 sums, then the scalar's f32 terms.
template <GemmQ T>
void q8_tile_neon(int n, const void* panel, const void* a, size_t as, int rows, float* C, size_t ldc, int cols) {
  constexpr bool kQ6 = T == GemmQ::q6_K;
  constexpr int kSpan = kQ6 ? 4 : 8;
  const int nb = n / QK8_0;
  const size_t stride = gemm_q_block_bytes(T);
  Q8Row ar[4];
  tile_rows(a, as, rows, n, ar);
  float32x4_t acc[4][2];
  for (int i = 0; i < 4; ++i) acc[i][0] = acc[i][1] = vdupq_n_f32(0.f);
  const uint8_t* blk = static_cast<const uint8_t*>(panel);
  for (int b = 0; b < nb; ++b, blk += stride) {
    int32x4_t t[4][2];  // [activation row][weight rows 0..3, 4..7]: the block sums
    for (int i = 0; i < 4; ++i) t[i][0] = t[i][1] = vdupq_n_s32(0);
    for (int c0 = 0; c0 < 8; c0 += kSpan) {
      int32x4_t s[4][4];  // [activation row][weight row pair]
      for (int i = 0; i < 4; ++i)
        for (int p = 0; p < 4; ++p) s[i][p] = vdupq_n_s32(0);
      for (int c = c0; c < c0 + kSpan; ++c) {
        int8x16_t w03, w47;
        wchunk<T>(blk, c, &w03, &w47);
        for (int i = 0; i < 4; ++i) {
          int32_t v;
          std::memcpy(&v, ar[i].b[b].qs + 4 * c, 4);
          const int8x8_t x = vreinterpret_s8_s32(vdup_n_s32(v));
          s[i][0] = vpadalq_s16(s[i][0], vmull_s8(vget_low_s8(w03), x));
          s[i][1] = vpadalq_s16(s[i][1], vmull_s8(vget_high_s8(w03), x));
          s[i][2] = vpadalq_s16(s[i][2], vmull_s8(vget_low_s8(w47), x));
          s[i][3] = vpadalq_s16(s[i][3], vmull_s8(vget_high_s8(w47), x));
        }
      }
      int32x4_t sc03 = vdupq_n_s32(1), sc47 = sc03;
      if constexpr (kQ6) {  // the half's int16 scales, one per row at lanes 2j
        int32_t sc[8];
        for (int j = 0; j < 8; ++j) {
          int16_t v;
          std::memcpy(&v, blk + 32 + 32 * (c0 / 4) + 4 * j, 2);
          sc[j] = v;
        }
        sc03 = vld1q_s32(sc), sc47 = vld1q_s32(sc + 4);
      }
      for (int i = 0; i < 4; ++i) {
        t[i][0] = vmlaq_s32(t[i][0], vpaddq_s32(s[i][0], s[i][1]), sc03);
        t[i][1] = vmlaq_s32(t[i][1], vpaddq_s32(s[i][2], s[i][3]), sc47);
      }
    }
    neon_finish_block<gemm_q_has_min(T)>(acc, t, blk, ar, b);
  }
  neon_store_tile(acc, rows, C, ldc, cols);
}

}  // namespace

const GemmKernels kGemmNeon = {MR,
                               NR,
                               f32_tile_neon,
                               {q8_tile_neon<GemmQ::q8_0>, q8_tile_neon<GemmQ::q4_0>, q8_tile_neon<GemmQ::q4_1>,
                                q8_tile_neon<GemmQ::q5_0>, q8_tile_neon<GemmQ::q5_1>, q8_tile_neon<GemmQ::q4_K>,
                                q8_tile_neon<GemmQ::q6_K>, q8_tile_neon<GemmQ::q5_K>,
                                nullptr},  // q8_0_bytes
                               GemmQ::q8_0,
                               gemm_pack_q,
                               pack_b_neon};

}  // namespace sprout::kern
