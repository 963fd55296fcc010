#include <gtest/gtest.h>

#include "kernels/elementwise/elementwise.h"
#include "tests/test_util.h"

using namespace sprout;
using namespace sprout::kern;

TEST(Elementwise, ScalarHandComputed) {
  const float a[3] = {1, -2, 0.5f}, b[3] = {3, 4, -0.25f};
  float y[3];
  kElementwiseScalar.add(a, b, 3, y);
  EXPECT_EQ(y[0], 4.f); EXPECT_EQ(y[1], 2.f); EXPECT_EQ(y[2], 0.25f);
  kElementwiseScalar.mul(a, b, 3, y);
  EXPECT_EQ(y[0], 3.f); EXPECT_EQ(y[1], -8.f); EXPECT_EQ(y[2], -0.125f);
  kElementwiseScalar.scale(y, -2.f, 3);
  EXPECT_EQ(y[0], -6.f); EXPECT_EQ(y[2], 0.25f);
}

TEST(Elementwise, SimdBitExact) {
  // One rounding per element in every variant: results must be identical.
  for (Isa isa : test::simd_isas()) {
    const auto& k = elementwise_kernels(isa);
    for (int n : test::awkward_sizes()) {
      auto a = test::random_floats(size_t(n), 1 + uint32_t(n), -9.f, 9.f), b = test::random_floats(size_t(n), 2 + uint32_t(n));
      std::vector<float> r(static_cast<size_t>(n)), g(static_cast<size_t>(n));
      kElementwiseScalar.add(a.data(), b.data(), n, r.data());
      k.add(a.data(), b.data(), n, g.data());
      EXPECT_EQ(r, g) << isa_name(isa) << " add n=" << n;
      kElementwiseScalar.mul(a.data(), b.data(), n, r.data());
      k.mul(a.data(), b.data(), n, g.data());
      EXPECT_EQ(r, g) << isa_name(isa) << " mul n=" << n;
      r = a; g = a;
      kElementwiseScalar.scale(r.data(), 0.37f, n);
      k.scale(g.data(), 0.37f, n);
      EXPECT_EQ(r, g) << isa_name(isa) << " scale n=" << n;
      g = a;  // y aliasing a
      k.add(g.data(), b.data(), n, g.data());
      kElementwiseScalar.add(a.data(), b.data(), n, r.data());
      EXPECT_EQ(r, g) << isa_name(isa) << " add in place n=" << n;
    }
  }
}
