// Scalar reference for kernels/act/act.h: each formula in double, rounded once.
#include <algorithm>
#include <cmath>

#include "kernels/act/act.h"

namespace sprout::kern {
namespace {

double sigmoid_d(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double gelu_erf_d(double x) { return 0.5 * x * std::erfc(-x * 0.70710678118654752440); }
// 0.5 x (1 + tanh u) = x * sigmoid(2u): the same value without cancellation at x << 0.
double gelu_tanh_d(double x) {
  const double u = 0.79788456080286535588 * (x + 0.044715 * x * x * x);
  return x * sigmoid_d(2.0 * u);
}

void silu(float* x, int n) { for (int i = 0; i < n; ++i) x[i] = float(x[i] * sigmoid_d(x[i])); }
void gelu_erf(float* x, int n) { for (int i = 0; i < n; ++i) x[i] = float(gelu_erf_d(x[i])); }
void gelu_tanh(float* x, int n) { for (int i = 0; i < n; ++i) x[i] = float(gelu_tanh_d(x[i])); }
void relu(float* x, int n) { for (int i = 0; i < n; ++i) x[i] = std::max(x[i], 0.f); }
void swiglu(const float* g, const float* u, int n, float* y) {
  for (int i = 0; i < n; ++i) y[i] = float(g[i] * sigmoid_d(g[i]) * u[i]);
}
void exp_(const float* x, int n, float* y) { for (int i = 0; i < n; ++i) y[i] = float(std::exp(double(x[i]))); }
void tanh_(const float* x, int n, float* y) { for (int i = 0; i < n; ++i) y[i] = float(std::tanh(double(x[i]))); }
void erf_(const float* x, int n, float* y) { for (int i = 0; i < n; ++i) y[i] = float(std::erf(double(x[i]))); }
void sigmoid(const float* x, int n, float* y) { for (int i = 0; i < n; ++i) y[i] = float(sigmoid_d(x[i])); }

}  // namespace

const ActKernels kActScalar = {silu, gelu_erf, gelu_tanh, relu, swiglu, exp_, tanh_, erf_, sigmoid};

}  // namespace sprout::kern
