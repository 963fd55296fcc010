#include "kernels/act/act.h"

namespace sprout::kern {

const ActKernels& act_kernels(Isa isa) {
  static const ActKernels tables[] = {
      kActScalar,
#if defined(__x86_64__)
      kActAvx2,
#else
      kActScalar,
#endif
#if defined(__aarch64__)
      kActNeon, kActNeon,
#else
      kActScalar, kActScalar,
#endif
  };
  return tables[int(simd_family(isa))];
}

}  // namespace sprout::kern
