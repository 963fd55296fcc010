#include <gtest/gtest.h>

#include <cmath>

#include "kernels/attn/attn.h"
#include "tests/test_util.h"

using namespace sprout;
using namespace sprout::kern;

TEST(AttnKernels, ScalarHandComputed) {
  const float a[3] = {1, 2, 3}, b[3] = {4, -5, 6};
  EXPECT_EQ(kAttnScalar.dot_f32(a, b, 3), 12.f);
  const f16_t bh[3] = {f32_to_f16(4), f32_to_f16(-5), f32_to_f16(6)};
  EXPECT_EQ(kAttnScalar.dot_f16(a, bh, 3), 12.f);
  float y[3] = {1, 1, 1};
  kAttnScalar.axpy_f32(2.f, a, 3, y);
  EXPECT_EQ(y[2], 7.f);
  kAttnScalar.axpy_f16(-1.f, bh, 3, y);
  EXPECT_EQ(y[2], 1.f);
}

TEST(AttnKernels, SimdMatchesScalar) {
  for (Isa isa : test::simd_isas()) {
    const AttnKernels& k = attn_kernels(isa);
    for (int n : test::awkward_sizes()) {
      auto a = test::random_floats(size_t(n), 7 + uint32_t(n)), b = test::random_floats(size_t(n), 8 + uint32_t(n));
      std::vector<f16_t> bh(static_cast<size_t>(n)), bh_ref(static_cast<size_t>(n));
      kAttnScalar.to_f16(b.data(), n, bh_ref.data());
      k.to_f16(b.data(), n, bh.data());
      EXPECT_EQ(bh, bh_ref) << isa_name(isa) << " to_f16 n=" << n;  // RNE, bit-exact
      std::vector<float> back(static_cast<size_t>(n)), back_ref(static_cast<size_t>(n));
      kAttnScalar.from_f16(bh.data(), n, back_ref.data());
      k.from_f16(bh.data(), n, back.data());
      EXPECT_EQ(back, back_ref) << isa_name(isa) << " from_f16 n=" << n;
      // Dots: tolerance 1e-6 * sum |a b| (f32 accumulators vs the double oracle).
      double mag = 0;
      for (int i = 0; i < n; ++i) mag += std::fabs(double(a[size_t(i)]) * b[size_t(i)]);
      EXPECT_NEAR(k.dot_f32(a.data(), b.data(), n), kAttnScalar.dot_f32(a.data(), b.data(), n), 1e-6 * mag + 1e-30)
          << isa_name(isa) << " n=" << n;
      EXPECT_NEAR(k.dot_f16(a.data(), bh.data(), n), kAttnScalar.dot_f16(a.data(), bh.data(), n), 1e-6 * mag + 1e-30)
          << isa_name(isa) << " n=" << n;
      // axpy: FMA vs multiply-then-add, at most one rounding apart per element.
      auto y0 = test::random_floats(size_t(n), 9 + uint32_t(n));
      auto yr = y0, yg = y0;
      kAttnScalar.axpy_f32(0.3f, a.data(), n, yr.data());
      k.axpy_f32(0.3f, a.data(), n, yg.data());
      EXPECT_LE(test::max_abs_diff(yr.data(), yg.data(), size_t(n)), 3e-7f) << isa_name(isa) << " n=" << n;
      yr = y0, yg = y0;
      kAttnScalar.axpy_f16(-0.7f, bh.data(), n, yr.data());
      k.axpy_f16(-0.7f, bh.data(), n, yg.data());
      EXPECT_LE(test::max_abs_diff(yr.data(), yg.data(), size_t(n)), 3e-7f) << isa_name(isa) << " n=" << n;
    }
  }
}
