// NEON variant of kernels/conv1d/conv1d.h (row loop in conv1d_rows.h).
#include <arm_neon.h>

#include "kernels/conv1d/conv1d.h"
#include "kernels/conv1d/conv1d_rows.h"

namespace sprout::kern {
namespace {

void conv1d(const float* x, int T, int Cin, const float* wp, const float* b, int Cout, int k, int t0, int t1,
            float* y) {
  conv1d_detail::conv1d_rows(x, T, Cin, wp, b, Cout, k, t0, t1, y, [](float xv, const float* w, float* yr, int n) {
    int o = 0;
    for (; o + 4 <= n; o += 4) vst1q_f32(yr + o, vfmaq_n_f32(vld1q_f32(yr + o), vld1q_f32(w + o), xv));
    return o;
  });
}

}  // namespace

const Conv1dKernels kConv1dNeon = {conv1d};

}  // namespace sprout::kern
