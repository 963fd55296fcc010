#include "kernels/norm/norm.h"

namespace sprout::kern {

const NormKernels& norm_kernels(Isa isa) {
  static const NormKernels tables[] = {
      kNormScalar,
#if defined(__x86_64__)
      kNormAvx2,
#else
      kNormScalar,
#endif
#if defined(__aarch64__)
      kNormNeon, kNormNeon,
#else
      kNormScalar, kNormScalar,
#endif
  };
  return tables[int(simd_family(isa))];
}

}  // namespace sprout::kern
