#include "kernels/conv1d/conv1d.h"

#include <cstddef>

namespace sprout::kern {

const Conv1dKernels& conv1d_kernels(Isa isa) {
  static const Conv1dKernels tables[] = {
      kConv1dScalar,
#if defined(__x86_64__)
      kConv1dAvx2,
#else
      kConv1dScalar,
#endif
#if defined(__aarch64__)
      kConv1dNeon, kConv1dNeon,
#else
      kConv1dScalar, kConv1dScalar,
#endif
  };
  return tables[int(simd_family(isa))];
}

}  // namespace sprout::kern

namespace sprout::kern {

void conv1d_pack(const float* w, int Cout, int Cin, int k, float* wp) {
  for (int o = 0; o < Cout; ++o)
    for (int c = 0; c < Cin; ++c)
      for (int j = 0; j < k; ++j) wp[(size_t(j) * Cin + c) * Cout + o] = w[(size_t(o) * Cin + c) * k + j];
}

}  // namespace sprout::kern
