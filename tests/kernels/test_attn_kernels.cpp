#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "kernels/attn/attn.h"
#include "kernels/quant/quant.h"
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

// Multi-key kernels: the scalar scores are the scalar dot times scale, key by key;
// the scalar weighted sum on a hand-computed case (and it overwrites out).
TEST(AttnKernels, ScalarMultiKeyHandComputed) {
  // Two keys of hd 2, rows 3 elements apart (stride > hd).
  const float q[2] = {1, 2}, K[5] = {3, 4, 99, -1, 5};
  float s[2];
  kAttnScalar.scores_f32(q, K, 3, 2, 2, 0.5f, s);
  EXPECT_EQ(s[0], 5.5f);  // (3 + 8) / 2
  EXPECT_EQ(s[1], 4.5f);  // (-1 + 10) / 2
  const f16_t Kh[5] = {f32_to_f16(3), f32_to_f16(4), f32_to_f16(99), f32_to_f16(-1), f32_to_f16(5)};
  kAttnScalar.scores_f16(q, Kh, 3, 2, 2, 0.5f, s);
  EXPECT_EQ(s[0], 5.5f);
  EXPECT_EQ(s[1], 4.5f);
  const float p[2] = {0.25f, 0.75f};
  float out[2] = {NAN, NAN};
  kAttnScalar.weighted_sum_f32(p, K, 3, 2, 2, out);
  EXPECT_EQ(out[0], 0.f);     // 0.75 - 0.75
  EXPECT_EQ(out[1], 4.75f);   // 1 + 3.75
  kAttnScalar.weighted_sum_f16(p, Kh, 3, 2, 2, out);
  EXPECT_EQ(out[1], 4.75f);
  kAttnScalar.weighted_sum_f32(p, K, 3, 0, 2, out);  // no keys: zeros
  EXPECT_EQ(out[0], 0.f);
  EXPECT_EQ(out[1], 0.f);
}

// Every ISA against the scalar oracle over odd key counts (group tails), head
// dims that are not multiples of the vector width or of the column blocks, and
// strides larger than hd. Tolerances: scores 1e-6 * scale * sum_i |q_i k_i| (f32
// accumulators vs the double oracle); weighted sums (n_keys + 1) * 2^-23 *
// sum_j |p_j v_jd| per column (f32 FMA over the keys in order vs double).
TEST(AttnKernels, MultiKeySimdMatchesScalar) {
  const float scale = 0.0884f;
  for (Isa isa : test::simd_isas()) {
    const AttnKernels& k = attn_kernels(isa);
    for (int hd : {1, 4, 7, 8, 17, 33, 64, 80, 96, 100, 128}) {
      for (int64_t stride : {int64_t(hd), int64_t(hd) + 5, int64_t(hd) * 4}) {
        for (int n : {0, 1, 2, 3, 5, 7, 8, 9, 12, 13, 17, 31, 40, 130}) {
          const std::string at = std::string(isa_name(isa)) + " hd=" + std::to_string(hd) +
                                 " stride=" + std::to_string(stride) + " n=" + std::to_string(n);
          const size_t len = size_t(std::max<int64_t>(int64_t(n - 1) * stride + hd, 0));
          const uint32_t seed = uint32_t(hd * 1000 + n) + uint32_t(stride);
          auto q = test::random_floats(size_t(hd), seed), kv = test::random_floats(len, seed + 1);
          auto p = test::random_floats(size_t(n), seed + 2);
          std::vector<f16_t> kvh(len);
          kAttnScalar.to_f16(kv.data(), int(len), kvh.data());
          std::vector<float> kvr(len);  // the f16 rows as f32, for the magnitudes
          kAttnScalar.from_f16(kvh.data(), int(len), kvr.data());
          for (int half = 0; half < 2; ++half) {
            const float* rows = half ? kvr.data() : kv.data();
            std::vector<float> s_ref(size_t(n) + 1, NAN), s(size_t(n) + 1, NAN);
            std::vector<float> o_ref(size_t(hd) + 1, NAN), o(size_t(hd) + 1, NAN);
            if (half) {
              kAttnScalar.scores_f16(q.data(), kvh.data(), stride, n, hd, scale, s_ref.data());
              k.scores_f16(q.data(), kvh.data(), stride, n, hd, scale, s.data());
              kAttnScalar.weighted_sum_f16(p.data(), kvh.data(), stride, n, hd, o_ref.data());
              k.weighted_sum_f16(p.data(), kvh.data(), stride, n, hd, o.data());
            } else {
              kAttnScalar.scores_f32(q.data(), kv.data(), stride, n, hd, scale, s_ref.data());
              k.scores_f32(q.data(), kv.data(), stride, n, hd, scale, s.data());
              kAttnScalar.weighted_sum_f32(p.data(), kv.data(), stride, n, hd, o_ref.data());
              k.weighted_sum_f32(p.data(), kv.data(), stride, n, hd, o.data());
            }
            for (int j = 0; j < n; ++j) {
              double mag = 0;
              for (int i = 0; i < hd; ++i) mag += std::fabs(double(q[size_t(i)]) * rows[j * stride + i]);
              EXPECT_NEAR(s[size_t(j)], s_ref[size_t(j)], 1e-6 * scale * mag + 1e-30)
                  << at << " f16=" << half << " j=" << j;
            }
            EXPECT_TRUE(std::isnan(s[size_t(n)])) << at << " wrote past n_keys";
            for (int d = 0; d < hd; ++d) {
              double mag = 0;
              for (int j = 0; j < n; ++j) mag += std::fabs(double(p[size_t(j)]) * rows[j * stride + d]);
              EXPECT_NEAR(o[size_t(d)], o_ref[size_t(d)], (n + 1) * std::ldexp(mag, -23) + 1e-30)
                  << at << " f16=" << half << " d=" << d;
            }
            EXPECT_TRUE(std::isnan(o[size_t(hd)])) << at << " wrote past hd";
          }
        }
      }
    }
  }
}

