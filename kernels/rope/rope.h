// Rotary position embedding of one token's heads, in place.
//
// x is [heads, head_dim] f32; cos/sin are [head_dim / 2] for this token's
// position (cos(pos * inv_freq[i]), computed by the caller, engine/ops.cpp).
//
//   rotate_half (HF Llama/Qwen2): pairs (x[i], x[i + d/2])
//   interleaved (GGUF llama, llama2.c): pairs (x[2i], x[2i + 1])
//   each pair (a, b) -> (a cos - b sin, b cos + a sin)
//
// One rounding per product and per sum, no FMA, as PyTorch's float
// `q * cos + rotate_half(q) * sin`: SIMD results are bit-identical to scalar.
#pragma once
#include "kernels/common/dispatch.h"

namespace sprout::kern {

struct RopeKernels {
  void (*rotate_half)(float* x, int heads, int head_dim, const float* cos, const float* sin);
  void (*interleaved)(float* x, int heads, int head_dim, const float* cos, const float* sin);
};

const RopeKernels& rope_kernels(Isa isa);
inline const RopeKernels& rope_kernels() { return rope_kernels(active_isa()); }

extern const RopeKernels kRopeScalar;
extern const RopeKernels kRopeAvx2;
extern const RopeKernels kRopeNeon;

}  // namespace sprout::kern
