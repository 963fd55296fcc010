#include "kernels/lstm/lstm.h"

namespace sprout::kern {

const LstmKernels& lstm_kernels(Isa isa) {
  static const LstmKernels tables[] = {
      kLstmScalar,
#if defined(__x86_64__)
      kLstmAvx2,
#else
      kLstmScalar,
#endif
#if defined(__aarch64__)
      kLstmNeon, kLstmNeon,
#else
      kLstmScalar, kLstmScalar,
#endif
  };
  return tables[int(simd_family(isa))];
}

}  // namespace sprout::kern
