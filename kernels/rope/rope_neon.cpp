// NEON variants of kernels/rope/rope.h (mul/add/sub only, no FMA: bit-exact with scalar).
#include <arm_neon.h>

#include "kernels/rope/rope.h"
#include "kernels/rope/rope_tail.h"

namespace sprout::kern {
namespace {

using namespace rope_detail;

void rotate_half(float* x, int heads, int head_dim, const float* c, const float* s) {
  rotate_half_heads(x, heads, head_dim, c, s, [c, s](float* p, int half) {
    int i = 0;
    for (; i + 4 <= half; i += 4) {
      const float32x4_t a = vld1q_f32(p + i), b = vld1q_f32(p + i + half);
      const float32x4_t vc = vld1q_f32(c + i), vs = vld1q_f32(s + i);
      vst1q_f32(p + i, vsubq_f32(vmulq_f32(a, vc), vmulq_f32(b, vs)));
      vst1q_f32(p + i + half, vaddq_f32(vmulq_f32(b, vc), vmulq_f32(a, vs)));
    }
    return i;
  });
}

// De-interleave 4 pairs with vld2q, rotate, re-interleave with vst2q.
void interleaved(float* x, int heads, int head_dim, const float* c, const float* s) {
  interleaved_heads(x, heads, head_dim, c, s, [c, s](float* p, int half) {
    int i = 0;
    for (; i + 4 <= half; i += 4) {
      float32x4x2_t v = vld2q_f32(p + 2 * i);
      const float32x4_t vc = vld1q_f32(c + i), vs = vld1q_f32(s + i);
      const float32x4_t a = v.val[0], b = v.val[1];
      v.val[0] = vsubq_f32(vmulq_f32(a, vc), vmulq_f32(b, vs));
      v.val[1] = vaddq_f32(vmulq_f32(b, vc), vmulq_f32(a, vs));
      vst2q_f32(p + 2 * i, v);
    }
    return i;
  });
}

}  // namespace

const RopeKernels kRopeNeon = {rotate_half, interleaved};

}  // namespace sprout::kern
