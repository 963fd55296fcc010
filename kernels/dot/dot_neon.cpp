// NEON variants of kernels/dot/dot.h for every ARMv8-A core: int8 products via
// vmull_s8 (int16) and pairwise accumulation into int32 with vpadalq_s16.
#include "kernels/dot/dot_neon_impl.h"

namespace sprout::kern {
namespace {

struct IDotMull {
  static inline int32x4_t dot(int32x4_t acc, int8x16_t a, int8x16_t b) {
    acc = vpadalq_s16(acc, vmull_s8(vget_low_s8(a), vget_low_s8(b)));
    return vpadalq_s16(acc, vmull_high_s8(a, b));
  }
};

}  // namespace

const DotKernels kDotNeon = neon::NeonDot<IDotMull>::table();

}  // namespace sprout::kern
