// The scalar step of kernels/rope/rope.h, written once for the scalar, AVX2 and
// NEON variants: each rotates the pairs of one head from pair index i on (the
// SIMD variants after their vector loop, the scalar reference from 0). The
// kernels are built with -ffp-contract=off, so each product and each sum is
// rounded on its own, as in the SIMD loops: the variants stay bit-identical.
// Out of line (noinline) so the SIMD head loops do not carry the tail's
// registers; the SIMD variants call it only when a tail is left (measured
// faster than inlined, bench/kernels OpsRope). Static: each file keeps its own
// copy, compiled for its own ISA; one copy shared by the linker might carry the
// AVX2 file's instructions into the scalar variant.
#pragma once

namespace sprout::kern::rope_detail {

// rotate_half: pairs (p[i], p[i + half]) -> (a cos - b sin, b cos + a sin).
[[gnu::noinline]] static void rotate_half_tail(float* p, int half, const float* c, const float* s, int i) {
  for (; i < half; ++i) {
    const float a = p[i], b = p[i + half];
    p[i] = a * c[i] - b * s[i];
    p[i + half] = b * c[i] + a * s[i];
  }
}

// interleaved: pairs (p[2i], p[2i + 1]) -> (a cos - b sin, b cos + a sin).
[[gnu::noinline]] static void interleaved_tail(float* p, int half, const float* c, const float* s, int i) {
  for (; i < half; ++i) {
    const float a = p[2 * i], b = p[2 * i + 1];
    p[2 * i] = a * c[i] - b * s[i];
    p[2 * i + 1] = b * c[i] + a * s[i];
  }
}

}  // namespace sprout::kern::rope_detail
