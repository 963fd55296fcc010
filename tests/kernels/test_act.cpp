// Activation kernels and the vector exp/tanh/erf/sigmoid they are built on.
// Oracles: the scalar table (double-precision formulas), itself checked on
// hand-computed values; SIMD tables checked against it on awkward sizes and on
// a dense sweep of the input range with stated relative tolerances.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <functional>

#include "kernels/act/act.h"
#include "tests/test_util.h"

using namespace sprout;
using namespace sprout::kern;

namespace {

// Worst |got - ref| / (|ref| + floor) over all elements.
double max_rel(const std::vector<float>& ref, const std::vector<float>& got, double floor = 1e-30) {
  double m = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    // A plain compare, not std::fmax: aarch64 g++ 12 hits an internal compiler
    // error vectorizing the fmax reduction here.
    const double e = std::fabs(double(got[i]) - ref[i]) / (std::fabs(double(ref[i])) + floor);
    if (e > m) m = e;
  }
  return m;
}

std::vector<float> sweep(float lo, float hi, int n) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) v[size_t(i)] = lo + (hi - lo) * float(i) / float(n - 1);
  return v;
}

using Unary = void (*)(const float*, int, float*);
using InPlace = void (*)(float*, int);

// Relative error of one SIMD unary map against the scalar oracle over `x`.
double unary_err(Unary simd, Unary scalar, const std::vector<float>& x, double floor = 1e-30) {
  std::vector<float> ref(x.size()), got(x.size());
  scalar(x.data(), int(x.size()), ref.data());
  simd(x.data(), int(x.size()), got.data());
  return max_rel(ref, got, floor);
}
double inplace_err(InPlace simd, InPlace scalar, const std::vector<float>& x, double floor = 1e-30) {
  std::vector<float> ref = x, got = x;
  scalar(ref.data(), int(x.size()));
  simd(got.data(), int(x.size()));
  return max_rel(ref, got, floor);
}

}  // namespace

TEST(Act, ScalarHandComputed) {
  float x[5] = {-2.f, -0.5f, 0.f, 1.f, 3.f};
  float y[5];
  std::copy(x, x + 5, y);
  kActScalar.silu(y, 5);  // x / (1 + e^-x)
  EXPECT_NEAR(y[0], -0.23840584f, 1e-7f);
  EXPECT_NEAR(y[1], -0.18877033f, 1e-7f);
  EXPECT_EQ(y[2], 0.f);
  EXPECT_NEAR(y[3], 0.73105858f, 1e-7f);
  EXPECT_NEAR(y[4], 2.85772238f, 1e-6f);
  std::copy(x, x + 5, y);
  kActScalar.gelu_erf(y, 5);  // torch.nn.functional.gelu
  EXPECT_NEAR(y[0], -0.04550027f, 1e-7f);
  EXPECT_NEAR(y[1], -0.15426877f, 1e-7f);
  EXPECT_NEAR(y[3], 0.84134475f, 1e-7f);
  EXPECT_NEAR(y[4], 2.99595031f, 1e-6f);
  std::copy(x, x + 5, y);
  kActScalar.gelu_tanh(y, 5);  // gelu(approximate="tanh")
  EXPECT_NEAR(y[0], -0.04540231f, 1e-7f);
  EXPECT_NEAR(y[1], -0.15428599f, 1e-7f);
  EXPECT_NEAR(y[3], 0.84119199f, 1e-7f);
  EXPECT_NEAR(y[4], 2.99636269f, 1e-6f);
  std::copy(x, x + 5, y);
  kActScalar.relu(y, 5);
  EXPECT_EQ(y[0], 0.f);
  EXPECT_EQ(y[4], 3.f);
  const float up[5] = {1, 2, 3, 4, 5};
  kActScalar.swiglu(x, up, 5, y);
  EXPECT_NEAR(y[3], 4 * 0.73105858f, 1e-6f);
  kActScalar.erf(x, 5, y);
  EXPECT_NEAR(y[1], -0.52049988f, 1e-7f);
  kActScalar.tanh(x, 5, y);
  EXPECT_NEAR(y[0], -0.96402758f, 1e-7f);
}