// q8_0 rows (random values quantized by GGUF's reference rounding, strides in blocks).
namespace {
std::vector<block_q8_0> q8_rows(size_t blocks, uint32_t seed) {
  auto x = test::random_floats(blocks * QK8_0, seed);
  for (size_t i = 0; i < x.size(); i += 61) x[i] *= 9.f;  // a few outliers, so blocks get different scales
  std::vector<block_q8_0> b(blocks);
  quantize_q8_0(x.data(), int64_t(x.size()), b.data());
  return b;
}

// How far the AVX2 weighted sum's column c may move from the f32 sum: half its int16
// weight step, max_j |p_j d_j| / 32767, times sum_j |q_jc| (kernels/attn/attn.h).
double int16_weight_bound(const std::vector<block_q8_0>& rows, const float* p, int64_t stride, int n, int c) {
  double wmax = 0, qsum = 0;
  for (int j = 0; j < n; ++j) {
    const block_q8_0& blk = rows[size_t(j * stride + c / QK8_0)];
    wmax = std::max(wmax, std::fabs(double(p[j]) * f16_to_f32(blk.d)));
    qsum += std::abs(int(blk.qs[c % QK8_0]));
  }
  return 0.5 * wmax / 32767 * qsum;
}
}  // namespace

// The scalar q8_0 kernels are the f32 ones on the dequantized rows: every d * q is
// exact in f32, so scores and weighted sums agree bit for bit, and from_q8_0 is
// GGUF's dequantize_row_q8_0.
TEST(AttnKernels, ScalarQ8IsF32OnDequantizedRows) {
  const int hd = 96, n = 7;
  const int64_t stride = 5;  // blocks per row (hd / 32 = 3 used)
  const auto rows = q8_rows(size_t(n) * size_t(stride), 11);
  std::vector<float> deq(rows.size() * QK8_0), ref(rows.size() * QK8_0);
  kAttnScalar.from_q8_0(rows.data(), int(deq.size()), deq.data());
  dequantize_q8_0(rows.data(), int64_t(ref.size()), ref.data());
  EXPECT_EQ(deq, ref);
  const auto q = test::random_floats(hd, 12), p = test::random_floats(n, 13);
  std::vector<float> s(n), s_ref(n), o(hd), o_ref(hd);
  kAttnScalar.scores_q8_0(q.data(), rows.data(), stride, n, hd, 0.125f, s.data());
  kAttnScalar.scores_f32(q.data(), deq.data(), stride * QK8_0, n, hd, 0.125f, s_ref.data());
  EXPECT_EQ(s, s_ref);
  kAttnScalar.weighted_sum_q8_0(p.data(), rows.data(), stride, n, hd, o.data());
  kAttnScalar.weighted_sum_f32(p.data(), deq.data(), stride * QK8_0, n, hd, o_ref.data());
  EXPECT_EQ(o, o_ref);
  kAttnScalar.weighted_sum_q8_0(p.data(), rows.data(), stride, 0, hd, o.data());  // no keys: zeros
  EXPECT_EQ(o, std::vector<float>(hd, 0.f));
}

