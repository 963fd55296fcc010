#include "kernels/rope/rope.h"

namespace sprout::kern {

const RopeKernels& rope_kernels(Isa isa) {
  static const RopeKernels tables[] = {
      kRopeScalar,
#if defined(__x86_64__)
      kRopeAvx2,
#else
      kRopeScalar,
#endif
#if defined(__aarch64__)
      kRopeNeon, kRopeNeon,
#else
      kRopeScalar, kRopeScalar,
#endif
  };
  return tables[int(simd_family(isa))];
}

}  // namespace sprout::kern
