// NEON GEMM tiles (aarch64). f32: 8 x 12 register block on packed operands (24
// accumulators; 3 panel and 2 sliver loads per k, vfmaq_laneq). int8: 4 x 4 block; each block's
// products via vmull_s8/vmlal_s8 (two products per int16 lane: at most
// 2 * 128 * 127, no overflow), widened with vpaddlq/vpadalq and reduced exactly.
#include <arm_neon.h>

#include <algorithm>

#include "kernels/common/fp16.h"
#include "kernels/common/quant_blocks.h"
#include "kernels/dot/dot.h"
#include "kernels/gemm/gemm.h"

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

// Signed int8 weights of one block in element order (lo = 0..15, hi = 16..31).
inline void wvec(const block_q8_0& b, int8x16_t* lo, int8x16_t* hi) {
  *lo = vld1q_s8(b.qs);
  *hi = vld1q_s8(b.qs + 16);
}
inline void wvec(const block_q4_0& b, int8x16_t* lo, int8x16_t* hi) {
  const uint8x16_t q = vld1q_u8(b.qs);
  const int8x16_t eight = vdupq_n_s8(8);
  *lo = vsubq_s8(vreinterpretq_s8_u8(vandq_u8(q, vdupq_n_u8(0xF))), eight);
  *hi = vsubq_s8(vreinterpretq_s8_u8(vshrq_n_u8(q, 4)), eight);
}

inline int32_t block_sum(int8x16_t wl, int8x16_t wh, int8x16_t al, int8x16_t ah) {
  int16x8_t p0 = vmull_s8(vget_low_s8(wl), vget_low_s8(al));
  p0 = vmlal_s8(p0, vget_high_s8(wl), vget_high_s8(al));
  int16x8_t p1 = vmull_s8(vget_low_s8(wh), vget_low_s8(ah));
  p1 = vmlal_s8(p1, vget_high_s8(wh), vget_high_s8(ah));
  return vaddvq_s32(vpadalq_s16(vpaddlq_s16(p0), p1));
}

template <class B>
void q8_tile_neon(int n, const void* w, size_t ws, const void* a, size_t as, float* C, size_t ldc) {
  const int nb = n / QK8_0;
  const B* wr[4];
  Q8Row ar[4];
  for (int j = 0; j < 4; ++j) wr[j] = reinterpret_cast<const B*>(static_cast<const uint8_t*>(w) + size_t(j) * ws);
  for (int i = 0; i < 4; ++i) ar[i] = q8_0_row(static_cast<const uint8_t*>(a) + size_t(i) * as, n);
  float32x4_t acc[4];
  for (int i = 0; i < 4; ++i) acc[i] = vdupq_n_f32(0.f);
  for (int b = 0; b < nb; ++b) {
    int8x16_t wl[4], wh[4];
    float dwa[4];
    for (int j = 0; j < 4; ++j) {
      wvec(wr[j][b], &wl[j], &wh[j]);
      dwa[j] = f16_to_f32(wr[j][b].d);
    }
    const float32x4_t dw = vld1q_f32(dwa);
    for (int i = 0; i < 4; ++i) {
      const int8x16_t al = vld1q_s8(ar[i].b[b].qs), ah = vld1q_s8(ar[i].b[b].qs + 16);
      int32_t s[4];
      for (int j = 0; j < 4; ++j) s[j] = block_sum(wl[j], wh[j], al, ah);
      const float32x4_t scale = vmulq_n_f32(dw, ar[i].d[b]);
      acc[i] = vaddq_f32(acc[i], vmulq_f32(vcvtq_f32_s32(vld1q_s32(s)), scale));
    }
  }
  for (int i = 0; i < 4; ++i) vst1q_f32(C + size_t(i) * ldc, acc[i]);
}

}  // namespace

const GemmKernels kGemmNeon = {MR, NR, f32_tile_neon, q8_tile_neon<block_q8_0>, q8_tile_neon<block_q4_0>,
                               pack_b_neon};

}  // namespace sprout::kern
