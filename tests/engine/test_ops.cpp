// engine/ops.h: threaded wrappers agree with the scalar kernels at sizes that
// trigger the parallel paths; RoPE, conv1d and embedding against independent
// straightforward references.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "engine/error.h"
#include "engine/ops.h"
#include "engine/quantize.h"
#include "engine/threads.h"
#include "kernels/act/act.h"
#include "kernels/common/fp16.h"
#include "kernels/norm/norm.h"
#include "kernels/softmax/softmax.h"
#include "tests/test_util.h"

using namespace sprout;

namespace {
double max_rel_to_max(const std::vector<float>& ref, const std::vector<float>& got) {
  double mx = 1e-30, d = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    mx = std::fmax(mx, std::fabs(ref[i]));
    d = std::fmax(d, std::fabs(double(ref[i]) - got[i]));
  }
  return d / mx;
}
}  // namespace

TEST(Ops, RowOpsThreadedMatchScalar) {
  set_num_threads(2);
  const int64_t rows = 37, n = 2053;  // rows * n above the parallel threshold
  auto x = test::random_floats(size_t(rows * n), 1, -4.f, 4.f);
  auto w = test::random_floats(size_t(n), 2), b = test::random_floats(size_t(n), 3);
  std::vector<float> got(x.size()), ref(x.size());
  ops::rmsnorm(x.data(), w.data(), 1e-6f, rows, n, got.data());
  for (int64_t r = 0; r < rows; ++r) kern::kNormScalar.rmsnorm(x.data() + r * n, w.data(), 1e-6f, int(n), ref.data() + r * n);
  EXPECT_LE(max_rel_to_max(ref, got), 3e-6);
  ops::layernorm(x.data(), w.data(), b.data(), 1e-5f, rows, n, got.data());
  for (int64_t r = 0; r < rows; ++r)
    kern::kNormScalar.layernorm(x.data() + r * n, w.data(), b.data(), 1e-5f, int(n), ref.data() + r * n);
  EXPECT_LE(max_rel_to_max(ref, got), 3e-6);
  got = x, ref = x;
  ops::softmax(got.data(), rows, n);
  for (int64_t r = 0; r < rows; ++r) kern::kSoftmaxScalar.softmax(ref.data() + r * n, int(n));
  EXPECT_LE(max_rel_to_max(ref, got), 3e-6);
  set_num_threads(0);
}

TEST(Ops, ElementwiseThreadedMatchScalar) {
  set_num_threads(2);
  const int64_t n = 100003;  // several chunks, odd tail
  auto a = test::random_floats(size_t(n), 4, -8.f, 8.f), b = test::random_floats(size_t(n), 5);
  std::vector<float> got = a, ref = a;
  ops::gelu_erf(got.data(), n);
  kern::kActScalar.gelu_erf(ref.data(), int(n));
  EXPECT_LE(max_rel_to_max(ref, got), 1e-6);
  got = a, ref = a;
  ops::silu(got.data(), n);
  kern::kActScalar.silu(ref.data(), int(n));
  EXPECT_LE(max_rel_to_max(ref, got), 1e-6);
  got = a, ref = a;
  ops::gelu_tanh(got.data(), n);
  kern::kActScalar.gelu_tanh(ref.data(), int(n));
  EXPECT_LE(max_rel_to_max(ref, got), 1e-6);
  got = a;
  ops::relu(got.data(), n);
  for (int64_t i = 0; i < n; ++i) ASSERT_EQ(got[size_t(i)], std::max(a[size_t(i)], 0.f));
  ops::swiglu(a.data(), b.data(), n, got.data());
  kern::kActScalar.swiglu(a.data(), b.data(), int(n), ref.data());
  EXPECT_LE(max_rel_to_max(ref, got), 1e-6);
  ops::add(a.data(), b.data(), n, got.data());
  for (int64_t i = 0; i < n; ++i) ASSERT_EQ(got[size_t(i)], a[size_t(i)] + b[size_t(i)]);
  ops::mul(a.data(), b.data(), n, got.data());
  for (int64_t i = 0; i < n; ++i) ASSERT_EQ(got[size_t(i)], a[size_t(i)] * b[size_t(i)]);
  got = a;
  ops::scale(got.data(), 0.125f, n);
  for (int64_t i = 0; i < n; ++i) ASSERT_EQ(got[size_t(i)], a[size_t(i)] * 0.125f);
  set_num_threads(0);
}

