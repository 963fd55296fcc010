// Scalar reference for kernels/attn/attn.h.
#include "kernels/attn/attn.h"

namespace sprout::kern {
namespace {

float dot_f32(const float* a, const float* b, int n) {
  double s = 0.0;
  for (int i = 0; i < n; ++i) s += double(a[i]) * b[i];
  return float(s);
}
float dot_f16(const float* a, const f16_t* b, int n) {
  double s = 0.0;
  for (int i = 0; i < n; ++i) s += double(a[i]) * f16_to_f32(b[i]);
  return float(s);
}
void axpy_f32(float s, const float* x, int n, float* y) { for (int i = 0; i < n; ++i) y[i] += s * x[i]; }
void axpy_f16(float s, const f16_t* x, int n, float* y) {
  for (int i = 0; i < n; ++i) y[i] += s * f16_to_f32(x[i]);
}
void to_f16(const float* x, int n, f16_t* y) { for (int i = 0; i < n; ++i) y[i] = f32_to_f16(x[i]); }
void from_f16(const f16_t* x, int n, float* y) { for (int i = 0; i < n; ++i) y[i] = f16_to_f32(x[i]); }

}  // namespace

const AttnKernels kAttnScalar = {dot_f32, dot_f16, axpy_f32, axpy_f16, to_f16, from_f16};

}  // namespace sprout::kern