// Every ISA against the scalar oracle, bounds as in MultiKeySimdMatchesScalar
// (magnitudes from the dequantized rows); from_q8_0 bit for bit. The AVX2 weighted
// sum rounds each key's weight p_j * d_j to int16 on a step of at most
// max_j |p_j d_j| / 32767 per block of columns (kernels/attn/attn.h), so its bound
// adds half that step times sum_j |q_jc| per column.
TEST(AttnKernels, MultiKeyQ8SimdMatchesScalar) {
  const float scale = 0.0884f;
  for (Isa isa : test::simd_isas()) {
    const AttnKernels& k = attn_kernels(isa);
    for (int hd : {32, 64, 96, 128, 160}) {
      const int nb = hd / QK8_0;
      for (int64_t stride : {int64_t(nb), int64_t(nb) + 1, int64_t(nb) * 4}) {
        for (int n : {0, 1, 3, 4, 5, 8, 9, 13, 17, 40, 130}) {
          const std::string at = std::string(isa_name(isa)) + " hd=" + std::to_string(hd) +
                                 " stride=" + std::to_string(stride) + " n=" + std::to_string(n);
          const size_t blocks = size_t(std::max<int64_t>(int64_t(n - 1) * stride + nb, 0));
          const uint32_t seed = uint32_t(hd * 1000 + n) + uint32_t(stride);
          const auto rows = q8_rows(blocks, seed);
          const auto q = test::random_floats(size_t(hd), seed + 1), p = test::random_floats(size_t(n), seed + 2);
          std::vector<float> deq(blocks * QK8_0), deq_simd(blocks * QK8_0);
          kAttnScalar.from_q8_0(rows.data(), int(deq.size()), deq.data());
          k.from_q8_0(rows.data(), int(deq.size()), deq_simd.data());
          EXPECT_EQ(deq_simd, deq) << at << " from_q8_0";
          std::vector<float> s_ref(size_t(n) + 1, NAN), s(size_t(n) + 1, NAN);
          std::vector<float> o_ref(size_t(hd) + 1, NAN), o(size_t(hd) + 1, NAN);
          kAttnScalar.scores_q8_0(q.data(), rows.data(), stride, n, hd, scale, s_ref.data());
          k.scores_q8_0(q.data(), rows.data(), stride, n, hd, scale, s.data());
          kAttnScalar.weighted_sum_q8_0(p.data(), rows.data(), stride, n, hd, o_ref.data());
          k.weighted_sum_q8_0(p.data(), rows.data(), stride, n, hd, o.data());
          const int64_t es = stride * QK8_0;
          for (int j = 0; j < n; ++j) {
            double mag = 0;
            for (int i = 0; i < hd; ++i) mag += std::fabs(double(q[size_t(i)]) * deq[size_t(j * es + i)]);
            EXPECT_NEAR(s[size_t(j)], s_ref[size_t(j)], 1e-6 * scale * mag + 1e-30) << at << " j=" << j;
          }
          EXPECT_TRUE(std::isnan(s[size_t(n)])) << at << " wrote past n_keys";
          for (int d = 0; d < hd; ++d) {
            double mag = 0;
            for (int j = 0; j < n; ++j) mag += std::fabs(double(p[size_t(j)]) * deq[size_t(j * es + d)]);
            const double bound =
                (n + 1) * std::ldexp(mag, -23) + int16_weight_bound(rows, p.data(), stride, n, d) + 1e-30;
            EXPECT_NEAR(o[size_t(d)], o_ref[size_t(d)], bound) << at << " d=" << d;
          }
          EXPECT_TRUE(std::isnan(o[size_t(hd)])) << at << " wrote past hd";
        }
      }
    }
  }
}

// A block whose scale is not finite (an f16 inf): every ISA gives what the oracle
// gives there (inf or NaN through p * d * q; AVX2 falls back from int16 weights to
// f32 for that block), and the other blocks are unaffected.
TEST(AttnKernels, Q8NonFiniteScaleMatchesScalar) {
  const int hd = 64, n = 20;
  auto rows = q8_rows(size_t(n) * 2, 77);
  rows[2 * 5 + 1].d = 0x7C00;  // key 5, second block: +inf
  auto p = test::random_floats(size_t(n), 78, 0.f, 1.f);
  for (Isa isa : test::simd_isas()) {
    std::vector<float> o(hd), o_ref(hd);
    kAttnScalar.weighted_sum_q8_0(p.data(), rows.data(), 2, n, hd, o_ref.data());
    attn_kernels(isa).weighted_sum_q8_0(p.data(), rows.data(), 2, n, hd, o.data());
    for (int d = 0; d < hd; ++d) {
      if (d < 32) {
        EXPECT_TRUE(std::isfinite(o[size_t(d)])) << isa_name(isa) << " d=" << d;
        EXPECT_NEAR(o[size_t(d)], o_ref[size_t(d)], int16_weight_bound(rows, p.data(), 2, n, d) + 1e-5)
            << isa_name(isa) << " d=" << d;
      } else {
        EXPECT_FALSE(std::isfinite(o[size_t(d)])) << isa_name(isa) << " d=" << d;
        EXPECT_EQ(std::isnan(o[size_t(d)]), std::isnan(o_ref[size_t(d)])) << isa_name(isa) << " d=" << d;
      }
    }
  }
}