// HF apply_rotary_pos_emb in double: rotate_half pairs (i, i + d/2), interleaved (2i, 2i+1).
TEST(Ops, RopeMatchesReference) {
  const int64_t tokens = 5, heads = 3, hd = 64;
  const int32_t pos[5] = {0, 1, 7, 100, 4095};
  const float theta = 1000000.f;
  for (auto layout : {ops::RopeLayout::rotate_half, ops::RopeLayout::interleaved}) {
    auto x = test::random_floats(size_t(tokens * heads * hd), 6);
    auto got = x;
    ops::rope(got.data(), tokens, heads, hd, pos, theta, layout);
    for (int64_t t = 0; t < tokens; ++t)
      for (int64_t h = 0; h < heads; ++h)
        for (int64_t i = 0; i < hd / 2; ++i) {
          const double inv = 1.0 / std::pow(double(theta), double(2 * i) / double(hd));
          const double ang = double(pos[t]) * inv, c = std::cos(ang), s = std::sin(ang);
          const int64_t base = (t * heads + h) * hd;
          const int64_t ia = layout == ops::RopeLayout::rotate_half ? i : 2 * i;
          const int64_t ib = layout == ops::RopeLayout::rotate_half ? i + hd / 2 : 2 * i + 1;
          const double a = x[size_t(base + ia)], b = x[size_t(base + ib)];
          // f32 angles (as HF) at position 4095 differ from double by ~2e-4 rad.
          EXPECT_NEAR(got[size_t(base + ia)], a * c - b * s, 1e-3) << t << " " << h << " " << i;
          EXPECT_NEAR(got[size_t(base + ib)], b * c + a * s, 1e-3) << t << " " << h << " " << i;
        }
    // Position 0 is the identity.
    for (int64_t j = 0; j < heads * hd; ++j) EXPECT_EQ(got[size_t(j)], x[size_t(j)]);
  }
  float odd[3] = {};
  EXPECT_THROW(ops::rope(odd, 1, 1, 3, pos, theta, ops::RopeLayout::rotate_half), Error);
}

TEST(Ops, EmbeddingDtypesAndBadIds) {
  const int64_t vocab = 7, dim = 19;
  auto tab = test::random_floats(size_t(vocab * dim), 7);
  std::vector<kern::f16_t> tab16(tab.size());
  std::vector<kern::bf16_t> tabbf(tab.size());
  for (size_t i = 0; i < tab.size(); ++i) tab16[i] = kern::f32_to_f16(tab[i]), tabbf[i] = kern::f32_to_bf16(tab[i]);
  const int32_t ids[4] = {3, 0, 6, 3};
  std::vector<float> out(static_cast<size_t>(4 * dim));
  ops::embedding(make_tensor(DType::f32, {vocab, dim}, tab.data()), ids, 4, out.data());
  for (int r = 0; r < 4; ++r)
    for (int64_t j = 0; j < dim; ++j) ASSERT_EQ(out[size_t(r * dim + j)], tab[size_t(ids[r] * dim + j)]);
  ops::embedding(make_tensor(DType::f16, {vocab, dim}, tab16.data()), ids, 4, out.data());
  for (int r = 0; r < 4; ++r)
    for (int64_t j = 0; j < dim; ++j)
      ASSERT_EQ(out[size_t(r * dim + j)], kern::f16_to_f32(tab16[size_t(ids[r] * dim + j)]));
  ops::embedding(make_tensor(DType::bf16, {vocab, dim}, tabbf.data()), ids, 4, out.data());
  for (int r = 0; r < 4; ++r)
    for (int64_t j = 0; j < dim; ++j)
      ASSERT_EQ(out[size_t(r * dim + j)], kern::bf16_to_f32(tabbf[size_t(ids[r] * dim + j)]));
  const int32_t bad[2] = {1, 7}, neg[1] = {-1};
  const Tensor t = make_tensor(DType::f32, {vocab, dim}, tab.data());
  EXPECT_THROW(ops::embedding(t, bad, 2, out.data()), Error);
  EXPECT_THROW(ops::embedding(t, neg, 1, out.data()), Error);
}

