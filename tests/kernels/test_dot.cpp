// Dot-product kernels (kernels/dot/dot.h).
//  - The scalar oracle equals the double-precision dot of the dequantized weight
//    row with the dequantized activation row (checks the block arithmetic).
//  - Every SIMD table equals the scalar one on random data, 1 block to many.
//  - SIMD activation quantizers write exactly the scalar bytes.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "kernels/common/quant_blocks.h"
#include "kernels/dot/dot.h"
#include "kernels/quant/quant.h"
#include "tests/test_util.h"

using namespace sprout;
using namespace sprout::kern;

namespace {

struct WType {
  const char* name;
  WeightFormat f;
  int block;  // values per block
  void (*quantize)(const float*, int64_t, void*);
  void (*dequantize)(const void*, int64_t, float*);
  int block_bytes;
};

void q_f32(const float* x, int64_t n, void* o) { std::memcpy(o, x, size_t(n) * 4); }
void d_f32(const void* x, int64_t n, float* o) { std::memcpy(o, x, size_t(n) * 4); }
void q_i8(const float* x, int64_t n, void* o) {  // per-row int8 weights, scale dropped
  float amax = 0;
  for (int64_t i = 0; i < n; ++i) amax = std::fmax(amax, std::fabs(x[i]));
  for (int64_t i = 0; i < n; ++i) static_cast<int8_t*>(o)[i] = int8_t(std::lround(x[i] * 127.f / amax));
}
void d_i8(const void* x, int64_t n, float* o) {
  for (int64_t i = 0; i < n; ++i) o[i] = static_cast<const int8_t*>(x)[i];
}

const WType kTypes[] = {
    {"f32", WeightFormat::f32, 1, q_f32, d_f32, 4},
    {"f16", WeightFormat::f16, 1, quantize_f16, dequantize_f16, 2},
    {"bf16", WeightFormat::bf16, 1, quantize_bf16, dequantize_bf16, 2},
    {"q8_0", WeightFormat::q8_0, 32, quantize_q8_0, dequantize_q8_0, 34},
    {"q4_0", WeightFormat::q4_0, 32, quantize_q4_0, dequantize_q4_0, 18},
    {"q4_1", WeightFormat::q4_1, 32, quantize_q4_1, dequantize_q4_1, 20},
    {"q5_0", WeightFormat::q5_0, 32, quantize_q5_0, dequantize_q5_0, 22},
    {"q5_1", WeightFormat::q5_1, 32, quantize_q5_1, dequantize_q5_1, 24},
    {"q4_K", WeightFormat::q4_K, 256, quantize_q4_K, dequantize_q4_K, 144},
    {"q5_K", WeightFormat::q5_K, 256, quantize_q5_K, dequantize_q5_K, 176},
    {"q6_K", WeightFormat::q6_K, 256, quantize_q6_K, dequantize_q6_K, 210},
    {"i8", WeightFormat::i8, 1, q_i8, d_i8, 1},
};

// Sizes in values: 1 block, a few, many; plus awkward sizes for per-value formats.
std::vector<int> sizes_for(const WType& t) {
  if (t.block == 1) return test::awkward_sizes();
  std::vector<int> s;
  for (int b : {1, 2, 3, 5, 8, 13, 64}) s.push_back(b * t.block);
  return s;
}

// An activation row in the kernel's format, plus its dequantized values.
struct Act {
  std::vector<uint8_t> bytes;
  std::vector<float> deq;
};

Act make_act(const DotKernels& k, WeightFormat wf, const std::vector<float>& x) {
  const int n = int(x.size());
  Act a;
  a.deq.resize(x.size());
  switch (act_format(wf)) {
    case ActFormat::f32:
      a.bytes.resize(x.size() * 4);
      std::memcpy(a.bytes.data(), x.data(), a.bytes.size());
      a.deq = x;
      break;
    case ActFormat::q8_0:
      a.bytes.resize(act_row_bytes(ActFormat::q8_0, n));
      k.quantize_q8_0(x.data(), n, a.bytes.data());
      dequantize_q8_0(q8_0_row(a.bytes.data(), n).b, n, a.deq.data());
      break;
    case ActFormat::q8_K:
      a.bytes.resize(act_row_bytes(ActFormat::q8_K, n));
      k.quantize_q8_K(x.data(), n, a.bytes.data());
      dequantize_q8_K(a.bytes.data(), n, a.deq.data());
      break;
    case ActFormat::i8:
      a.bytes.resize(size_t(n));
      k.quantize_i8(x.data(), n, reinterpret_cast<int8_t*>(a.bytes.data()));
      for (int i = 0; i < n; ++i) a.deq[size_t(i)] = float(int8_t(a.bytes[size_t(i)]));
      break;
  }
  return a;
}

// A weight row of n random values in [-1, 1) quantized to t, and its dequantized values.
struct WRow {
  std::vector<uint8_t> bytes;
  std::vector<float> deq;
};

WRow make_weight(const WType& t, int n, uint32_t seed) {
  auto wf = test::random_floats(size_t(n), seed, -1.f, 1.f);
  WRow w{std::vector<uint8_t>(size_t(n / t.block * t.block_bytes)), std::vector<float>(size_t(n))};
  t.quantize(wf.data(), n, w.bytes.data());
  t.dequantize(w.bytes.data(), n, w.deq.data());
  return w;
}

// sum_i |w_i a_i| in double: the scale of the tolerances below.
double abs_terms(const float* w, const std::vector<float>& a) {
  double mag = 0;
  for (size_t i = 0; i < a.size(); ++i) mag += std::fabs(double(w[i]) * a[i]);
  return mag;
}

}  // namespace

