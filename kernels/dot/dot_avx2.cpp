// AVX2+FMA+F16C variants of kernels/dot/dot.h.
#include <immintrin.h>

#include "kernels/dot/dot.h"

namespace sprout::kern {

const DotKernels kDotAvx2 = {};

}  // namespace sprout::kern
