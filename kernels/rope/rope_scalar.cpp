// Scalar reference for kernels/rope/rope.h.
#include "kernels/rope/rope.h"

namespace sprout::kern {
namespace {

void rotate_half(float* x, int heads, int head_dim, const float* c, const float* s) {
  const int half = head_dim / 2;
  for (int h = 0; h < heads; ++h) {
    float* p = x + h * head_dim;
    for (int i = 0; i < half; ++i) {
      const float a = p[i], b = p[i + half];
      p[i] = a * c[i] - b * s[i];
      p[i + half] = b * c[i] + a * s[i];
    }
  }
}

void interleaved(float* x, int heads, int head_dim, const float* c, const float* s) {
  const int half = head_dim / 2;
  for (int h = 0; h < heads; ++h) {
    float* p = x + h * head_dim;
    for (int i = 0; i < half; ++i) {
      const float a = p[2 * i], b = p[2 * i + 1];
      p[2 * i] = a * c[i] - b * s[i];
      p[2 * i + 1] = b * c[i] + a * s[i];
    }
  }
}

}  // namespace

const RopeKernels kRopeScalar = {rotate_half, interleaved};

}  // namespace sprout::kern
