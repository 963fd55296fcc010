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

namespace sprout::kern {
namespace {

inline __m256i vnni_load32(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }
inline __m256i vnni_bcast4(const int8_t* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return _mm256_set1_epi32(v);
}

template <class Dp, GemmQ T>
void q8_tile_vnni(int n, const void* panel, const void* a, size_t as, int rows, float* C, size_t ldc, int cols) {
  static_assert(T != GemmQ::q8_0 && T != GemmQ::q6_K, "these panels keep the AVX2 tile");
  constexpr bool kMin = gemm_q_has_min(T);
  constexpr int kOffset = T == GemmQ::q8_0_bytes ? 128 : T == GemmQ::q4_0 ? 8 : T == GemmQ::q5_0 ? 16 : 0;
  constexpr size_t po = gemm_q_plane_offset(T), stride = gemm_q_block_bytes(T);
  const int nb = n / QK8_0;
  const uint8_t* a8 = static_cast<const uint8_t*>(a);
  // Rows past `rows` repeat the last one (computed, never stored).
  const Q8Row ar[4] = {q8_0_row(a8, n), q8_0_row(a8 + size_t(rows > 1 ? 1 : 0) * as, n),
                       q8_0_row(a8 + size_t(rows > 2 ? 2 : rows - 1) * as, n),
                       q8_0_row(a8 + size_t(rows > 3 ? 3 : rows - 1) * as, n)};
  __m256 acc0 = _mm256_setzero_ps(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
  const uint8_t* blk = static_cast<const uint8_t*>(panel);
  for (int b = 0; b < nb; ++b, blk += stride) {
    const int8_t *a0 = ar[0].b[b].qs, *a1 = ar[1].b[b].qs, *a2 = ar[2].b[b].qs, *a3 = ar[3].b[b].qs;
    const uint8_t* w = blk + po;
    __m256i e0 = _mm256_setzero_si256(), e1 = e0, e2 = e0, e3 = e0, o0 = e0, o1 = e0, o2 = e0, o3 = e0;
    for (int c = 0; c < 8; c += 2) {
      const __m256i we = vnni_load32(w + 32 * c), wo = vnni_load32(w + 32 * c + 32);
      e0 = Dp::dot(e0, we, vnni_bcast4(a0 + 4 * c));
      e1 = Dp::dot(e1, we, vnni_bcast4(a1 + 4 * c));
      e2 = Dp::dot(e2, we, vnni_bcast4(a2 + 4 * c));
      e3 = Dp::dot(e3, we, vnni_bcast4(a3 + 4 * c));
      o0 = Dp::dot(o0, wo, vnni_bcast4(a0 + 4 * c + 4));
      o1 = Dp::dot(o1, wo, vnni_bcast4(a1 + 4 * c + 4));
      o2 = Dp::dot(o2, wo, vnni_bcast4(a2 + 4 * c + 4));
      o3 = Dp::dot(o3, wo, vnni_bcast4(a3 + 4 * c + 4));
    }
    const __m256 dw = _mm256_loadu_ps(reinterpret_cast<const float*>(blk));
    const __m256 mw = kMin ? _mm256_loadu_ps(reinterpret_cast<const float*>(blk + 32)) : dw;
    auto finish = [&](__m256i s, const Q8Row& r, __m256 acc) {
      if constexpr (kOffset != 0) s = _mm256_sub_epi32(s, _mm256_set1_epi32(r.sum[b] * kOffset));
      acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_mul_ps(dw, _mm256_set1_ps(r.d[b])), acc);
      if constexpr (kMin) acc = _mm256_fmadd_ps(mw, _mm256_set1_ps(r.ds[b]), acc);
      return acc;
    };
    acc0 = finish(_mm256_add_epi32(e0, o0), ar[0], acc0);
    acc1 = finish(_mm256_add_epi32(e1, o1), ar[1], acc1);
    acc2 = finish(_mm256_add_epi32(e2, o2), ar[2], acc2);
    acc3 = finish(_mm256_add_epi32(e3, o3), ar[3], acc3);
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

// The tiles of one encoding, indexed by GemmQ; null: the AVX2 tile is used.
template <class Dp>
constexpr GemmTileSet vnni_tiles() {
  GemmTileSet t{};
  t.tile[int(GemmQ::q8_0_bytes)] = q8_tile_vnni<Dp, GemmQ::q8_0_bytes>;
  t.tile[int(GemmQ::q4_0)] = q8_tile_vnni<Dp, GemmQ::q4_0>;
  t.tile[int(GemmQ::q4_1)] = q8_tile_vnni<Dp, GemmQ::q4_1>;
  t.tile[int(GemmQ::q5_0)] = q8_tile_vnni<Dp, GemmQ::q5_0>;
  t.tile[int(GemmQ::q5_1)] = q8_tile_vnni<Dp, GemmQ::q5_1>;
  t.tile[int(GemmQ::q4_K)] = q8_tile_vnni<Dp, GemmQ::q4_K>;
  t.tile[int(GemmQ::q5_K)] = q8_tile_vnni<Dp, GemmQ::q5_K>;
  return t;
}

}  // namespace
}  // namespace sprout::kern
