// engine/linear.h and engine/quantize.h.
// linear() is checked against a plain double-precision reference built from
// to_f32(W) and the activations quantized/dequantized the way the kernels do,
// for every weight dtype, several M (GEMV and the tiled M > 1 path), with and
// without bias, on 1 and 2 threads.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "engine/error.h"
#include "engine/linear.h"
#include "engine/linear_gemm.h"
#include "engine/quantize.h"
#include "engine/threads.h"
#include "tests/test_util.h"

using namespace sprout;

namespace {

// Dequantized activation row as linear() sees it for weight dtype t.
std::vector<float> act_as_seen(DType t, const float* x, int64_t K, int64_t M) {
  std::vector<float> out(static_cast<size_t>(K));
  if (t == DType::i8_row) {
    std::vector<int8_t> q(static_cast<size_t>(K));
    const float s = quantize_row_i8(x, K, q.data());
    dequantize_row_i8(q.data(), s, K, out.data());
    return out;
  }
  DType at = DType::f32;
  if (t == DType::q8_0 || t == DType::q4_0 || t == DType::q4_1 || t == DType::q5_0 || t == DType::q5_1) at = DType::q8_0;
  if (t == DType::q4_k || t == DType::q5_k || t == DType::q6_k) at = linear_gemm_takes(t, M) ? DType::q8_0 : DType::q8_k;
  std::vector<uint8_t> q(*row_bytes(at, uint64_t(K)));
  quantize_row(at, x, K, q.data());
  dequantize_row(at, q.data(), K, out.data());
  return out;
}

struct Case {
  DType t;
  int64_t N, K;
};

}  // namespace

TEST(Linear, MatchesReferenceAllDtypes) {
  // Tolerance: 1e-5 * sum_k |w x| per output (f32 block accumulation).
  const Case cases[] = {{DType::f32, 37, 19},   {DType::f16, 33, 40},   {DType::bf16, 9, 64},
                        {DType::q8_0, 70, 96},  {DType::q4_0, 41, 64},  {DType::q4_1, 17, 128},
                        {DType::q5_0, 23, 64},  {DType::q5_1, 29, 32},  {DType::q4_k, 19, 512},
                        {DType::q5_k, 13, 256}, {DType::q6_k, 21, 512}, {DType::i8_row, 31, 45}};
  for (const Case& c : cases) {
    auto wf = test::random_floats(size_t(c.N * c.K), 1 + uint32_t(c.N), -1.f, 1.f);
    std::vector<uint8_t> wq;
    std::vector<float> wscale(size_t(c.N));
    Tensor W;
    if (c.t == DType::i8_row) {
      wq.resize(size_t(c.N * c.K));
      for (int64_t r = 0; r < c.N; ++r)
        wscale[size_t(r)] = quantize_row_i8(wf.data() + r * c.K, c.K, reinterpret_cast<int8_t*>(wq.data()) + r * c.K);
      W = make_tensor(DType::i8_row, {c.N, c.K}, wq.data());
      W.row_scale = wscale.data();
    } else {
      const size_t rb = *row_bytes(c.t, uint64_t(c.K));
      wq.resize(rb * size_t(c.N));
      for (int64_t r = 0; r < c.N; ++r) quantize_row(c.t, wf.data() + r * c.K, c.K, wq.data() + size_t(r) * rb);
      W = make_tensor(c.t, {c.N, c.K}, wq.data());
    }
    const std::vector<float> wd = to_f32(W);
    const auto bias = test::random_floats(size_t(c.N), 5);
    for (int64_t M : {1, 2, 5, 9}) {
      const auto x = test::random_floats(size_t(M * c.K), 2 + uint32_t(M), -2.f, 2.f);
      for (int threads : {1, 2}) {
        set_num_threads(threads);
        for (bool with_bias : {false, true}) {
          std::vector<float> y(size_t(M * c.N));
          linear(W, x.data(), M, y.data(), with_bias ? bias.data() : nullptr);
          for (int64_t m = 0; m < M; ++m) {
            const auto a = act_as_seen(c.t, x.data() + m * c.K, c.K, M);
            for (int64_t n = 0; n < c.N; ++n) {
              double want = with_bias ? bias[size_t(n)] : 0.0, mag = 0;
              for (int64_t k = 0; k < c.K; ++k) {
                const double p = double(wd[size_t(n * c.K + k)]) * a[size_t(k)];
                want += p;
                mag += std::fabs(p);
              }
              ASSERT_NEAR(y[size_t(m * c.N + n)], want, 1e-5 * mag + 1e-6)
                  << dtype_name(c.t) << " M=" << M << " n=" << n << " threads=" << threads;
            }
          }
        }
      }
    }
  }
  set_num_threads(0);
}

