// Scalar reference for kernels/rope/rope.h.
#include "kernels/rope/rope.h"
#include "kernels/rope/rope_tail.h"

namespace sprout::kern {
namespace {

using namespace rope_detail;

void rotate_half(float* x, int heads, int head_dim, const float* c, const float* s) {
  const int half = head_dim / 2;
  for (int h = 0; h < heads; ++h) rotate_half_tail(x + h * head_dim, half, c, s, 0);
}

void interleaved(float* x, int heads, int head_dim, const float* c, const float* s) {
  const int half = head_dim / 2;
  for (int h = 0; h < heads; ++h) interleaved_tail(x + h * head_dim, half, c, s, 0);
}

}  // namespace

const RopeKernels kRopeScalar = {rotate_half, interleaved};

}  // namespace sprout::kern
