#include <gtest/gtest.h>

#include <cmath>

#include "kernels/rope/rope.h"
#include "tests/test_util.h"

using namespace sprout;
using namespace sprout::kern;

TEST(Rope, ScalarHandComputed) {
  // head_dim 4, one head; angles 90 degrees (cos 0, sin 1) and 180 degrees (cos -1, sin 0).
  const float c[2] = {0.f, -1.f}, s[2] = {1.f, 0.f};
  float x[4] = {1, 2, 3, 4};
  kRopeScalar.rotate_half(x, 1, 4, c, s);  // pairs (x0, x2), (x1, x3)
  EXPECT_EQ(x[0], -3.f);  // 1*0 - 3*1
  EXPECT_EQ(x[2], 1.f);   // 3*0 + 1*1
  EXPECT_EQ(x[1], -2.f);  // 2*-1 - 4*0
  EXPECT_EQ(x[3], -4.f);  // 4*-1 + 2*0
  float y[4] = {1, 2, 3, 4};
  kRopeScalar.interleaved(y, 1, 4, c, s);  // pairs (y0, y1), (y2, y3)
  EXPECT_EQ(y[0], -2.f);  // 1*0 - 2*1
  EXPECT_EQ(y[1], 1.f);   // 2*0 + 1*1
  EXPECT_EQ(y[2], -3.f);
  EXPECT_EQ(y[3], -4.f);
}

TEST(Rope, SimdBitExact) {
  for (Isa isa : test::simd_isas()) {
    for (int hd : {2, 4, 6, 8, 14, 16, 18, 34, 64, 80, 128, 256}) {
      for (int heads : {1, 3, 16}) {
        auto x = test::random_floats(size_t(heads * hd), uint32_t(hd * 7 + heads));
        std::vector<float> c(size_t(hd / 2)), s(size_t(hd / 2));
        for (int i = 0; i < hd / 2; ++i) c[size_t(i)] = std::cos(0.3f * float(i + 1)), s[size_t(i)] = std::sin(0.3f * float(i + 1));
        for (int layout = 0; layout < 2; ++layout) {
          auto ref = x, got = x;
          const auto& rs = kRopeScalar;
          const auto& rk = rope_kernels(isa);
          (layout ? rs.interleaved : rs.rotate_half)(ref.data(), heads, hd, c.data(), s.data());
          (layout ? rk.interleaved : rk.rotate_half)(got.data(), heads, hd, c.data(), s.data());
          EXPECT_EQ(ref, got) << isa_name(isa) << " hd=" << hd << " heads=" << heads << " layout=" << layout;
        }
      }
    }
  }
}
