// What the SIMD multi-key decode kernels (attn.h: scores_*, weighted_sum_*) share:
// the key loop of scores (groups of kScoreKeys keys, the rows kPrefetchKeys ahead
// prefetched, then groups of 4, then single keys), the scalar column tail of
// weighted_sum, and the prefetch of a row. The unnamed namespace gives every ISA's
// translation unit its own copy, compiled with that unit's flags (a shared inline
// definition could let the linker pick the AVX2-compiled one for the NEON or scalar
// build's callers, or the reverse).
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "kernels/common/fp16.h"

namespace sprout::kern {
namespace {

constexpr int kScoreKeys = 8;      // keys per scores group (8 independent FMA chains)
constexpr int kPrefetchKeys = 16;  // rows prefetched this many keys ahead

inline float to_f32(float x) { return x; }
inline float to_f32(f16_t x) { return f16_to_f32(x); }

// Touch every cache line of [p, p + bytes) with a prefetch for reading into L1
// (64-byte lines assumed; a larger line just repeats).
inline void prefetch_span(const void* p, size_t bytes) {
  const auto* b = static_cast<const char*>(p);
  const auto first = reinterpret_cast<uintptr_t>(b) & ~uintptr_t(63);
  const auto last = reinterpret_cast<uintptr_t>(b + bytes - 1);
  for (uintptr_t a = first; a <= last; a += 64) __builtin_prefetch(reinterpret_cast<const char*>(a), 0, 3);
}

// Calls group(std::integral_constant<int, R>{}, j) to score keys j .. j + R - 1,
// for every key of K (rows `stride` elements apart, hd values each).
template <class T, class Group>
inline void score_keys(const T* K, int64_t stride, int n_keys, int hd, Group group) {
  int j = 0;
  for (; j + kScoreKeys <= n_keys; j += kScoreKeys) {
    const int pf_end = std::min(j + kPrefetchKeys + kScoreKeys, n_keys);
    for (int r = j + kPrefetchKeys; r < pf_end; ++r) prefetch_span(K + r * stride, sizeof(T) * size_t(hd));
    group(std::integral_constant<int, kScoreKeys>{}, j);
  }
  for (; j + 4 <= n_keys; j += 4) group(std::integral_constant<int, 4>{}, j);
  for (; j < n_keys; ++j) group(std::integral_constant<int, 1>{}, j);
}

// out[d] = sum_j p[j] * V[j * stride + d] for the columns d in [d0, hd) the vector
// loop left, one f32 accumulator each.
template <class T>
inline void weighted_sum_tail(const float* p, const T* V, int64_t stride, int n_keys, int d0, int hd, float* out) {
  for (int d = d0; d < hd; ++d) {
    float acc = 0.f;
    for (int j = 0; j < n_keys; ++j) acc += p[j] * to_f32(V[j * stride + d]);
    out[d] = acc;
  }
}

}  // namespace
}  // namespace sprout::kern
