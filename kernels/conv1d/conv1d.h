// 1-D convolution over time, stride 1, "same" zero padding, odd kernel width k.
//
//   x  [T, Cin]            time-major rows (one row per time step)
//   wp [k, Cin, Cout]      weight repacked from PyTorch Conv1d's [Cout, Cin, k]
//                          by conv1d_pack() so the inner loop runs over Cout
//   b  [Cout] or null
//   y  [T, Cout]: y[t, o] = b[o] + sum_{j, c} x[t + j - k/2, c] * w[o, c, j]
//                 (rows outside 0..T-1 are zero); computed for t in [t0, t1)
//
// Reference: torch.nn.Conv1d(padding=k//2) applied to x transposed to [Cin, T].
// Scalar accumulates in double; SIMD accumulates in f32 with FMA (agreement
// ~1e-6 relative to sum |x w|).
#pragma once
#include "kernels/common/dispatch.h"

namespace sprout::kern {

struct Conv1dKernels {
  void (*conv1d)(const float* x, int T, int Cin, const float* wp, const float* b, int Cout, int k, int t0, int t1,
                 float* y);
};

// [Cout, Cin, k] -> [k, Cin, Cout].
void conv1d_pack(const float* w, int Cout, int Cin, int k, float* wp);

const Conv1dKernels& conv1d_kernels(Isa isa);
inline const Conv1dKernels& conv1d_kernels() { return conv1d_kernels(active_isa()); }

extern const Conv1dKernels kConv1dScalar;
extern const Conv1dKernels kConv1dAvx2;
extern const Conv1dKernels kConv1dNeon;

}  // namespace sprout::kern