// Block-quantized and i8_row tables: each looked-up row equals the dequantized row.
TEST(Ops, EmbeddingQuantizedTables) {
  const int64_t vocab = 5, dim = 512;  // a whole number of q8_0 / q4_0 / k-quant blocks
  auto tab = test::random_floats(size_t(vocab * dim), 31);
  const int32_t ids[3] = {4, 1, 4};
  for (DType dt : {DType::q8_0, DType::q4_0, DType::q4_k, DType::q6_k}) {
    const uint64_t rb = *row_bytes(dt, uint64_t(dim));
    std::vector<uint8_t> q(size_t(rb * vocab));
    for (int64_t r = 0; r < vocab; ++r) quantize_row(dt, tab.data() + r * dim, dim, q.data() + r * rb);
    std::vector<float> out(static_cast<size_t>(3 * dim)), ref(static_cast<size_t>(dim));
    ops::embedding(make_tensor(dt, {vocab, dim}, q.data()), ids, 3, out.data());
    for (int r = 0; r < 3; ++r) {
      dequantize_row(dt, q.data() + size_t(ids[r]) * rb, dim, ref.data());
      for (int64_t j = 0; j < dim; ++j) ASSERT_EQ(out[size_t(r * dim + j)], ref[size_t(j)]) << dtype_name(dt);
    }
  }
  std::vector<int8_t> q8(size_t(vocab * dim));
  std::vector<float> scales(static_cast<size_t>(vocab));
  for (int64_t r = 0; r < vocab; ++r) scales[size_t(r)] = quantize_row_i8(tab.data() + r * dim, dim, q8.data() + r * dim);
  Tensor t = make_tensor(DType::i8_row, {vocab, dim}, q8.data());
  t.row_scale = scales.data();
  std::vector<float> out(static_cast<size_t>(3 * dim));
  ops::embedding(t, ids, 3, out.data());
  for (int r = 0; r < 3; ++r)
    for (int64_t j = 0; j < dim; ++j)
      ASSERT_EQ(out[size_t(r * dim + j)], float(q8[size_t(ids[r] * dim + j)]) * scales[size_t(ids[r])]);
}

// torch.nn.Conv1d(Cin, Cout, k, padding=k//2) written out as loops in double.
TEST(Ops, Conv1dMatchesReference) {
  set_num_threads(2);
  for (int64_t k : {1, 3, 5}) {
    const int64_t T = 50, Cin = 14, Cout = 24;
    auto x = test::random_floats(size_t(T * Cin), 8), w = test::random_floats(size_t(Cout * Cin * k), 9);
    auto b = test::random_floats(size_t(Cout), 10);
    std::vector<float> y(static_cast<size_t>(T * Cout));
    ops::conv1d(x.data(), T, Cin, w.data(), b.data(), Cout, k, y.data());
    for (int64_t t = 0; t < T; ++t)
      for (int64_t o = 0; o < Cout; ++o) {
        double acc = b[size_t(o)];
        for (int64_t c = 0; c < Cin; ++c)
          for (int64_t j = 0; j < k; ++j) {
            const int64_t ts = t + j - k / 2;
            if (ts >= 0 && ts < T) acc += double(x[size_t(ts * Cin + c)]) * w[size_t((o * Cin + c) * k + j)];
          }
        ASSERT_NEAR(y[size_t(t * Cout + o)], acc, 2e-5) << "k=" << k << " t=" << t << " o=" << o;
      }
  }
  float dummy[4] = {};
  EXPECT_THROW(ops::conv1d(dummy, 1, 1, dummy, nullptr, 1, 2, dummy), Error);
  set_num_threads(0);
}

// PyTorch LSTMCell: gates in (i, f, g, o) order.
TEST(Ops, LstmCellMatchesReference) {
  const int64_t H = 37;
  auto g = test::random_floats(size_t(4 * H), 11, -3.f, 3.f), c = test::random_floats(size_t(H), 12);
  auto c2 = c;
  std::vector<float> h(static_cast<size_t>(H));
  ops::lstm_cell(g.data(), c2.data(), h.data(), H);
  auto sig = [](double v) { return 1 / (1 + std::exp(-v)); };
  for (int64_t j = 0; j < H; ++j) {
    const double cn = sig(g[size_t(H + j)]) * c[size_t(j)] + sig(g[size_t(j)]) * std::tanh(double(g[size_t(2 * H + j)]));
    EXPECT_NEAR(c2[size_t(j)], cn, 1e-6);
    EXPECT_NEAR(h[size_t(j)], sig(g[size_t(3 * H + j)]) * std::tanh(cn), 1e-6);
  }
}
