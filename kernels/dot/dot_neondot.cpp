// NEON variants of kernels/dot/dot.h using the ARMv8.2 dot-product extension
// (compiled with -march=armv8.2-a+dotprod; chosen only when hwcaps report asimddp):
// sdot accumulates four int8 products into each int32 lane in one instruction.
#include "kernels/dot/dot_neon_impl.h"

namespace sprout::kern {
namespace {

struct IDotSdot {
  static inline int32x4_t dot(int32x4_t acc, int8x16_t a, int8x16_t b) { return vdotq_s32(acc, a, b); }
};

}  // namespace

const DotKernels kDotNeonDot = neon::NeonDot<IDotSdot>::table();

}  // namespace sprout::kern
