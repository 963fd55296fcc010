#include "kernels/gemm/gemm.h"

#include <cstring>

#include "kernels/common/fp16.h"
#include "kernels/common/quant_blocks.h"

namespace sprout::kern {

void gemm_pack_b(GemmB t, const void* B, size_t ldb, int n0, int cols, int k0, int kc, int nr, float* panel) {
  if (cols < nr) std::memset(panel, 0, sizeof(float) * size_t(kc) * size_t(nr));
  for (int j = 0; j < cols; ++j) {
    const size_t off = size_t(n0 + j) * ldb + size_t(k0);
    float* p = panel + j;
    switch (t) {
      case GemmB::f32: {
        const float* b = static_cast<const float*>(B) + off;
        for (int k = 0; k < kc; ++k) p[size_t(k) * nr] = b[k];
        break;
      }
      case GemmB::f16: {
        const f16_t* b = static_cast<const f16_t*>(B) + off;
        for (int k = 0; k < kc; ++k) p[size_t(k) * nr] = f16_to_f32(b[k]);
        break;
      }
      case GemmB::bf16: {
        const bf16_t* b = static_cast<const bf16_t*>(B) + off;
        for (int k = 0; k < kc; ++k) p[size_t(k) * nr] = bf16_to_f32(b[k]);
        break;
      }
    }
  }
}

size_t gemm_q_panel_bytes(GemmQ t, int n) {
  const size_t planes = t == GemmQ::q8_0 ? 2 : 1;
  return size_t(n / QK8_0) * (sizeof(float) * kGemmQCols + planes * 256);
}

// Weight bytes move 4 at a time (one chunk of one row), as uint32.
void gemm_pack_q(GemmQ t, const void* w, size_t ws, int rows, int n, void* panel) {
  const int nb = n / QK8_0;
  const bool q8 = t == GemmQ::q8_0;
  const size_t stride = gemm_q_panel_bytes(t, QK8_0);
  uint8_t* out = static_cast<uint8_t*>(panel);
  std::memset(out, 0, stride * size_t(nb));
  constexpr uint32_t kLow = 0x0F0F0F0Fu;
  for (int j = 0; j < rows; ++j) {
    const uint8_t* row = static_cast<const uint8_t*>(w) + size_t(j) * ws;
    for (int b = 0; b < nb; ++b) {
      uint8_t* blk = out + size_t(b) * stride;
      float* d = reinterpret_cast<float*>(blk);
      uint8_t* lo = blk + sizeof(float) * kGemmQCols + (q8 ? 256 : 0);
      uint8_t* hi = blk + sizeof(float) * kGemmQCols;
      if (q8) {
        const auto& x = reinterpret_cast<const block_q8_0*>(row)[b];
        d[j] = f16_to_f32(x.d);
        for (int c = 0; c < 8; ++c) {
          uint32_t u;
          std::memcpy(&u, x.qs + 4 * c, 4);
          u ^= 0x80808080u;  // w + 128 in every byte
          const uint32_t l = u & kLow, h = (u >> 4) & kLow;
          std::memcpy(lo + 32 * c + 4 * j, &l, 4);
          std::memcpy(hi + 32 * c + 4 * j, &h, 4);
        }
      } else {
        const auto& x = reinterpret_cast<const block_q4_0*>(row)[b];
        d[j] = f16_to_f32(x.d);
        for (int c = 0; c < 8; ++c) {
          uint32_t u;
          std::memcpy(&u, x.qs + 4 * (c & 3), 4);
          const uint32_t l = (c < 4 ? u : u >> 4) & kLow;  // values 0..15 low nibbles, 16..31 high
          std::memcpy(lo + 32 * c + 4 * j, &l, 4);
        }
      }
    }
  }
}

void gemm_pack_a(const float* A, size_t lda, int rows, int k0, int kc, int mr, float* sliver) {
  if (rows < mr) std::memset(sliver, 0, sizeof(float) * size_t(kc) * size_t(mr));
  for (int i = 0; i < rows; ++i) {
    const float* a = A + size_t(i) * lda + size_t(k0);
    for (int k = 0; k < kc; ++k) sliver[size_t(k) * mr + i] = a[k];
  }
}

const GemmKernels& gemm_kernels(Isa isa) {
  static const GemmKernels tables[] = {
      kGemmScalar,
#if defined(__x86_64__)
      kGemmAvx2,
#else
      kGemmScalar,
#endif
#if defined(__aarch64__)
      kGemmNeon, kGemmNeon,
#else
      kGemmScalar, kGemmScalar,
#endif
  };
  return tables[int(isa)];
}

}  // namespace sprout::kern
