#include "kernels/gemm/gemm.h"

#include <cstring>

#include "kernels/common/fp16.h"

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
