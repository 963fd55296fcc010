// Shared helpers for the GoogleTest suites.
#pragma once
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "kernels/common/dispatch.h"

namespace sprout::test {

// Path of a fixture inside the repo (fresh clones carry every fixture).
inline std::string repo_path(const std::string& rel) { return std::string(SPROUT_SOURCE_DIR) + "/" + rel; }

inline std::vector<float> random_floats(size_t n, uint32_t seed, float lo = -1.f, float hi = 1.f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

// Every SIMD ISA this CPU runs (the scalar oracle excluded).
inline std::vector<kern::Isa> simd_isas() {
  std::vector<kern::Isa> out;
  for (kern::Isa i : {kern::Isa::avx2, kern::Isa::avx2_vnni, kern::Isa::neon, kern::Isa::neon_dot})
    if (kern::isa_supported(i)) out.push_back(i);
  return out;
}

// Sizes that catch tail-handling bugs: 1, primes, around vector and block widths.
inline std::vector<int> awkward_sizes() { return {1, 2, 3, 7, 8, 15, 16, 17, 31, 33, 63, 64, 65, 127, 257, 1000, 2053}; }

inline float max_abs_diff(const float* a, const float* b, size_t n) {
  float m = 0.f;
  for (size_t i = 0; i < n; ++i) m = std::fmax(m, std::fabs(a[i] - b[i]));
  return m;
}

}  // namespace sprout::test
