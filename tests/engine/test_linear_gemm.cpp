// linear()'s GEMM path (engine/linear_gemm.cpp) against its dot-product path,
// on awkward shapes, with and without bias, on 1 and 2 threads.
#include <gtest/gtest.h>

#include <algorithm>
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

// y = x · W^T through the GEMM (into gemm; false if it declines the shape) and
// through the tiled dot path (into dot).
bool gemm_and_dot(const Tensor& W, const float* x, int64_t M, float* gemm, float* dot, const float* bias = nullptr) {
  set_linear_gemm_enabled(true);
  if (!linear_gemm(W, x, M, gemm, bias)) return false;
  set_linear_gemm_enabled(false);
  linear(W, x, M, dot, bias);
  set_linear_gemm_enabled(true);
  return true;
}

TEST(LinearGemm, MatchesDotPath) {
  // Tolerance per output: f32/f16/bf16 1e-5 * sum_k |w x|; the q8_0-activation
  // types (q8_0, q4_0, q4_1, q5_0, q5_1) use the dot path's exact integer block
  // sums, only the f32 block accumulation order (and q4_1/q5_1's min product
  // rounding) differs: 1e-6 * sum_k (|w| + max_row |w|) |x| (w dequantized, x as
  // given; a block's |min| is at most the row's largest |w|).
  for (DType t : {DType::f32, DType::f16, DType::bf16, DType::q8_0, DType::q4_0, DType::q4_1, DType::q5_0,
                  DType::q5_1}) {
    const bool quant = t != DType::f32 && t != DType::f16 && t != DType::bf16;
    for (int64_t K : {32, 288}) {
      for (int64_t N : {1, 7, 13, 37}) {
        const Weights w = make_weights(t, N, K, 3 + uint32_t(N * K));
        const std::vector<float> wd = to_f32(w.W);
        const auto bias = test::random_floats(size_t(N), 9);
        for (int64_t M : {4, 13, 30}) {
          const auto x = test::random_floats(size_t(M * K), 5 + uint32_t(M), -2.f, 2.f);
          for (int threads : {1, 2}) {
            set_num_threads(threads);
            std::vector<float> got(size_t(M * N)), want(size_t(M * N));
            const float* b = (M % 2) ? bias.data() : nullptr;
            ASSERT_TRUE(gemm_and_dot(w.W, x.data(), M, got.data(), want.data(), b));
            for (int64_t m = 0; m < M; ++m)
              for (int64_t n = 0; n < N; ++n) {
                double mag = 0, wmax = 0;
                for (int64_t k = 0; k < K; ++k) wmax = std::max(wmax, std::fabs(double(wd[size_t(n * K + k)])));
                for (int64_t k = 0; k < K; ++k)
                  mag += (std::fabs(double(wd[size_t(n * K + k)])) + (quant ? wmax : 0.0)) * std::fabs(x[size_t(m * K + k)]);
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
        ASSERT_TRUE(gemm_and_dot(w.W, x.data(), M, got.data(), want.data()));
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

TEST(LinearGemm, QuantTypesMatchFloatReference) {
  // q4_k, q5_k and q6_k run on q8_0 activations here but on q8_K in the dot path, so
  // both are checked against the float product of the dequantized weights and
  // x, in double. Bound: activation rounding, |x - d_a q_a| <= 0.6 d_a per value
  // (d_a/2, plus f16 rounding of d_a times |q_a| <= 127), d_a = amax/127 of the
  // 32 values (q8_0; q8_K: of the 256 values, f32 scale, d_a/2), summed against
  // |w|, plus 1e-5 * sum_k |w x| for the f32 scale products. q5_0 at K = 5504
  // (not a multiple of 256) rides along.
  struct Case {
    DType t;
    int64_t K;
  };
  for (Case c : {Case{DType::q4_k, 256}, Case{DType::q4_k, 768}, Case{DType::q6_k, 256}, Case{DType::q6_k, 512},
                 Case{DType::q5_k, 512},
                 Case{DType::q5_0, 5504}}) {
    const int64_t K = c.K;
    for (int64_t N : {7, 37}) {
      const Weights w = make_weights(c.t, N, K, 23 + uint32_t(N * K));
      const std::vector<float> wd = to_f32(w.W);
      for (int64_t M : {4, 13}) {
        const auto x = test::random_floats(size_t(M * K), 29 + uint32_t(M), -2.f, 2.f);
        for (int threads : {1, 2}) {
          set_num_threads(threads);
          std::vector<float> got(size_t(M * N)), dot(size_t(M * N));
          ASSERT_TRUE(gemm_and_dot(w.W, x.data(), M, got.data(), dot.data()));
          for (int64_t m = 0; m < M; ++m) {
            const float* xm = x.data() + m * K;
            for (int64_t n = 0; n < N; ++n) {
              const float* wn = wd.data() + n * K;
              double ref = 0, mag = 0, err32 = 0, err256 = 0;
              for (int64_t b = 0; b < K; b += 32) {
                double amax = 0, sw = 0;
                for (int64_t k = b; k < b + 32; ++k) amax = std::max(amax, double(std::fabs(xm[k]))), sw += std::fabs(wn[k]);
                err32 += 0.6 * amax / 127 * sw;
              }
              for (int64_t b = 0; b < K; b += 256) {
                if (K % 256) break;
                double amax = 0, sw = 0;
                for (int64_t k = b; k < b + 256; ++k) amax = std::max(amax, double(std::fabs(xm[k]))), sw += std::fabs(wn[k]);
                err256 += 0.5 * amax / 127 * sw;
              }
              for (int64_t k = 0; k < K; ++k) ref += double(wn[k]) * xm[k], mag += std::fabs(double(wn[k]) * xm[k]);
              const size_t o = size_t(m * N + n);
              ASSERT_NEAR(got[o], ref, err32 + 1e-5 * mag + 1e-6)
                  << dtype_name(c.t) << " gemm M=" << M << " N=" << N << " K=" << K << " threads=" << threads;
              if (K % 256 == 0 && c.t != DType::q5_0) {
                ASSERT_NEAR(dot[o], ref, err256 + 1e-5 * mag + 1e-6)
                    << dtype_name(c.t) << " dot M=" << M << " N=" << N << " K=" << K << " threads=" << threads;
              }
            }
          }
        }
      }
    }
  }
  set_num_threads(0);
}

TEST(LinearGemm, DeclinesWhatItDoesNotHandle) {
  const Weights w = make_weights(DType::q8_k, 4, 256, 1);
  const Weights f = make_weights(DType::f32, 4, 32, 2);
  std::vector<float> x(8 * 256, 0.5f), y(8 * 4);
  EXPECT_FALSE(linear_gemm(w.W, x.data(), 8, y.data(), nullptr));  // q8_k (activation type): not a weight here
  EXPECT_FALSE(linear_gemm_takes(DType::i8_row, 8));                 // i8_row: dot path
  EXPECT_FALSE(linear_gemm(f.W, x.data(), 2, y.data(), nullptr));  // too few rows
  set_linear_gemm_enabled(false);
  EXPECT_FALSE(linear_gemm(f.W, x.data(), 8, y.data(), nullptr));
  set_linear_gemm_enabled(true);
  EXPECT_TRUE(linear_gemm(f.W, x.data(), 8, y.data(), nullptr));
}
