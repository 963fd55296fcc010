// NEON variant of kernels/lstm/lstm.h.
#include <arm_neon.h>

#include "kernels/act/vmath_neon.h"
#include "kernels/lstm/lstm.h"

namespace sprout::kern {
namespace {

inline void step4(const float* gi, const float* gf, const float* gg, const float* go, float* c, float* h) {
  const float32x4_t i = vm::sigmoid(vld1q_f32(gi)), f = vm::sigmoid(vld1q_f32(gf));
  const float32x4_t g = vm::tanh(vld1q_f32(gg)), o = vm::sigmoid(vld1q_f32(go));
  const float32x4_t cn = vfmaq_f32(vmulq_f32(i, g), f, vld1q_f32(c));
  vst1q_f32(c, cn);
  vst1q_f32(h, vmulq_f32(o, vm::tanh(cn)));
}

void lstm_cell(const float* g, float* c, float* h, int H) {
  int j = 0;
  for (; j + 4 <= H; j += 4) step4(g + j, g + H + j, g + 2 * H + j, g + 3 * H + j, c + j, h + j);
  if (j < H) {
    float b[4][4] = {}, bc[4] = {}, bh[4] = {};
    for (int t = j; t < H; ++t) {
      for (int q = 0; q < 4; ++q) b[q][t - j] = g[q * H + t];
      bc[t - j] = c[t];
    }
    step4(b[0], b[1], b[2], b[3], bc, bh);
    for (int t = j; t < H; ++t) c[t] = bc[t - j], h[t] = bh[t - j];
  }
}

}  // namespace

const LstmKernels kLstmNeon = {lstm_cell};

}  // namespace sprout::kern
