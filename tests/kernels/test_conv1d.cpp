#include <gtest/gtest.h>

#include "kernels/conv1d/conv1d.h"
#include "tests/test_util.h"

using namespace sprout;
using namespace sprout::kern;

TEST(Conv1d, ScalarHandComputed) {
  // T = 3, Cin = 1, Cout = 1, k = 3, w = [1, 2, 3], b = 0.5, x = [1, 10, 100]:
  // y0 = 0*1 + 1*2 + 10*3, y1 = 1*1 + 10*2 + 100*3, y2 = 10*1 + 100*2 + 0*3 (zero padding)
  const float x[3] = {1, 10, 100}, w[3] = {1, 2, 3}, b[1] = {0.5f};
  float wp[3], y[3];
  conv1d_pack(w, 1, 1, 3, wp);
  kConv1dScalar.conv1d(x, 3, 1, wp, b, 1, 3, 0, 3, y);
  EXPECT_EQ(y[0], 32.5f);
  EXPECT_EQ(y[1], 321.5f);
  EXPECT_EQ(y[2], 210.5f);
  // Two in, two out, k = 1: a per-time-step matrix product; w[o, c, 0].
  const float x2[2] = {1, 2}, w2[4] = {1, 2, 3, 4};
  float wp2[4], y2[2];
  conv1d_pack(w2, 2, 2, 1, wp2);
  kConv1dScalar.conv1d(x2, 1, 2, wp2, nullptr, 2, 1, 0, 1, y2);
  EXPECT_EQ(y2[0], 5.f);   // 1*1 + 2*2
  EXPECT_EQ(y2[1], 11.f);  // 1*3 + 2*4
}

TEST(Conv1d, SimdMatchesScalar) {
  for (Isa isa : test::simd_isas()) {
    for (int k : {1, 3, 5, 7}) {
      for (int T : {1, 2, 7, 30}) {
        for (auto [Cin, Cout] : {std::pair{1, 1}, {14, 17}, {3, 64}, {33, 8}}) {
          auto x = test::random_floats(size_t(T * Cin), uint32_t(T + Cin));
          auto w = test::random_floats(size_t(Cout * Cin * k), uint32_t(k + Cout));
          auto b = test::random_floats(size_t(Cout), 77);
          std::vector<float> wp(w.size()), ref(size_t(T * Cout)), got(size_t(T * Cout));
          conv1d_pack(w.data(), Cout, Cin, k, wp.data());
          kConv1dScalar.conv1d(x.data(), T, Cin, wp.data(), b.data(), Cout, k, 0, T, ref.data());
          conv1d_kernels(isa).conv1d(x.data(), T, Cin, wp.data(), b.data(), Cout, k, 0, T, got.data());
          // Tolerance: 1e-6 * (Cin * k) for sums of Cin*k products of magnitude <= 1.
          EXPECT_LE(test::max_abs_diff(ref.data(), got.data(), ref.size()), 1e-6f * float(Cin * k + 1))
              << isa_name(isa) << " k=" << k << " T=" << T << " Cin=" << Cin << " Cout=" << Cout;
        }
      }
    }
  }
}