TEST(Dot, ScalarEqualsDequantizedDot) {
  // Tolerance: 2e-6 * sum |w_i a_i| (f32 accumulation across blocks; integer within).
  for (const WType& t : kTypes) {
    for (int n : sizes_for(t)) {
      const WRow w = make_weight(t, n, 7 + uint32_t(n));
      const Act a = make_act(kDotScalar, t.f, test::random_floats(size_t(n), 11 + uint32_t(n), -2.f, 2.f));
      double want = 0;
      for (int i = 0; i < n; ++i) want += double(w.deq[size_t(i)]) * a.deq[size_t(i)];
      const float got = kDotScalar.dot[int(t.f)](n, w.bytes.data(), a.bytes.data());
      EXPECT_NEAR(got, want, 2e-6 * abs_terms(w.deq.data(), a.deq) + 1e-30) << t.name << " n=" << n;
    }
  }
}

TEST(Dot, SimdMatchesScalar) {
  // Tolerance: 2e-6 * sum |terms| (only the order of f32 additions differs).
  for (Isa isa : test::simd_isas()) {
    const DotKernels& k = dot_kernels(isa);
    for (const WType& t : kTypes) {
      for (int n : sizes_for(t)) {
        const WRow w = make_weight(t, n, 3 + uint32_t(n));
        const Act a = make_act(kDotScalar, t.f, test::random_floats(size_t(n), 5 + uint32_t(n), -3.f, 3.f));
        const float want = kDotScalar.dot[int(t.f)](n, w.bytes.data(), a.bytes.data());
        const float got = k.dot[int(t.f)](n, w.bytes.data(), a.bytes.data());
        EXPECT_NEAR(got, want, 2e-6 * abs_terms(w.deq.data(), a.deq) + 1e-30)
            << isa_name(isa) << " " << t.name << " n=" << n;
      }
    }
  }
}

