#include <gtest/gtest.h>

#include "kernels/norm/norm.h"
#include "tests/test_util.h"

using namespace sprout;
using namespace sprout::kern;

TEST(RmsNorm, ScalarHandComputed) {
  // x = [1, 2, 3, 4]: mean(x^2) = 7.5; eps = 0.5 -> 1/sqrt(8) = 0.35355339
  const float x[4] = {1, 2, 3, 4}, w[4] = {1, 1, 2, -1};
  float y[4];
  kNormScalar.rmsnorm(x, w, 0.5f, 4, y);
  const float s = 0.35355339f;
  EXPECT_FLOAT_EQ(y[0], 1 * s);
  EXPECT_FLOAT_EQ(y[1], 2 * s);
  EXPECT_FLOAT_EQ(y[2], 6 * s);
  EXPECT_FLOAT_EQ(y[3], -4 * s);
}

TEST(RmsNorm, SimdMatchesScalar) {
  // Tolerance: 2e-6 relative to max |y| (different summation order only).
  for (Isa isa : test::simd_isas()) {
    for (int n : test::awkward_sizes()) {
      auto x = test::random_floats(size_t(n), 1 + uint32_t(n), -3.f, 3.f);
      auto w = test::random_floats(size_t(n), 100 + uint32_t(n));
      std::vector<float> ref(static_cast<size_t>(n)), got(static_cast<size_t>(n));
      kNormScalar.rmsnorm(x.data(), w.data(), 1e-6f, n, ref.data());
      norm_kernels(isa).rmsnorm(x.data(), w.data(), 1e-6f, n, got.data());
      float mx = 0;
      for (float v : ref) mx = std::fmax(mx, std::fabs(v));
      EXPECT_LE(test::max_abs_diff(ref.data(), got.data(), size_t(n)), 2e-6f * mx) << isa_name(isa) << " n=" << n;
    }
  }
}

TEST(RmsNorm, InPlace) {
  auto x = test::random_floats(33, 7);
  auto w = test::random_floats(33, 8);
  std::vector<float> ref(33);
  kNormScalar.rmsnorm(x.data(), w.data(), 1e-5f, 33, ref.data());
  rmsnorm(x.data(), w.data(), 1e-5f, 33, x.data());
  EXPECT_LE(test::max_abs_diff(ref.data(), x.data(), 33), 1e-5f);
}
