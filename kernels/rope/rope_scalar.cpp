// Scalar reference for kernels/rope/rope.h (the scalar step in rope_tail.h).
#include "kernels/rope/rope.h"
#include "kernels/rope/rope_tail.h"

namespace sprout::kern {
namespace {

using namespace rope_detail;

void rotate_half(float* x, int heads, int head_dim, const float* c, const float* s) {
  rotate_half_heads(x, heads, head_dim, c, s, no_vector_step);
}

void interleaved(float* x, int heads, int head_dim, const float* c, const float* s) {
  interleaved_heads(x, heads, head_dim, c, s, no_vector_step);
}

}  // namespace

const RopeKernels kRopeScalar = {rotate_half, interleaved};

}  // namespace sprout::kern