// Vector math over dense sweeps. Tolerances are relative to the exact value
// (to its magnitude floor where the function crosses zero).
TEST(Act, VectorMathAccuracy) {
  for (Isa isa : test::simd_isas()) {
    const ActKernels& k = act_kernels(isa);
    const double e_exp = unary_err(k.exp, kActScalar.exp, sweep(-87.f, 88.f, 200001));
    const double e_exp_sub = unary_err(k.exp, kActScalar.exp, sweep(-103.f, -87.f, 20001), 1e-44);
    const double e_tanh = unary_err(k.tanh, kActScalar.tanh, sweep(-12.f, 12.f, 200001));
    const double e_tanh_tiny = unary_err(k.tanh, kActScalar.tanh, sweep(-1e-3f, 1e-3f, 20001));
    const double e_erf = unary_err(k.erf, kActScalar.erf, sweep(-6.f, 6.f, 200001));
    const double e_sig = unary_err(k.sigmoid, kActScalar.sigmoid, sweep(-80.f, 30.f, 200001));
    std::printf("[ %s ] max rel err: exp %.2e (subnormal range %.2e) tanh %.2e (tiny %.2e) erf %.2e sigmoid %.2e\n",
                isa_name(isa), e_exp, e_exp_sub, e_tanh, e_tanh_tiny, e_erf, e_sig);
    EXPECT_LE(e_exp, 3e-7) << isa_name(isa);
    EXPECT_LE(e_exp_sub, 1e-2) << isa_name(isa);  // subnormal results keep fewer bits
    EXPECT_LE(e_tanh, 3e-7) << isa_name(isa);
    EXPECT_LE(e_tanh_tiny, 2e-7) << isa_name(isa);
    EXPECT_LE(e_erf, 3e-7) << isa_name(isa);
    EXPECT_LE(e_sig, 4e-7) << isa_name(isa);
    // Special values the kernels rely on.
    const float sp[4] = {-INFINITY, INFINITY, 0.f, -200.f};
    float out[4];
    k.exp(sp, 4, out);
    EXPECT_EQ(out[0], 0.f);
    EXPECT_EQ(out[1], INFINITY);
    EXPECT_EQ(out[2], 1.f);
    EXPECT_EQ(out[3], 0.f);
  }
}

TEST(Act, ActivationsMatchScalar) {
  for (Isa isa : test::simd_isas()) {
    const ActKernels& k = act_kernels(isa);
    const auto wide = sweep(-20.f, 20.f, 100003);
    const double e_silu = inplace_err(k.silu, kActScalar.silu, wide);
    const double e_ge = inplace_err(k.gelu_erf, kActScalar.gelu_erf, sweep(-12.f, 12.f, 100003));
    // The tanh form's argument u = c (x + 0.044715 x^3) is rounded to f32 (as in
    // PyTorch), which costs 2|u| ulps of relative error in its tiny tail (x < -3);
    // there the error is judged against a 1e-4 magnitude floor instead.
    const double e_gt = inplace_err(k.gelu_tanh, kActScalar.gelu_tanh, sweep(-12.f, 12.f, 100003), 1e-4);
    std::printf("[ %s ] max rel err: silu %.2e gelu_erf %.2e gelu_tanh %.2e\n", isa_name(isa), e_silu, e_ge, e_gt);
    EXPECT_LE(e_silu, 4e-7) << isa_name(isa);
    EXPECT_LE(e_ge, 1e-6) << isa_name(isa);
    EXPECT_LE(e_gt, 2e-6) << isa_name(isa);
    for (int n : test::awkward_sizes()) {
      auto x = test::random_floats(size_t(n), 11 + uint32_t(n), -6.f, 6.f);
      EXPECT_LE(inplace_err(k.silu, kActScalar.silu, x), 4e-7) << isa_name(isa) << " n=" << n;
      EXPECT_LE(inplace_err(k.gelu_erf, kActScalar.gelu_erf, x), 1e-6) << isa_name(isa) << " n=" << n;
      EXPECT_LE(inplace_err(k.gelu_tanh, kActScalar.gelu_tanh, x, 1e-4), 2e-6) << isa_name(isa) << " n=" << n;
      EXPECT_EQ(inplace_err(k.relu, kActScalar.relu, x), 0.0) << isa_name(isa) << " n=" << n;
      auto u = test::random_floats(size_t(n), 99 + uint32_t(n), -2.f, 2.f);
      std::vector<float> ref(static_cast<size_t>(n)), got(static_cast<size_t>(n));
      kActScalar.swiglu(x.data(), u.data(), n, ref.data());
      k.swiglu(x.data(), u.data(), n, got.data());
      EXPECT_LE(max_rel(ref, got), 5e-7) << isa_name(isa) << " n=" << n;
    }
  }
}

TEST(Act, SwigluInPlace) {
  for (Isa isa : test::simd_isas()) {
    auto g = test::random_floats(37, 5, -4.f, 4.f), u = test::random_floats(37, 6);
    std::vector<float> ref(37);
    kActScalar.swiglu(g.data(), u.data(), 37, ref.data());
    act_kernels(isa).swiglu(g.data(), u.data(), 37, g.data());  // y aliases gate
    EXPECT_LE(max_rel(ref, g), 5e-7) << isa_name(isa);
  }
}
