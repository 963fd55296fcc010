// Quantization kernels against GGUF's reference: fixed inputs must give exactly
// the bytes ggml's quantize_row_<t>_ref writes, and dequantization exactly
// ggml's floats (fixtures: tests/data/quant, made by tools/gen_quant_goldens.py
// from ggml's own library). Plus small hand-computed cases.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>

#include "kernels/common/quant_blocks.h"
#include "kernels/quant/quant.h"
#include "tests/test_util.h"

using namespace sprout;
using namespace sprout::kern;

namespace {

std::vector<uint8_t> read_file(const std::string& rel) {
  std::ifstream in(test::repo_path(rel), std::ios::binary);
  EXPECT_TRUE(in.good()) << rel;
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

std::vector<float> read_f32(const std::string& rel) {
  auto b = read_file(rel);
  std::vector<float> v(b.size() / 4);
  std::memcpy(v.data(), b.data(), v.size() * 4);
  return v;
}

struct QType {
  const char* name;
  void (*quantize)(const float*, int64_t, void*);
  void (*dequantize)(const void*, int64_t, float*);
  int block_elems, block_bytes;
};

const QType kTypes[] = {
    {"q8_0", quantize_q8_0, dequantize_q8_0, 32, 34},   {"q4_0", quantize_q4_0, dequantize_q4_0, 32, 18},
    {"q4_1", quantize_q4_1, dequantize_q4_1, 32, 20},   {"q5_0", quantize_q5_0, dequantize_q5_0, 32, 22},
    {"q5_1", quantize_q5_1, dequantize_q5_1, 32, 24},   {"q4_k", quantize_q4_K, dequantize_q4_K, 256, 144},
    {"q5_k", quantize_q5_K, dequantize_q5_K, 256, 176}, {"q6_k", quantize_q6_K, dequantize_q6_K, 256, 210},
    {"q8_k", quantize_q8_K, dequantize_q8_K, 256, 292}, {"f16", quantize_f16, dequantize_f16, 1, 2},
    {"bf16", quantize_bf16, dequantize_bf16, 1, 2},
};

}  // namespace

TEST(Quant, MatchesGgmlReferenceBytes) {
  const auto x = read_f32("tests/data/quant/input.f32");
  ASSERT_EQ(x.size(), 2048u);
  for (const QType& t : kTypes) {
    const auto want = read_file(std::string("tests/data/quant/") + t.name + ".bin");
    const size_t nbytes = x.size() / size_t(t.block_elems) * size_t(t.block_bytes);
    ASSERT_EQ(want.size(), nbytes) << t.name;
    std::vector<uint8_t> got(nbytes, 0);
    t.quantize(x.data(), int64_t(x.size()), got.data());
    size_t first_diff = nbytes;
    for (size_t i = 0; i < nbytes; ++i)
      if (got[i] != want[i]) { first_diff = i; break; }
    EXPECT_EQ(first_diff, nbytes) << t.name << ": first differing byte " << first_diff << " (block "
                                  << first_diff / size_t(t.block_bytes) << ")";
  }
}

TEST(Quant, DequantizeMatchesGgmlExactly) {
  for (const QType& t : kTypes) {
    const auto q = read_file(std::string("tests/data/quant/") + t.name + ".bin");
    const auto want = read_f32(std::string("tests/data/quant/") + t.name + ".deq.f32");
    ASSERT_EQ(want.size(), 2048u) << t.name;
    std::vector<float> got(2048);
    t.dequantize(q.data(), 2048, got.data());
    EXPECT_EQ(std::memcmp(got.data(), want.data(), 2048 * 4), 0) << t.name;
  }
}

TEST(Quant, Q8_0HandComputed) {
  // amax 127 -> d = 1; q = roundf(x): 2.5 -> 3, -2.5 -> -3 (ties away from zero).
  float x[32] = {127.f, 2.5f, -2.5f, 0.49f, -126.6f};
  block_q8_0 b;
  quantize_q8_0(x, 32, &b);
  EXPECT_EQ(b.d, 0x3c00);  // 1.0 in binary16
  EXPECT_EQ(b.qs[0], 127);
  EXPECT_EQ(b.qs[1], 3);
  EXPECT_EQ(b.qs[2], -3);
  EXPECT_EQ(b.qs[3], 0);
  EXPECT_EQ(b.qs[4], -127);
  EXPECT_EQ(b.qs[5], 0);
}

TEST(Quant, Q4_0HandComputed) {
  // max (signed, largest |x|) = -16 -> d = 2, id = 0.5; q = min(15, trunc(x/2 + 8.5)).
  float x[32] = {};
  x[0] = -16.f;  // -> 0
  x[1] = 14.f;   // 7 + 8.5 -> 15
  x[2] = 3.f;    // 1.5 + 8.5 = 10
  x[16] = 1.f;   // 0.5 + 8.5 = 9 (high nibble of byte 0)
  x[17] = 15.f;  // 7.5 + 8.5 = 16 -> clamped 15
  block_q4_0 b;
  quantize_q4_0(x, 32, &b);
  EXPECT_EQ(b.d, 0x4000);  // 2.0
  EXPECT_EQ(b.qs[0], 0x90);
  EXPECT_EQ(b.qs[1], 0xFF);
  EXPECT_EQ(b.qs[2], 0x8A);  // x[18] = 0 -> 8
  float y[32];
  dequantize_q4_0(&b, 32, y);
  EXPECT_EQ(y[0], -16.f);
  EXPECT_EQ(y[2], 4.f);
  EXPECT_EQ(y[17], 14.f);
}

TEST(Quant, NearestIntTiesToEven) {
  EXPECT_EQ(nearest_int(0.5f), 0);
  EXPECT_EQ(nearest_int(1.5f), 2);
  EXPECT_EQ(nearest_int(-2.5f), -2);
  EXPECT_EQ(nearest_int(-2.51f), -3);
  EXPECT_EQ(nearest_int(31.49f), 31);
}

TEST(Quant, KQuantRoundTripError) {
  // Not a reference check: the k-quants must reconstruct smooth data closely
  // (relative RMS error bounds well above what the formats achieve).
  auto x = test::random_floats(4 * 256, 99, -2.f, 2.f);
  struct { const QType* t; float max_rel_rms; } cases[] = {
      {&kTypes[5], 0.08f}, {&kTypes[6], 0.04f}, {&kTypes[7], 0.02f}, {&kTypes[8], 0.01f}};
  for (auto c : cases) {
    std::vector<uint8_t> q(4 * size_t(c.t->block_bytes));
    std::vector<float> y(x.size());
    c.t->quantize(x.data(), int64_t(x.size()), q.data());
    c.t->dequantize(q.data(), int64_t(x.size()), y.data());
    double e = 0, s = 0;
    for (size_t i = 0; i < x.size(); ++i) {
      e += double(y[i] - x[i]) * (y[i] - x[i]);
      s += double(x[i]) * x[i];
    }
    EXPECT_LT(std::sqrt(e / s), c.max_rel_rms) << c.t->name;
  }
}