TEST(Linear, LargeTiledMatchesRowByRow) {
  // Many tiles and threads: each row of a multi-row call equals the GEMV of that
  // row exactly (same kernels, same activation quantization).
  const int64_t N = 700, K = 512, M = 6;
  auto wf = test::random_floats(size_t(N * K), 3);
  const size_t rb = *row_bytes(DType::q4_0, K);
  std::vector<uint8_t> wq(rb * size_t(N));
  for (int64_t r = 0; r < N; ++r) quantize_row(DType::q4_0, wf.data() + r * K, K, wq.data() + size_t(r) * rb);
  Tensor W = make_tensor(DType::q4_0, {N, K}, wq.data());
  auto x = test::random_floats(size_t(M * K), 4);
  std::vector<float> y(size_t(M * N)), y1(static_cast<size_t>(N));
  set_num_threads(2);
  set_linear_gemm_enabled(false);  // the tiled dot path (the GEMM path: test_linear_gemm.cpp)
  linear(W, x.data(), M, y.data());
  set_linear_gemm_enabled(true);
  for (int64_t m = 0; m < M; ++m) {
    linear(W, x.data() + m * K, 1, y1.data());
    EXPECT_EQ(std::memcmp(y1.data(), y.data() + m * N, size_t(N) * 4), 0) << "row " << m;
  }
  set_num_threads(0);
}

TEST(Linear, RejectsBadWeights) {
  float buf[64] = {};
  float y[8];
  EXPECT_THROW(linear(make_tensor(DType::i32, {2, 4}, buf), buf, 1, y), Error);
  EXPECT_THROW(linear(make_tensor(DType::f32, {2, 2, 4}, buf), buf, 1, y), Error);
  EXPECT_THROW(linear(make_tensor(DType::i8_row, {2, 4}, buf), buf, 1, y), Error);  // no row scales
}

TEST(Quantize, RowApiAndToF32) {
  // quantize_row / dequantize_row agree with each other and to_f32 walks rows.
  auto x = test::random_floats(512, 9);
  std::vector<uint8_t> q(*row_bytes(DType::q6_k, 256) * 2);
  quantize_row(DType::q6_k, x.data(), 512, q.data());
  std::vector<float> d(512);
  dequantize_row(DType::q6_k, q.data(), 512, d.data());
  Tensor t = make_tensor(DType::q6_k, {2, 256}, q.data());
  EXPECT_EQ(std::memcmp(to_f32(t).data(), d.data(), 512 * 4), 0);
  for (size_t i = 0; i < 512; ++i) EXPECT_NEAR(d[i], x[i], 0.02f);
  EXPECT_THROW(quantize_row(DType::q4_0, x.data(), 33, q.data()), Error);
  EXPECT_THROW(quantize_row(DType::i32, x.data(), 32, q.data()), Error);
  const int32_t ints[3] = {-5, 0, 70000};
  auto f = to_f32(make_tensor(DType::i32, {3}, ints));
  EXPECT_EQ(f[0], -5.f);
  EXPECT_EQ(f[2], 70000.f);
  // i8_row: values times the row's scale.
  const int8_t q8[4] = {1, -2, 3, 127};
  const float sc[2] = {0.5f, 2.f};
  Tensor ti = make_tensor(DType::i8_row, {2, 2}, q8);
  ti.row_scale = sc;
  auto fi = to_f32(ti);
  EXPECT_EQ(fi[1], -1.f);
  EXPECT_EQ(fi[3], 254.f);
}
