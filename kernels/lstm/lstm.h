// One LSTM cell update from precomputed gate pre-activations (PyTorch nn.LSTM):
//
//   gates [4H] in PyTorch order (i, f, g, o), already x W_ih^T + b_ih + h W_hh^T + b_hh
//   i = sigmoid(gi)  f = sigmoid(gf)  g = tanh(gg)  o = sigmoid(go)
//   c = f * c + i * g        h = o * tanh(c)          (c, h updated in place, [H])
//
// Scalar evaluates in double and rounds once; SIMD uses the vector sigmoid/tanh
// of kernels/act (a few ulp).
#pragma once
#include "kernels/common/dispatch.h"

namespace sprout::kern {

struct LstmKernels {
  void (*lstm_cell)(const float* gates, float* c, float* h, int H);
};

const LstmKernels& lstm_kernels(Isa isa);
inline const LstmKernels& lstm_kernels() { return lstm_kernels(active_isa()); }

extern const LstmKernels kLstmScalar;
extern const LstmKernels kLstmAvx2;
extern const LstmKernels kLstmNeon;

}  // namespace sprout::kern
