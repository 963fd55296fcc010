// linear()'s GEMM path (engine/linear_gemm.cpp) against its dot-product path,
// on awkward shapes, with and without bias, on 1 and 2 threads.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "engine/linear.h"
#include "engine/linear_gemm.h"
#include "engine/quantize.h"
#include "engine/threads.h"
#include "tests/test_util.h"

using namespace sprout;

namespace {

struct Weights {
  std::vector<uint8_t> data;
  Tensor W;
};

Weights make_weights(DType t, int64_t N, int64_t K, uint32_t seed) {
  const auto wf = test::random_floats(size_t(N * K), seed);
  Weights w;
  const size_t rb = *row_bytes(t, uint64_t(K));
  w.data.resize(rb * size_t(N));
  for (int64_t r = 0; r < N; ++r) quantize_row(t, wf.data() + r * K, K, w.data.data() + size_t(r) * rb);
  w.W = make_tensor(t, {N, K}, w.data.data());
  return w;
}

}  // namespace

TEST(LinearGemm, MatchesDotPath) {
  // Tolerance per output: f32/f16/bf16 1e-5 * sum_k |w x|; q8_0/q4_0 use the dot
  // path's exact integer block sums, only the f32 block accumulation order
  // differs: 1e-6 * sum_k |w x| (w dequantized, x as given).
  for (DType t : {DType::f32, DType::f16, DType::bf16, DType::q8_0, DType::q4_0}) {
    const bool quant = t == DType::q8_0 || t == DType::q4_0;
    for (int64_t K : {32, 288}) {
      for (int64_t N : {1, 7, 37}) {
        const Weights w = make_weights(t, N, K, 3 + uint32_t(N * K));
        const std::vector<float> wd = to_f32(w.W);
        const auto bias = test::random_floats(size_t(N), 9);
        for (int64_t M : {4, 13, 30}) {
          const auto x = test::random_floats(size_t(M * K), 5 + uint32_t(M), -2.f, 2.f);
          for (int threads : {1, 2}) {
            set_num_threads(threads);
            std::vector<float> got(size_t(M * N)), want(size_t(M * N));
            const float* b = (M % 2) ? bias.data() : nullptr;
            set_linear_gemm_enabled(true);
            ASSERT_TRUE(linear_gemm(w.W, x.data(), M, got.data(), b));
            set_linear_gemm_enabled(false);
            linear(w.W, x.data(), M, want.data(), b);
            set_linear_gemm_enabled(true);
            for (int64_t m = 0; m < M; ++m)
              for (int64_t n = 0; n < N; ++n) {
                double mag = 0;
                for (int64_t k = 0; k < K; ++k) mag += std::fabs(double(wd[size_t(n * K + k)]) * x[size_t(m * K + k)]);
                ASSERT_NEAR(got[size_t(m * N + n)], want[size_t(m * N + n)], (quant ? 1e-6 : 1e-5) * mag + 1e-6)
                    << dtype_name(t) << " M=" << M << " N=" << N << " K=" << K << " threads=" << threads;
              }
          }
        }
      }
    }
  }
  set_num_threads(0);
}

TEST(LinearGemm, FloatBlockingAtLargerShapes) {
  // Shapes that cross every float blocking boundary (several K blocks, L2 blocks
  // of x rows, weight blocks; N = 16 forces the row split on 2 threads), against
  // the dot path at 1e-5 * sum_k |w x|.
  struct Shape {
    int64_t M, N, K;
  };
  for (DType t : {DType::f32, DType::f16})
    for (Shape sh : {Shape{200, 600, 300}, Shape{37, 16, 520}}) {
      const int64_t M = sh.M, N = sh.N, K = sh.K;
      const Weights w = make_weights(t, N, K, 17 + uint32_t(N));
      const std::vector<float> wd = to_f32(w.W);
      const auto x = test::random_floats(size_t(M * K), 19 + uint32_t(M), -2.f, 2.f);
      for (int threads : {1, 2}) {
        set_num_threads(threads);
        std::vector<float> got(size_t(M * N)), want(size_t(M * N));
        ASSERT_TRUE(linear_gemm(w.W, x.data(), M, got.data(), nullptr));
        set_linear_gemm_enabled(false);
        linear(w.W, x.data(), M, want.data());
        set_linear_gemm_enabled(true);
        for (int64_t m = 0; m < M; ++m)
          for (int64_t n = 0; n < N; ++n) {
            double mag = 0;
            for (int64_t k = 0; k < K; ++k) mag += std::fabs(double(wd[size_t(n * K + k)]) * x[size_t(m * K + k)]);
            ASSERT_NEAR(got[size_t(m * N + n)], want[size_t(m * N + n)], 1e-5 * mag + 1e-6)
                << dtype_name(t) << " M=" << M << " N=" << N << " K=" << K << " threads=" << threads;
          }
      }
    }
  set_num_threads(0);
}

TEST(LinearGemm, DeclinesWhatItDoesNotHandle) {
  const Weights w = make_weights(DType::q4_k, 4, 256, 1);
  const Weights f = make_weights(DType::f32, 4, 32, 2);
  std::vector<float> x(8 * 256, 0.5f), y(8 * 4);
  EXPECT_FALSE(linear_gemm(w.W, x.data(), 8, y.data(), nullptr));  // q4_k: dot path
  EXPECT_FALSE(linear_gemm(f.W, x.data(), 2, y.data(), nullptr));  // too few rows
  set_linear_gemm_enabled(false);
  EXPECT_FALSE(linear_gemm(f.W, x.data(), 8, y.data(), nullptr));
  set_linear_gemm_enabled(true);
  EXPECT_TRUE(linear_gemm(f.W, x.data(), 8, y.data(), nullptr));
}
