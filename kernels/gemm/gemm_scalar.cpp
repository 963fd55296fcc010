// Scalar reference GEMM tiles (the oracle for gemm_avx2.cpp / gemm_neon.cpp).
#include <cstring>

#include "kernels/common/fp16.h"
#include "kernels/common/quant_blocks.h"
#include "kernels/dot/dot.h"
#include "kernels/gemm/gemm.h"

namespace sprout::kern {
namespace {

constexpr int MR = 4, NR = 8;

void f32_tile_scalar(int kc, const float* sliver, const float* panel, float* C, size_t ldc, int rows, int cols,
                     bool accumulate) {
  for (int i = 0; i < rows; ++i) {
    for (int j = 0; j < cols; ++j) {
      float s = 0.f;
      for (int k = 0; k < kc; ++k) s += sliver[size_t(k) * MR + i] * panel[size_t(k) * NR + j];
      C[size_t(i) * ldc + j] = accumulate ? C[size_t(i) * ldc + j] + s : s;
    }
  }
}

void pack_b_scalar(GemmB t, const void* B, size_t ldb, int n0, int cols, int k0, int kc, float* panel) {
  gemm_pack_b(t, B, ldb, n0, cols, k0, kc, NR, panel);
}

// Packed int8 panel (gemm.h): the signed weight value of row j, value k of block
// blk, from its planes (offsets applied; min types and q4_K unsigned).
template <GemmQ T>
inline int wq(const uint8_t* blk, int j, int k) {
  const int at = 32 * (k / 4) + 4 * j + k % 4;
  const uint8_t* planes = blk + gemm_q_plane_offset(T);
  if constexpr (T == GemmQ::q8_0) return 16 * planes[at] + planes[256 + at] - 128;
  else if constexpr (T == GemmQ::q8_0_bytes) return planes[at] - 128;
  else if constexpr (T == GemmQ::q4_0) return planes[at] - 8;
  else if constexpr (T == GemmQ::q5_0) return planes[at] - 16;
  else if constexpr (T == GemmQ::q6_K) return int8_t(planes[at]);
  else return planes[at];
}

template <typename V>
inline V at(const uint8_t* p, size_t i) {
  V v;
  std::memcpy(&v, p + i * sizeof(V), sizeof v);
  return v;
}

template <GemmQ T>
void q8_tile_scalar(int n, const void* panel, const void* a, size_t as, int rows, float* C, size_t ldc, int cols) {
  const int nb = n / QK8_0;
  const size_t stride = gemm_q_block_bytes(T);
  for (int i = 0; i < rows; ++i) {
    const Q8Row ar = q8_0_row(static_cast<const uint8_t*>(a) + size_t(i) * as, n);
    for (int j = 0; j < cols; ++j) {
      float s = 0;
      for (int b = 0; b < nb; ++b) {
        const uint8_t* blk = static_cast<const uint8_t*>(panel) + size_t(b) * stride;
        const float dw = at<float>(blk, size_t(j));
        int sumi = 0;
        if constexpr (T == GemmQ::q6_K) {  // two 16-value halves, each times its int8 scale
          for (int h = 0; h < 2; ++h) {
            int part = 0;
            for (int k = 16 * h; k < 16 * h + 16; ++k) part += wq<T>(blk, j, k) * ar.b[b].qs[k];
            sumi += at<int16_t>(blk + 32 + 32 * h, size_t(2 * j)) * part;
          }
        } else {
          for (int k = 0; k < QK8_0; ++k) sumi += wq<T>(blk, j, k) * ar.b[b].qs[k];
        }
        s += float(sumi) * (dw * ar.d[b]);
        if constexpr (gemm_q_has_min(T)) s += at<float>(blk + 32, size_t(j)) * ar.ds[b];
      }
      C[size_t(i) * ldc + j] = s;
    }
  }
}

// The two-panel tile as two one-panel tiles (the reference for SIMD q_tile2).
template <GemmQ T>
void q8_tile2_scalar(int n, const void* panel, size_t pstride, const void* a, size_t as, int rows, float* C, size_t ldc,
                     int cols) {
  q8_tile_scalar<T>(n, panel, a, as, rows, C, ldc, NR);
  q8_tile_scalar<T>(n, static_cast<const uint8_t*>(panel) + pstride, a, as, rows, C + NR, ldc, cols - NR);
}

}  // namespace

const GemmKernels kGemmScalar = {MR,
                                  NR,
                                  f32_tile_scalar,
                                  {q8_tile_scalar<GemmQ::q8_0>, q8_tile_scalar<GemmQ::q4_0>, q8_tile_scalar<GemmQ::q4_1>,
                                   q8_tile_scalar<GemmQ::q5_0>, q8_tile_scalar<GemmQ::q5_1>, q8_tile_scalar<GemmQ::q4_K>,
                                   q8_tile_scalar<GemmQ::q6_K>, q8_tile_scalar<GemmQ::q5_K>,
                                   q8_tile_scalar<GemmQ::q8_0_bytes>},
                                  GemmQ::q8_0,
                                  gemm_pack_q,
                                  pack_b_scalar,
                                  {q8_tile2_scalar<GemmQ::q8_0>, q8_tile2_scalar<GemmQ::q4_0>,
                                   q8_tile2_scalar<GemmQ::q4_1>, q8_tile2_scalar<GemmQ::q5_0>,
                                   q8_tile2_scalar<GemmQ::q5_1>, q8_tile2_scalar<GemmQ::q4_K>,
                                   q8_tile2_scalar<GemmQ::q6_K>, q8_tile2_scalar<GemmQ::q5_K>,
                                   q8_tile2_scalar<GemmQ::q8_0_bytes>}};

}  // namespace sprout::kern
