#include "kernels/softmax/softmax.h"

namespace sprout::kern {

const SoftmaxKernels& softmax_kernels(Isa isa) {
  static const SoftmaxKernels tables[] = {
      kSoftmaxScalar,
#if defined(__x86_64__)
      kSoftmaxAvx2,
#else
      kSoftmaxScalar,
#endif
#if defined(__aarch64__)
      kSoftmaxNeon, kSoftmaxNeon,
#else
      kSoftmaxScalar, kSoftmaxScalar,
#endif
  };
  return tables[int(simd_family(isa))];
}

}  // namespace sprout::kern
