#include <gtest/gtest.h>

#include <cmath>

#include "kernels/lstm/lstm.h"
#include "tests/test_util.h"

using namespace sprout;
using namespace sprout::kern;

TEST(Lstm, ScalarHandComputed) {
  // H = 1, gates (i, f, g, o) = (0, ln 3, atanh 0.5, 0): i = 0.5, f = 0.75, g = 0.5, o = 0.5.
  const float gates[4] = {0.f, std::log(3.f), std::atanh(0.5f), 0.f};
  float c = 2.f, h = 0.f;
  kLstmScalar.lstm_cell(gates, &c, &h, 1);
  EXPECT_NEAR(c, 0.75f * 2 + 0.5f * 0.5f, 1e-6f);      // 1.75
  EXPECT_NEAR(h, 0.5f * std::tanh(1.75f), 1e-6f);
}

TEST(Lstm, SimdMatchesScalar) {
  // Tolerance: 1e-6 absolute (c, h are O(1); vector sigmoid/tanh are a few ulp).
  for (Isa isa : test::simd_isas()) {
    for (int H : test::awkward_sizes()) {
      auto g = test::random_floats(size_t(4 * H), 3 + uint32_t(H), -6.f, 6.f);
      auto c0 = test::random_floats(size_t(H), 4 + uint32_t(H), -2.f, 2.f);
      auto cr = c0, cg = c0;
      std::vector<float> hr(static_cast<size_t>(H)), hg(static_cast<size_t>(H));
      kLstmScalar.lstm_cell(g.data(), cr.data(), hr.data(), H);
      lstm_kernels(isa).lstm_cell(g.data(), cg.data(), hg.data(), H);
      EXPECT_LE(test::max_abs_diff(cr.data(), cg.data(), size_t(H)), 1e-6f) << isa_name(isa) << " H=" << H;
      EXPECT_LE(test::max_abs_diff(hr.data(), hg.data(), size_t(H)), 1e-6f) << isa_name(isa) << " H=" << H;
    }
  }
}
