// The per-head loop and the scalar step of kernels/rope/rope.h, written once for
// the scalar, AVX2 and NEON variants. Each variant passes its vector step as a
// lambda `(float* p, int half) -> int` that rotates the leading pairs of one head
// and returns the index of the first pair it left; the scalar tail rotates the
// rest. The kernels are built with -ffp-contract=off, so each product and each sum
// is rounded on its own, as in the SIMD steps: the variants stay bit-identical.
//
// The tails are out of line (noinline) so the SIMD head loops do not carry their
// registers, and called only when pairs are left (measured faster than inlined,
// bench/kernels OpsRope). Static: each file keeps its own copy, compiled for its
// own ISA; one copy shared by the linker might carry the AVX2 file's instructions
// into the scalar variant.
#pragma once

namespace sprout::kern::rope_detail {

// rotate_half: pairs (p[i], p[i + half]) -> (a cos - b sin, b cos + a sin), from pair i on.
[[gnu::noinline]] static void rotate_half_tail(float* p, int half, const float* c, const float* s, int i) {
  for (; i < half; ++i) {
    const float a = p[i], b = p[i + half];
    p[i] = a * c[i] - b * s[i];
    p[i + half] = b * c[i] + a * s[i];
  }
}

// interleaved: pairs (p[2i], p[2i + 1]) -> (a cos - b sin, b cos + a sin), from pair i on.
[[gnu::noinline]] static void interleaved_tail(float* p, int half, const float* c, const float* s, int i) {
  for (; i < half; ++i) {
    const float a = p[2 * i], b = p[2 * i + 1];
    p[2 * i] = a * c[i] - b * s[i];
    p[2 * i + 1] = b * c[i] + a * s[i];
  }
}

template <class VecStep>
static inline void rotate_half_heads(float* x, int heads, int head_dim, const float* c, const float* s, VecStep step) {
  const int half = head_dim / 2;
  for (int h = 0; h < heads; ++h) {
    float* p = x + h * head_dim;
    const int i = step(p, half);
    if (i < half) rotate_half_tail(p, half, c, s, i);
  }
}

template <class VecStep>
static inline void interleaved_heads(float* x, int heads, int head_dim, const float* c, const float* s, VecStep step) {
  const int half = head_dim / 2;
  for (int h = 0; h < heads; ++h) {
    float* p = x + h * head_dim;
    const int i = step(p, half);
    if (i < half) interleaved_tail(p, half, c, s, i);
  }
}

// The vector step of the scalar reference: none.
inline constexpr auto no_vector_step = [](float*, int) { return 0; };

}  // namespace sprout::kern::rope_detail
