// Int8 GEMM tiles on VPDPBUSD: 4 unsigned x signed byte products summed straight
// into each int32 lane, so one instruction does what AVX2 needs maddubs + an
// int16 add for, cannot saturate, and takes q8_0's weights as whole bytes
// (GemmQ::q8_0_bytes: one plane instead of two 4-bit planes).
//
// Included only by gemm_avxvnni.cpp (VEX encoding, AVX-VNNI) and
// gemm_avx512vnni.cpp (EVEX encoding, AVX512-VNNI + AVX512-VL); they differ
// only in Dp::dot, the intrinsic of their encoding. Everything here has internal
// linkage: each file is compiled for its own instruction set, and a shared
// out-of-line copy of a helper could be taken from the other one.
//
// The 4 x 8 tile (gemm.h): per block, per chunk of 4 values, one 32-byte panel
// load (8 weight rows) and 4 activation broadcasts feed 4 VPDPBUSD. Even and odd
// chunks go to separate int32 sums, 8 chains in all: VPDPBUSD has a latency of
// about 5 cycles and a throughput of 2 per cycle. The block's integer sum is
// exact; its offset (q8_0_bytes 128, q4_0 8, q5_0 16) times sum(q_a) is taken off
// in int32 and the f32 finish is the AVX2 tile's, so results agree with the
// scalar tile as the AVX2 tile's do. q6_K and the 4-bit-plane q8_0 panel keep the
// AVX2 tiles (the merged table in gemm.cpp).
#pragma once
#include <immintrin.h>

#include <cstring>

#include "kernels/common/quant_blocks.h"
#include "kernels/dot/dot.h"
#include "kernels/gemm/gemm.h"
#include "kernels/gemm/gemm_tile_common.h"

namespace sprout::kern {
namespace {

// NP = 1: one panel (the 4 x 8 tile, GemmQ8Tile); NP = 2: two panels, the
// second `pstride` bytes after the first (the 4 x 16 tile, GemmQ8Tile2), so each
// activation broadcast feeds two VPDPBUSD. Both keep 8 independent int32 sums
// per block (NP = 1: even and odd chunks; NP = 2: one per panel).
template <class Dp, GemmQ T, int NP>
inline void q8_tile_vnni_np(int n, const void* panel, size_t pstride, const void* a, size_t as, int rows, float* C,
                            size_t ldc, int cols) {
  static_assert(T != GemmQ::q8_0 && T != GemmQ::q6_K, "these panels keep the AVX2 tile");
  constexpr bool kMin = gemm_q_has_min(T);
  constexpr int kOffset = T == GemmQ::q8_0_bytes ? 128 : T == GemmQ::q4_0 ? 8 : T == GemmQ::q5_0 ? 16 : 0;
  constexpr size_t po = gemm_q_plane_offset(T), stride = gemm_q_block_bytes(T);
  const int nb = n / QK8_0;
  Q8Row ar[4];
  tile_rows(a, as, rows, n, ar);
  __m256 acc[4][NP];
  for (int i = 0; i < 4; ++i)
    for (int p = 0; p < NP; ++p) acc[i][p] = _mm256_setzero_ps();
  const uint8_t* blk = static_cast<const uint8_t*>(panel);
  for (int b = 0; b < nb; ++b, blk += stride) {
    const int8_t* ai[4] = {ar[0].b[b].qs, ar[1].b[b].qs, ar[2].b[b].qs, ar[3].b[b].qs};
    const uint8_t* w0 = blk + po;
    const uint8_t* w1 = blk + (NP == 2 ? pstride : 0) + po;
    __m256i s[4][2];
    for (int i = 0; i < 4; ++i) s[i][0] = s[i][1] = _mm256_setzero_si256();
#pragma GCC unroll 8
    for (int c = 0; c < 8; c += 2) {
      if constexpr (NP == 1) {
        const __m256i we = load32(w0 + 32 * c), wo = load32(w0 + 32 * c + 32);
#pragma GCC unroll 4
        for (int i = 0; i < 4; ++i) {
          s[i][0] = Dp::dot(s[i][0], we, bcast4(ai[i] + 4 * c));
          s[i][1] = Dp::dot(s[i][1], wo, bcast4(ai[i] + 4 * c + 4));
        }
      } else {
#pragma GCC unroll 2
        for (int cc = c; cc < c + 2; ++cc) {
          const __m256i x = load32(w0 + 32 * cc), y = load32(w1 + 32 * cc);
#pragma GCC unroll 4
          for (int i = 0; i < 4; ++i) {
            const __m256i bi = bcast4(ai[i] + 4 * cc);
            s[i][0] = Dp::dot(s[i][0], x, bi);
            s[i][1] = Dp::dot(s[i][1], y, bi);
          }
        }
      }
    }
    for (int p = 0; p < NP; ++p) {
      const uint8_t* pb = blk + size_t(p) * pstride;
      const __m256 dw = _mm256_loadu_ps(reinterpret_cast<const float*>(pb));
      const __m256 mw = kMin ? _mm256_loadu_ps(reinterpret_cast<const float*>(pb + 32)) : dw;
#pragma GCC unroll 4
      for (int i = 0; i < 4; ++i) {
        const __m256i si = NP == 1 ? _mm256_add_epi32(s[i][0], s[i][1]) : s[i][p];
        acc[i][p] = avx2_finish_block<kOffset, kMin>(si, ar[i], b, dw, mw, acc[i][p]);
      }
    }
  }
  // cols <= 8 (NP = 1) or 9..16 (NP = 2: the first panel is full).
  for (int i = 0; i < rows; ++i)
    for (int p = 0; p < NP; ++p)
      avx2_store_row(acc[i][p], C + size_t(i) * ldc + p * kGemmQCols, cols - p * kGemmQCols);
}

template <class Dp, GemmQ T>
void q8_tile_vnni(int n, const void* panel, const void* a, size_t as, int rows, float* C, size_t ldc, int cols) {
  q8_tile_vnni_np<Dp, T, 1>(n, panel, 0, a, as, rows, C, ldc, cols);
}

template <class Dp, GemmQ T>
void q8_tile2_vnni(int n, const void* panel, size_t pstride, const void* a, size_t as, int rows, float* C, size_t ldc,
                   int cols) {
  q8_tile_vnni_np<Dp, T, 2>(n, panel, pstride, a, as, rows, C, ldc, cols);
}

// The tiles of one encoding, indexed by GemmQ; null: the AVX2 tile is used.
template <class Dp>
constexpr GemmTileSet vnni_tiles() {
  GemmTileSet t{};
#define SPROUT_VNNI_TILES(q)                     \
  t.tile[int(q)] = q8_tile_vnni<Dp, q>;          \
  t.tile2[int(q)] = q8_tile2_vnni<Dp, q>;
  SPROUT_VNNI_TILES(GemmQ::q8_0_bytes)
  SPROUT_VNNI_TILES(GemmQ::q4_0)
  SPROUT_VNNI_TILES(GemmQ::q4_1)
  SPROUT_VNNI_TILES(GemmQ::q5_0)
  SPROUT_VNNI_TILES(GemmQ::q5_1)
  SPROUT_VNNI_TILES(GemmQ::q4_K)
  SPROUT_VNNI_TILES(GemmQ::q5_K)
#undef SPROUT_VNNI_TILES
  return t;
}

}  // namespace
}  // namespace sprout::kern
