// NEON variants of kernels/dot/dot.h (baseline ARMv8-A).
#include <arm_neon.h>

#include "kernels/dot/dot.h"

namespace sprout::kern {

const DotKernels kDotNeon = {};

}  // namespace sprout::kern
