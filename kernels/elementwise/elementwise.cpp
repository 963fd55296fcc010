#include "kernels/elementwise/elementwise.h"

namespace sprout::kern {

const ElementwiseKernels& elementwise_kernels(Isa isa) {
  static const ElementwiseKernels tables[] = {
      kElementwiseScalar,
#if defined(__x86_64__)
      kElementwiseAvx2,
#else
      kElementwiseScalar,
#endif
#if defined(__aarch64__)
      kElementwiseNeon, kElementwiseNeon,
#else
      kElementwiseScalar, kElementwiseScalar,
#endif
  };
  return tables[int(simd_family(isa))];
}

}  // namespace sprout::kern
