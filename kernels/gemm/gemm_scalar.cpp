// Scalar reference GEMM tiles (the oracle for gemm_avx2.cpp / gemm_neon.cpp).
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

// The signed weight value of element j of a block (q4_0: low nibbles are
// elements 0..15, high nibbles 16..31, both offset by -8).
inline int wq(const block_q8_0& b, int j) { return b.qs[j]; }
inline int wq(const block_q4_0& b, int j) { return (j < 16 ? (b.qs[j] & 0xF) : (b.qs[j - 16] >> 4)) - 8; }

template <class B>
void q8_tile_scalar(int n, const void* w, size_t ws, const void* a, size_t as, float* C, size_t ldc) {
  const int nb = n / QK8_0;
  for (int i = 0; i < 4; ++i) {
    const Q8Row ar = q8_0_row(static_cast<const uint8_t*>(a) + size_t(i) * as, n);
    for (int j = 0; j < 4; ++j) {
      const B* wr = reinterpret_cast<const B*>(static_cast<const uint8_t*>(w) + size_t(j) * ws);
      float s = 0;
      for (int b = 0; b < nb; ++b) {
        int sumi = 0;
        for (int k = 0; k < QK8_0; ++k) sumi += wq(wr[b], k) * ar.b[b].qs[k];
        s += float(sumi) * (f16_to_f32(wr[b].d) * f16_to_f32(ar.b[b].d));
      }
      C[size_t(i) * ldc + j] = s;
    }
  }
}

}  // namespace

const GemmKernels kGemmScalar = {MR, NR, f32_tile_scalar, q8_tile_scalar<block_q8_0>, q8_tile_scalar<block_q4_0>,
                                  pack_b_scalar};

}  // namespace sprout::kern