TEST(Dot, TwoRowKernelsMatchScalarDotPerRow) {
  // dot2 (two weight rows, one activation row) against the scalar dot of each row
  // (tolerance 2e-6 * sum |terms| per row: only the f32 summation order differs)
  // and against the same ISA's dot (exactly).
  int checked = 0;
  for (Isa isa : test::simd_isas()) {
    const DotKernels& k = dot_kernels(isa);
    for (const WType& t : kTypes) {
      const Dot2Fn dot2 = k.dot2[int(t.f)];
      if (!dot2) continue;
      for (int n : sizes_for(t)) {
        const WRow w[2] = {make_weight(t, n, 11 + uint32_t(n)), make_weight(t, n, 18 + uint32_t(n))};
        const Act a = make_act(kDotScalar, t.f, test::random_floats(size_t(n), 13 + uint32_t(n), -3.f, 3.f));
        float got[2] = {-1.f, -1.f};
        dot2(n, w[0].bytes.data(), w[1].bytes.data(), a.bytes.data(), got);
        for (int r = 0; r < 2; ++r) {
          const float want = kDotScalar.dot[int(t.f)](n, w[r].bytes.data(), a.bytes.data());
          EXPECT_NEAR(got[r], want, 2e-6 * abs_terms(w[r].deq.data(), a.deq) + 1e-30)
              << isa_name(isa) << " " << t.name << " n=" << n << " row " << r;
          // Bit-identical to the same ISA's one-row kernel: a GEMV's output must not
          // depend on which rows were paired.
          EXPECT_EQ(got[r], k.dot[int(t.f)](n, w[r].bytes.data(), a.bytes.data()))
              << isa_name(isa) << " " << t.name << " n=" << n << " row " << r;
        }
        ++checked;
      }
    }
  }
#if defined(__x86_64__)
  if (kern::isa_supported(Isa::avx2)) {
    EXPECT_GT(checked, 0) << "AVX2 provides dot2 kernels";
  }
#endif
}

TEST(Dot, SimdActivationQuantizersMatchScalarBytes) {
  for (Isa isa : test::simd_isas()) {
    const DotKernels& k = dot_kernels(isa);
    for (int blocks : {1, 2, 7, 16}) {
      const int n8 = 32 * blocks, nk = 256 * blocks;
      auto x = test::random_floats(size_t(nk), 17 + uint32_t(blocks), -4.f, 4.f);
      x[3] = 0.5f * 4.f;  // exact ties exercise the rounding rule
      for (int i = 0; i < 32; ++i) x[size_t(64 + i)] = float(i - 16) + 0.5f;
      x[64] = 127.f;
      std::vector<uint8_t> a(act_row_bytes(ActFormat::q8_K, nk)), b(a.size());
      kDotScalar.quantize_q8_0(x.data(), n8, a.data());
      k.quantize_q8_0(x.data(), n8, b.data());
      EXPECT_EQ(std::memcmp(a.data(), b.data(), act_row_bytes(ActFormat::q8_0, n8)), 0) << isa_name(isa) << " q8_0";
      kDotScalar.quantize_q8_K(x.data(), nk, a.data());
      k.quantize_q8_K(x.data(), nk, b.data());
      EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size()), 0) << isa_name(isa) << " q8_K";
    }
    for (int n : test::awkward_sizes()) {
      auto x = test::random_floats(size_t(n), 23 + uint32_t(n), -4.f, 4.f);
      std::vector<int8_t> a(static_cast<size_t>(n)), b(static_cast<size_t>(n));
      const float sa = kDotScalar.quantize_i8(x.data(), n, a.data());
      const float sb = k.quantize_i8(x.data(), n, b.data());
      EXPECT_EQ(sa, sb);
      EXPECT_EQ(std::memcmp(a.data(), b.data(), size_t(n)), 0) << isa_name(isa) << " i8 n=" << n;
    }
  }
}

TEST(Dot, ZeroAndConstantBlocks) {
  // All-zero activations give exactly 0 for every weight type and ISA.
  for (Isa isa : test::simd_isas()) {
    const DotKernels& k = dot_kernels(isa);
    for (const WType& t : kTypes) {
      const int n = t.block == 1 ? 40 : 2 * t.block;
      const WRow w = make_weight(t, n, 1);
      const Act a = make_act(k, t.f, std::vector<float>(size_t(n), 0.f));
      EXPECT_EQ(k.dot[int(t.f)](n, w.bytes.data(), a.bytes.data()), 0.f) << isa_name(isa) << " " << t.name;
    }
  }
}
