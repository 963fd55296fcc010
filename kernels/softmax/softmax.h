// Row softmax over n contiguous f32, in place, numerically stable:
//   y_i = exp(x_i - max) / sum_j exp(x_j - max)
//
// -inf entries (masked keys) get exactly 0. A row whose entries are all -inf
// (every key masked) becomes all zeros rather than NaN, so an attention output
// over it is zero. The scalar reference sums in double; SIMD variants use the
// vector exp of kernels/act (a few ulp) and an f32 sum, agreeing with it to
// ~1e-6 relative per element.
#pragma once
#include "kernels/common/dispatch.h"

namespace sprout::kern {

struct SoftmaxKernels {
  void (*softmax)(float* x, int n);
};

const SoftmaxKernels& softmax_kernels(Isa isa);
inline const SoftmaxKernels& softmax_kernels() { return softmax_kernels(active_isa()); }

extern const SoftmaxKernels kSoftmaxScalar;
extern const SoftmaxKernels kSoftmaxAvx2;
extern const SoftmaxKernels kSoftmaxNeon;

}  // namespace sprout::kern
