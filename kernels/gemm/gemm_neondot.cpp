// Int8 GEMM tiles on the ARMv8.2 dot-product extension (compiled with
// -march=armv8.2-a+dotprod; chosen only when hwcaps report asimddp). SDOT sums
// 4 signed byte products into each int32 lane: one instruction where plain NEON
// needs vmull_s8 + vpadalq, and no int16 stage, so q8_0 weights come as one byte
// plane (GemmQ::q8_0_bytes, u = w + 128: w = u ^ 0x80 as int8).
//
// The 4 x 8 tile (gemm.h): per block, each activation row's 32 bytes are two
// vector loads; chunk c (4 values) of the panel is two 16-byte vectors (weight
// rows 0..3 and 4..7, 4 values each) and meets the activation's 4 bytes through
// the lane-indexed SDOT (vdotq_laneq_s32), so nothing is broadcast. 8 int32
// accumulators (4 activation rows x 2 weight-row halves) take the exact block
// sums; 4- and 5-bit values (unsigned, <= 31) are used as they are and their
// offset (q4_0: 8, q5_0: 16) times sum(q_a) is taken off in int32, then the
// scalar tile's f32 terms. q6_K and the 4-bit-plane q8_0 panel keep the NEON
// tiles. Reference: the scalar tile (gemm_scalar.cpp); tests/kernels/test_gemm.cpp
// checks this table against it under qemu -cpu max.
//
// Everything but the exported tile set has internal linkage: this file is
// compiled for a wider instruction set than the rest, and a shared out-of-line
// copy of an inline helper could otherwise be picked for code on a CPU without it.
#include <arm_neon.h>

#include <cstring>

#include "kernels/common/quant_blocks.h"
#include "kernels/dot/dot.h"
#include "kernels/gemm/gemm.h"
#include "kernels/gemm/gemm_tile_common.h"

namespace sprout::kern {
namespace {

template <GemmQ T>
inline int8x16_t weights(const uint8_t* p) {
  const uint8x16_t u = vld1q_u8(p);
  if constexpr (T == GemmQ::q8_0_bytes) return vreinterpretq_s8_u8(veorq_u8(u, vdupq_n_u8(0x80)));
  else return vreinterpretq_s8_u8(u);
}

template <GemmQ T>
void q8_tile_neondot(int n, const void* panel, const void* a, size_t as, int rows, float* C, size_t ldc, int cols) {
  static_assert(T != GemmQ::q8_0 && T != GemmQ::q6_K, "these panels keep the NEON tile");
  constexpr bool kMin = gemm_q_has_min(T);
  constexpr int kOffset = T == GemmQ::q4_0 ? 8 : T == GemmQ::q5_0 ? 16 : 0;
  constexpr size_t po = gemm_q_plane_offset(T), stride = gemm_q_block_bytes(T);
  const int nb = n / QK8_0;
  Q8Row ar[4];
  tile_rows(a, as, rows, n, ar);
  float32x4_t acc[4][2];
#pragma GCC unroll 4
  for (int i = 0; i < 4; ++i) acc[i][0] = acc[i][1] = vdupq_n_f32(0.f);
  const uint8_t* blk = static_cast<const uint8_t*>(panel);
  for (int b = 0; b < nb; ++b, blk += stride) {
    int8x16_t x[4][2];  // [activation row][values 0..15, 16..31]
#pragma GCC unroll 4
    for (int i = 0; i < 4; ++i) x[i][0] = vld1q_s8(ar[i].b[b].qs), x[i][1] = vld1q_s8(ar[i].b[b].qs + 16);
    int32x4_t s[4][2];  // [activation row][weight rows 0..3, 4..7]
#pragma GCC unroll 4
    for (int i = 0; i < 4; ++i) s[i][0] = s[i][1] = vdupq_n_s32(0);
    const uint8_t* w = blk + po;
#define SPROUT_CHUNK(c)                                                          \
  {                                                                              \
    const int8x16_t w03 = weights<T>(w + 32 * (c)), w47 = weights<T>(w + 32 * (c) + 16); \
    _Pragma("GCC unroll 4") for (int i = 0; i < 4; ++i) {                       \
      s[i][0] = vdotq_laneq_s32(s[i][0], w03, x[i][(c) / 4], (c) % 4);           \
      s[i][1] = vdotq_laneq_s32(s[i][1], w47, x[i][(c) / 4], (c) % 4);           \
    }                                                                            \
  }
    // The lane index must be a constant: one expansion per chunk.
    SPROUT_CHUNK(0) SPROUT_CHUNK(1) SPROUT_CHUNK(2) SPROUT_CHUNK(3)
    SPROUT_CHUNK(4) SPROUT_CHUNK(5) SPROUT_CHUNK(6) SPROUT_CHUNK(7)
#undef SPROUT_CHUNK
    if constexpr (kOffset != 0) {
#pragma GCC unroll 4
      for (int i = 0; i < 4; ++i) {
        const int32x4_t off = vdupq_n_s32(ar[i].sum[b] * kOffset);
        s[i][0] = vsubq_s32(s[i][0], off), s[i][1] = vsubq_s32(s[i][1], off);
      }
    }
    neon_finish_block<kMin>(acc, s, blk, ar, b);
  }
  neon_store_tile(acc, rows, C, ldc, cols);
}

constexpr GemmTileSet neondot_tiles() {
  GemmTileSet t{};
  t.tile[int(GemmQ::q8_0_bytes)] = q8_tile_neondot<GemmQ::q8_0_bytes>;
  t.tile[int(GemmQ::q4_0)] = q8_tile_neondot<GemmQ::q4_0>;
  t.tile[int(GemmQ::q4_1)] = q8_tile_neondot<GemmQ::q4_1>;
  t.tile[int(GemmQ::q5_0)] = q8_tile_neondot<GemmQ::q5_0>;
  t.tile[int(GemmQ::q5_1)] = q8_tile_neondot<GemmQ::q5_1>;
  t.tile[int(GemmQ::q4_K)] = q8_tile_neondot<GemmQ::q4_K>;
  t.tile[int(GemmQ::q5_K)] = q8_tile_neondot<GemmQ::q5_K>;
  return t;
}

}  // namespace

const GemmTileSet kGemmNeonDotTiles = neondot_tiles();

}  // namespace sprout::kern
