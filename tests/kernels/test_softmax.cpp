#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "kernels/softmax/softmax.h"
#include "tests/test_util.h"

using namespace sprout;
using namespace sprout::kern;

static const float kNegInf = -std::numeric_limits<float>::infinity();

TEST(Softmax, ScalarHandComputed) {
  // softmax([1, 2, 3]) = e^{-2,-1,0} / (e^-2 + e^-1 + 1)
  float x[3] = {1, 2, 3};
  kSoftmaxScalar.softmax(x, 3);
  EXPECT_NEAR(x[0], 0.09003057f, 1e-7f);
  EXPECT_NEAR(x[1], 0.24472847f, 1e-7f);
  EXPECT_NEAR(x[2], 0.66524096f, 1e-7f);
  // Large values do not overflow (max subtracted first).
  float big[2] = {1000.f, 1000.f};
  kSoftmaxScalar.softmax(big, 2);
  EXPECT_FLOAT_EQ(big[0], 0.5f);
}

TEST(Softmax, MasksAndAllMaskedRows) {
  std::vector<Isa> isas = test::simd_isas();
  isas.push_back(Isa::scalar);
  for (Isa isa : isas) {
    const auto k = softmax_kernels(isa).softmax;
    for (int n : test::awkward_sizes()) {
      auto x = test::random_floats(size_t(n), 3 + uint32_t(n), -5.f, 5.f);
      for (int i = 0; i < n; i += 3) x[size_t(i)] = kNegInf;  // masked keys (index 0 included)
      k(x.data(), n);
      double sum = 0;
      for (int i = 0; i < n; ++i) {
        ASSERT_FALSE(std::isnan(x[size_t(i)])) << isa_name(isa) << " n=" << n;
        if (i % 3 == 0) {
          EXPECT_EQ(x[size_t(i)], 0.f) << isa_name(isa) << " n=" << n << " i=" << i;
        }
        sum += x[size_t(i)];
      }
      if (n > 1) {
        EXPECT_NEAR(sum, 1.0, 1e-5) << isa_name(isa) << " n=" << n;
      }
      std::vector<float> all(size_t(n), kNegInf);
      k(all.data(), n);
      for (float v : all) EXPECT_EQ(v, 0.f) << isa_name(isa) << " all masked, n=" << n;
    }
  }
}

TEST(Softmax, SimdMatchesScalar) {
  // Tolerance per element: 2e-6 relative (vector exp ~1 ulp, f32 sum, one reciprocal)
  // plus 1e-9 absolute: x - max is rounded to f32, which costs |x - max| * 6e-8
  // relative on probabilities that are tiny anyway (the oracle subtracts in double).
  for (Isa isa : test::simd_isas()) {
    for (int n : test::awkward_sizes()) {
      auto x = test::random_floats(size_t(n), 17 + uint32_t(n), -20.f, 20.f);
      auto ref = x;
      kSoftmaxScalar.softmax(ref.data(), n);
      softmax_kernels(isa).softmax(x.data(), n);
      for (int i = 0; i < n; ++i)
        EXPECT_NEAR(x[size_t(i)], ref[size_t(i)], 2e-6f * ref[size_t(i)] + 1e-9f) << isa_name(isa) << " n=" << n;
    }
  }
}
