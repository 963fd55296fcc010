#include "kernels/attn/attn.h"

namespace sprout::kern {

const AttnKernels& attn_kernels(Isa isa) {
  static const AttnKernels tables[] = {
      kAttnScalar,
#if defined(__x86_64__)
      kAttnAvx2,
#else
      kAttnScalar,
#endif
#if defined(__aarch64__)
      kAttnNeon, kAttnNeon,
#else
      kAttnScalar, kAttnScalar,
#endif
  };
  return tables[int(simd_family(isa))];
}

}  // namespace sprout::kern
