// NEON + dot-product extension (sdot) variants of kernels/dot/dot.h.
#include <arm_neon.h>

#include "kernels/dot/dot.h"

namespace sprout::kern {

const DotKernels kDotNeonDot = {};

}  // namespace sprout::kern
