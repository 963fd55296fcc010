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
// blk, from its 4-bit planes.
template <GemmQ T>
inline int wq(const uint8_t* blk, int j, int k) {
  const int at = 32 * (k / 4) + 4 * j + k % 4;
  const uint8_t* planes = blk + sizeof(float) * kGemmQCols;
  if constexpr (T == GemmQ::q8_0) return 16 * planes[at] + planes[256 + at] - 128;
  else return planes[at] - 8;
}

template <GemmQ T>
void q8_tile_scalar(int n, const void* panel, const void* a, size_t as, int rows, float* C, size_t ldc, int cols) {
  const int nb = n / QK8_0;
  const size_t stride = gemm_q_panel_bytes(T, QK8_0);
  for (int i = 0; i < rows; ++i) {
    const Q8Row ar = q8_0_row(static_cast<const uint8_t*>(a) + size_t(i) * as, n);
    for (int j = 0; j < cols; ++j) {
      float s = 0;
      for (int b = 0; b < nb; ++b) {
        const uint8_t* blk = static_cast<const uint8_t*>(panel) + size_t(b) * stride;
        float dw;
        std::memcpy(&dw, blk + sizeof(float) * size_t(j), sizeof dw);
        int sumi = 0;
        for (int k = 0; k < QK8_0; ++k) sumi += wq<T>(blk, j, k) * ar.b[b].qs[k];
        s += float(sumi) * (dw * ar.d[b]);
      }
      C[size_t(i) * ldc + j] = s;
    }
  }
}

}  // namespace

const GemmKernels kGemmScalar = {MR, NR, f32_tile_scalar, q8_tile_scalar<GemmQ::q8_0>, q8_tile_scalar<GemmQ::q4_0>, gemm_pack_q,
                                  pack_b_scalar};

}  // namespace sprout::kern
