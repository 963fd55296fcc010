#include <gtest/gtest.h>

#include "kernels/norm/norm.h"
#include "tests/test_util.h"

using namespace sprout;
using namespace sprout::kern;

TEST(LayerNorm, ScalarHandComputed) {
  // x = [1, 2, 3, 4]: mean 2.5, biased var 1.25; eps = 0.75 -> 1/sqrt(2) = 0.70710678
  const float x[4] = {1, 2, 3, 4}, g[4] = {1, 2, 1, -1}, b[4] = {0, 0, 1, 0.5f};
  float y[4];
  kNormScalar.layernorm(x, g, b, 0.75f, 4, y);
  const float s = 0.70710678f;
  EXPECT_FLOAT_EQ(y[0], -1.5f * s);
  EXPECT_FLOAT_EQ(y[1], -0.5f * s * 2);
  EXPECT_FLOAT_EQ(y[2], 0.5f * s + 1);
  EXPECT_FLOAT_EQ(y[3], -1.5f * s + 0.5f);
  kNormScalar.layernorm(x, nullptr, nullptr, 0.75f, 4, y);  // no affine parameters
  EXPECT_FLOAT_EQ(y[3], 1.5f * s);
}

TEST(LayerNorm, SimdMatchesScalar) {
  // Tolerance: 3e-6 relative to max |y| (f32 two-pass sums vs the double oracle).
  for (Isa isa : test::simd_isas()) {
    for (int n : test::awkward_sizes()) {
      auto x = test::random_floats(size_t(n), 5 + uint32_t(n), -3.f, 5.f);  // non-zero mean
      auto g = test::random_floats(size_t(n), 200 + uint32_t(n));
      auto b = test::random_floats(size_t(n), 300 + uint32_t(n));
      for (bool affine : {true, false}) {
        const float* gp = affine ? g.data() : nullptr;
        const float* bp = affine ? b.data() : nullptr;
        std::vector<float> ref(static_cast<size_t>(n)), got(static_cast<size_t>(n));
        kNormScalar.layernorm(x.data(), gp, bp, 1e-5f, n, ref.data());
        norm_kernels(isa).layernorm(x.data(), gp, bp, 1e-5f, n, got.data());
        float mx = 1e-3f;
        for (float v : ref) mx = std::fmax(mx, std::fabs(v));
        EXPECT_LE(test::max_abs_diff(ref.data(), got.data(), size_t(n)), 3e-6f * mx)
            << isa_name(isa) << " n=" << n << " affine=" << affine;
      }
    }
  }
}

TEST(LayerNorm, InPlace) {
  auto x = test::random_floats(65, 9), g = test::random_floats(65, 10), b = test::random_floats(65, 11);
  std::vector<float> ref(65);
  kNormScalar.layernorm(x.data(), g.data(), b.data(), 1e-12f, 65, ref.data());
  layernorm(x.data(), g.data(), b.data(), 1e-12f, 65, x.data());
  EXPECT_LE(test::max_abs_diff(ref.data(), x.data(), 65), 1e-5f);
}
