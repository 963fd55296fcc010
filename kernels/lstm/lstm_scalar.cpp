// Scalar reference for kernels/lstm/lstm.h.
#include <cmath>

#include "kernels/lstm/lstm.h"

namespace sprout::kern {
namespace {

double sig(double x) { return 1.0 / (1.0 + std::exp(-x)); }

void lstm_cell(const float* g, float* c, float* h, int H) {
  for (int j = 0; j < H; ++j) {
    const double i = sig(g[j]), f = sig(g[H + j]), gg = std::tanh(double(g[2 * H + j])), o = sig(g[3 * H + j]);
    const double cn = f * c[j] + i * gg;
    c[j] = float(cn);
    h[j] = float(o * std::tanh(cn));
  }
}

}  // namespace

const LstmKernels kLstmScalar = {lstm_cell};

}  // namespace sprout::kern
