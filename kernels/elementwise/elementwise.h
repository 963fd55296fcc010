// Elementwise kernels over contiguous f32 (outputs may alias inputs).
//
//   add:   y = a + b        mul:   y = a * b        scale: x *= s
//
// One rounding per element, as the scalar reference: SIMD results are bit-identical.
#pragma once
#include "kernels/common/dispatch.h"

namespace sprout::kern {

struct ElementwiseKernels {
  void (*add)(const float* a, const float* b, int n, float* y);
  void (*mul)(const float* a, const float* b, int n, float* y);
  void (*scale)(float* x, float s, int n);
};

const ElementwiseKernels& elementwise_kernels(Isa isa);
inline const ElementwiseKernels& elementwise_kernels() { return elementwise_kernels(active_isa()); }

extern const ElementwiseKernels kElementwiseScalar;
extern const ElementwiseKernels kElementwiseAvx2;
extern const ElementwiseKernels kElementwiseNeon;

}  // namespace sprout::kern
