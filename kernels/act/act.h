// Activation kernels over contiguous f32 (in place unless noted).
//
//   silu(x)      = x * sigmoid(x)                                   (Llama/Qwen2 MLP)
//   gelu_erf(x)  = 0.5 x (1 + erf(x / sqrt 2))                      (PyTorch GELU default; BERT, M2M100)
//   gelu_tanh(x) = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))   (GELU approximate="tanh")
//   relu(x)      = max(x, 0)
//   swiglu       y = silu(gate) * up                                 (fused gate/up of a SwiGLU MLP)
//   exp, tanh, erf, sigmoid: the vector math the above are built from (y may alias x).
//
// The scalar reference evaluates each formula in double and rounds once, so it is
// the oracle. SIMD variants use the polynomial approximations in vmath_*.h; their
// worst relative errors against the oracle (measured by tests/kernels/test_act.cpp)
// are a few float ulps: see docs/kernels.md. gelu_tanh uses the identity
// 0.5 (1 + tanh u) = sigmoid(2u) and gelu_erf uses erfc for x < 0, so both stay
// accurate in relative terms where the result is tiny.
#pragma once
#include "kernels/common/dispatch.h"

namespace sprout::kern {

struct ActKernels {
  void (*silu)(float* x, int n);
  void (*gelu_erf)(float* x, int n);
  void (*gelu_tanh)(float* x, int n);
  void (*relu)(float* x, int n);
  void (*swiglu)(const float* gate, const float* up, int n, float* y);  // y may alias gate or up
  void (*exp)(const float* x, int n, float* y);
  void (*tanh)(const float* x, int n, float* y);
  void (*erf)(const float* x, int n, float* y);
  void (*sigmoid)(const float* x, int n, float* y);
};

const ActKernels& act_kernels(Isa isa);
inline const ActKernels& act_kernels() { return act_kernels(active_isa()); }

extern const ActKernels kActScalar;
extern const ActKernels kActAvx2;
extern const ActKernels kActNeon;

}  // namespace sprout::kern
