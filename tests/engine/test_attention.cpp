// engine/attention.h and engine/kv_cache.h against a straightforward
// double-precision reference: MHA and GQA, causal with offsets (prefill,
// decode, multi-turn), padding masks, cross-attention over a cache, f16 caches.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "engine/attention.h"
#include "engine/error.h"
#include "engine/kv_cache.h"
#include "engine/threads.h"
#include "kernels/attn/attn.h"
#include "kernels/common/fp16.h"
#include "kernels/quant/quant.h"
#include "tests/test_util.h"

using namespace sprout;

namespace {

const float kNegInf = -std::numeric_limits<float>::infinity();

// The definition, in double: for each (query, head) softmax over visible keys.
std::vector<float> reference(const AttentionArgs& a, const std::vector<float>& q, const std::vector<float>& k,
                             const std::vector<float>& v) {
  const int hd = a.head_dim, group = a.n_heads / a.n_kv_heads;
  std::vector<float> out(size_t(a.n_q) * size_t(a.n_heads) * size_t(hd), 0.f);
  for (int i = 0; i < a.n_q; ++i)
    for (int h = 0; h < a.n_heads; ++h) {
      const int g = h / group;
      const int nvis = a.causal ? std::min(a.n_kv, a.q_pos0 + i + 1) : a.n_kv;
      std::vector<double> s(size_t(std::max(nvis, 0)));
      double mx = -INFINITY;
      for (int j = 0; j < nvis; ++j) {
        double d = 0;
        for (int e = 0; e < hd; ++e)
          d += double(q[size_t((i * a.n_heads + h) * hd + e)]) * k[size_t((j * a.n_kv_heads + g) * hd + e)];
        s[size_t(j)] = d * a.scale + (a.key_mask ? double(a.key_mask[j]) : 0.0);
        mx = std::max(mx, s[size_t(j)]);
      }
      if (nvis == 0 || mx == -INFINITY) continue;  // nothing visible: zero output
      double sum = 0;
      for (double& x : s) sum += (x = std::exp(x - mx));
      for (int e = 0; e < hd; ++e) {
        double acc = 0;
        for (int j = 0; j < nvis; ++j) acc += s[size_t(j)] / sum * v[size_t((j * a.n_kv_heads + g) * hd + e)];
        out[size_t((i * a.n_heads + h) * hd + e)] = float(acc);
      }
    }
  return out;
}

std::vector<float> round_f16(std::vector<float> x) {
  for (float& f : x) f = kern::f16_to_f32(kern::f32_to_f16(f));
  return x;
}

AttentionArgs args(int n_q, int n_kv, int heads, int kv_heads, int hd, bool causal, int q_pos0 = 0) {
  AttentionArgs a;
  a.n_q = n_q, a.n_kv = n_kv, a.n_heads = heads, a.n_kv_heads = kv_heads, a.head_dim = hd;
  a.scale = 1.f / std::sqrt(float(hd));
  a.causal = causal, a.q_pos0 = q_pos0;
  return a;
}

}  // namespace

TEST(Attention, BidirectionalPlainF32) {
  const AttentionArgs a = args(7, 7, 4, 4, 16, false);
  auto q = test::random_floats(7 * 4 * 16, 1, -2.f, 2.f), k = test::random_floats(7 * 4 * 16, 2, -2.f, 2.f);
  auto v = test::random_floats(7 * 4 * 16, 3);
  std::vector<float> out(q.size());
  Arena arena;
  attention(a, q.data(), k.data(), v.data(), out.data(), arena);
  const auto ref = reference(a, q, k, v);
  EXPECT_LE(test::max_abs_diff(ref.data(), out.data(), ref.size()), 2e-6f);  // f32 dots + softmax
}

TEST(Attention, GqaCausalPrefillF32Cache) {
  const int heads = 8, kvh = 2, hd = 64, n = 13;
  const AttentionArgs a = args(n, n, heads, kvh, hd, true, 0);
  auto q = test::random_floats(size_t(n * heads * hd), 4), k = test::random_floats(size_t(n * kvh * hd), 5);
  auto v = test::random_floats(size_t(n * kvh * hd), 6);
  KvCache cache(2, 32, kvh, hd, DType::f32);
  cache.write(1, 0, n, k.data(), v.data());
  EXPECT_EQ(cache.size(), n);
  std::vector<float> out(q.size());
  Arena arena;
  attention(a, q.data(), cache, 1, out.data(), arena);
  const auto ref = reference(a, q, k, v);
  EXPECT_LE(test::max_abs_diff(ref.data(), out.data(), ref.size()), 2e-6f);
  // Query 0 sees only key 0: its output is exactly v[0] of its kv head.
  for (int h = 0; h < heads; ++h)
    for (int e = 0; e < hd; ++e) EXPECT_NEAR(out[size_t(h * hd + e)], v[size_t((h / (heads / kvh)) * hd + e)], 1e-6f);
}

// Decode after a cached prefix: q_pos0 = tokens already cached; f16 cache.
TEST(Attention, CausalOffsetF16Cache) {
  const int heads = 16, kvh = 4, hd = 128, past = 40, n_q = 3;
  const int n_kv = past + n_q;
  auto k = test::random_floats(size_t(n_kv * kvh * hd), 7, -2.f, 2.f), v = test::random_floats(size_t(n_kv * kvh * hd), 8);
  auto q = test::random_floats(size_t(n_q * heads * hd), 9, -2.f, 2.f);
  KvCache cache(1, 64, kvh, hd);  // f16 default
  EXPECT_EQ(cache.dtype(), DType::f16);
  cache.write(0, 0, past, k.data(), v.data());
  cache.write(0, past, n_q, k.data() + past * kvh * hd, v.data() + past * kvh * hd);
  EXPECT_EQ(cache.size(), n_kv);
  const AttentionArgs a = args(n_q, n_kv, heads, kvh, hd, true, past);
  std::vector<float> out(q.size());
  Arena arena;
  attention(a, q.data(), cache, 0, out.data(), arena);
  // Against the reference on f16-rounded K/V: only f32 arithmetic differs.
  const auto ref16 = reference(a, q, round_f16(k), round_f16(v));
  EXPECT_LE(test::max_abs_diff(ref16.data(), out.data(), ref16.size()), 3e-6f);
  // Against full-precision K/V: the f16 cache costs ~1e-3 (11-bit mantissa).
  const auto ref32 = reference(a, q, k, v);
  EXPECT_LE(test::max_abs_diff(ref32.data(), out.data(), ref32.size()), 3e-3f);
}

// Token-by-token decoding over a cache equals one causal pass over the whole sequence.
TEST(Attention, MultiTurnDecodeMatchesFullPass) {
  const int heads = 4, kvh = 2, hd = 32, n = 19;
  auto q = test::random_floats(size_t(n * heads * hd), 10), k = test::random_floats(size_t(n * kvh * hd), 11);
  auto v = test::random_floats(size_t(n * kvh * hd), 12);
  KvCache cache(1, n, kvh, hd, DType::f32);
  Arena arena;
  std::vector<float> full(q.size()), step(q.size());
  cache.write(0, 0, n, k.data(), v.data());
  attention(args(n, n, heads, kvh, hd, true, 0), q.data(), cache, 0, full.data(), arena);
  cache.truncate(0);
  EXPECT_EQ(cache.size(), 0);
  // Turn 1: a 7-token prompt; then single tokens.
  int pos = 0;
  for (int len : {7, 1, 1, 5, 1, 1, 1, 1, 1}) {
    cache.write(0, pos, len, k.data() + pos * kvh * hd, v.data() + pos * kvh * hd);
    attention(args(len, pos + len, heads, kvh, hd, true, pos), q.data() + pos * heads * hd, cache, 0,
              step.data() + pos * heads * hd, arena);
    pos += len;
  }
  ASSERT_EQ(pos, n);
  // The 19-query pass runs blocked (GEMM tiles), the short steps per query: the same
  // sums in another f32 order.
  EXPECT_LE(test::max_abs_diff(full.data(), step.data(), full.size()), 2e-6f);
}

// A long prefill chunk after a cached prefix (blocked path with several query
// blocks and key blocks beyond one packed V panel), f16 cache, GQA, a masked key.
TEST(Attention, BlockedPrefillAfterPrefixF16Cache) {
  const int heads = 8, kvh = 2, hd = 64, past = 270, n_q = 45;
  const int n_kv = past + n_q;
  auto k = test::random_floats(size_t(n_kv * kvh * hd), 30, -2.f, 2.f), v = test::random_floats(size_t(n_kv * kvh * hd), 31);
  auto q = test::random_floats(size_t(n_q * heads * hd), 32, -2.f, 2.f);
  KvCache cache(1, 320, kvh, hd);
  cache.write(0, 0, n_kv, k.data(), v.data());
  std::vector<float> mask(n_kv, 0.f);
  mask[3] = kNegInf;
  AttentionArgs a = args(n_q, n_kv, heads, kvh, hd, true, past);
  a.key_mask = mask.data();
  std::vector<float> out(q.size()), out1(q.size());
  Arena arena;
  attention(a, q.data(), cache, 0, out.data(), arena);
  const auto ref16 = reference(a, q, round_f16(k), round_f16(v));
  EXPECT_LE(test::max_abs_diff(ref16.data(), out.data(), ref16.size()), 3e-6f);
  // Non-causal over the same cache, one thread.
  a.causal = false;
  set_num_threads(1);
  attention(a, q.data(), cache, 0, out1.data(), arena);
  set_num_threads(0);
  const auto ref_nc = reference(a, q, round_f16(k), round_f16(v));
  EXPECT_LE(test::max_abs_diff(ref_nc.data(), out1.data(), ref_nc.size()), 3e-6f);
}

// BERT-style: bidirectional, padded keys masked with -inf; a fully masked query row is zero.
TEST(Attention, PaddingMask) {
  const int heads = 3, hd = 20, n = 9;
  auto q = test::random_floats(size_t(n * heads * hd), 13, -3.f, 3.f), k = test::random_floats(size_t(n * heads * hd), 14);
  auto v = test::random_floats(size_t(n * heads * hd), 15);
  std::vector<float> mask(n, 0.f);
  mask[6] = mask[7] = mask[8] = kNegInf;  // three pad tokens
  AttentionArgs a = args(n, n, heads, heads, hd, false);
  a.key_mask = mask.data();
  std::vector<float> out(q.size());
  Arena arena;
  attention(a, q.data(), k.data(), v.data(), out.data(), arena);
  const auto ref = reference(a, q, k, v);
  EXPECT_LE(test::max_abs_diff(ref.data(), out.data(), ref.size()), 2e-6f);
  // Changing padded keys/values must not change anything.
  auto k2 = k, v2 = v;
  for (size_t i = size_t(6 * heads * hd); i < k2.size(); ++i) k2[i] = 100.f, v2[i] = -50.f;
  std::vector<float> out2(q.size());
  attention(a, q.data(), k2.data(), v2.data(), out2.data(), arena);
  EXPECT_EQ(out, out2);
  std::vector<float> all(n, kNegInf);
  a.key_mask = all.data();
  attention(a, q.data(), k.data(), v.data(), out.data(), arena);
  for (float x : out) ASSERT_EQ(x, 0.f);
}

// Seq2seq cross-attention: decoder queries over cached encoder K/V (not causal).
TEST(Attention, CrossAttentionOverCache) {
  const int heads = 4, hd = 16, src = 11, n_q = 5;
  auto q = test::random_floats(size_t(n_q * heads * hd), 16), k = test::random_floats(size_t(src * heads * hd), 17);
  auto v = test::random_floats(size_t(src * heads * hd), 18);
  KvCache enc(3, src, heads, hd, DType::f32);
  enc.write(2, 0, src, k.data(), v.data());
  const AttentionArgs a = args(n_q, src, heads, heads, hd, false);
  std::vector<float> out(q.size());
  Arena arena;
  attention(a, q.data(), enc, 2, out.data(), arena);
  const auto ref = reference(a, q, k, v);
  EXPECT_LE(test::max_abs_diff(ref.data(), out.data(), ref.size()), 2e-6f);
}

TEST(Attention, ThreadsAgreeAndScratchIsReused) {
  const int heads = 16, kvh = 2, hd = 64, n = 33;
  auto q = test::random_floats(size_t(n * heads * hd), 19), k = test::random_floats(size_t(n * kvh * hd), 20);
  auto v = test::random_floats(size_t(n * kvh * hd), 21);
  const AttentionArgs a = args(n, n, heads, kvh, hd, true);
  std::vector<float> o1(q.size()), o2(q.size());
  Arena arena;
  set_num_threads(1);
  attention(a, q.data(), k.data(), v.data(), o1.data(), arena);
  set_num_threads(2);
  attention(a, q.data(), k.data(), v.data(), o2.data(), arena);
  set_num_threads(0);
  EXPECT_EQ(o1, o2);  // each (query, head) is computed the same way on any thread
  EXPECT_EQ(arena.used(), 0u);  // scratch rewound
  const size_t reserved = arena.reserved();
  attention(a, q.data(), k.data(), v.data(), o2.data(), arena);
  EXPECT_EQ(arena.reserved(), reserved);  // no new memory on repeat calls
}

// The decode path (few queries) over a long f16 cache: keys in several blocks with a
// partial last one, GQA head ranges that split a kv head's group between threads, a
// padding mask; the same bits on 1 and 3 threads.
TEST(Attention, DecodeOverLongCacheGqaMaskThreads) {
  const int heads = 10, kvh = 5, hd = 40, n_kv = 101, n_q = 2;
  auto k = test::random_floats(size_t(n_kv * kvh * hd), 22, -2.f, 2.f);
  auto v = test::random_floats(size_t(n_kv * kvh * hd), 23);
  auto q = test::random_floats(size_t(n_q * heads * hd), 24, -2.f, 2.f);
  KvCache cache(1, 128, kvh, hd);
  cache.write(0, 0, n_kv, k.data(), v.data());
  std::vector<float> mask(size_t(n_kv), 0.f);
  for (int j : {0, 17, 50}) mask[size_t(j)] = kNegInf;
  AttentionArgs a = args(n_q, n_kv, heads, kvh, hd, true, n_kv - n_q);
  a.key_mask = mask.data();
  std::vector<float> o1(q.size()), o3(q.size());
  Arena arena;
  set_num_threads(1);
  attention(a, q.data(), cache, 0, o1.data(), arena);
  set_num_threads(3);
  attention(a, q.data(), cache, 0, o3.data(), arena);
  set_num_threads(0);
  EXPECT_EQ(o1, o3);
  const auto ref16 = reference(a, q, round_f16(k), round_f16(v));  // only f32 arithmetic differs
  EXPECT_LE(test::max_abs_diff(ref16.data(), o1.data(), ref16.size()), 3e-6f);
}

TEST(Attention, BadArgumentsThrow) {
  float x[64] = {};
  Arena arena;
  EXPECT_THROW(attention(args(1, 1, 3, 2, 8, false), x, x, x, x, arena), Error);  // 3 heads, 2 kv heads
  KvCache cache(1, 4, 2, 8);
  EXPECT_THROW(attention(args(1, 5, 2, 2, 8, false), x, cache, 0, x, arena), Error);  // n_kv > capacity
  EXPECT_THROW(attention(args(1, 1, 2, 1, 8, false), x, cache, 0, x, arena), Error);  // kv heads mismatch
  EXPECT_THROW(attention(args(1, 1, 2, 2, 8, false), x, cache, 1, x, arena), Error);  // layer out of range
}

TEST(KvCache, WriteTruncateBytes) {
  KvCache c(3, 10, 2, 4);
  EXPECT_EQ(c.bytes(), uint64_t(3 * 2 * 10 * 2 * 4 * 2));  // layers * (k, v) * tokens * heads * dim * f16
  EXPECT_EQ(c.size(), 0);
  auto k = test::random_floats(3 * 8, 22), v = test::random_floats(3 * 8, 23);
  c.write(1, 4, 3, k.data(), v.data());
  EXPECT_EQ(c.size(), 7);
  const auto* kh = static_cast<const kern::f16_t*>(c.keys(1)) + 4 * 8;
  const auto* vh = static_cast<const kern::f16_t*>(c.values(1)) + 4 * 8;
  for (int i = 0; i < 24; ++i) {
    EXPECT_EQ(kh[i], kern::f32_to_f16(k[size_t(i)]));  // round to nearest even
    EXPECT_EQ(vh[i], kern::f32_to_f16(v[size_t(i)]));
  }
  c.truncate(5);
  EXPECT_EQ(c.size(), 5);
  c.truncate(9);
  EXPECT_EQ(c.size(), 5);  // truncate never grows
  EXPECT_THROW(c.write(0, 8, 3, k.data(), v.data()), Error);  // past capacity
  EXPECT_THROW(c.write(0, -1, 1, k.data(), v.data()), Error);
  EXPECT_THROW(c.write(3, 0, 1, k.data(), v.data()), Error);  // no such layer
  EXPECT_THROW(KvCache(1, 4, 2, 4, DType::q8_0), Error);   // head_dim not a multiple of 32
  EXPECT_THROW(KvCache(1, 4, 2, 32, DType::q4_0), Error);   // not a cache type
  EXPECT_THROW(KvCache(1000, 1 << 30, 64, 128), Error);     // more than 1 TiB, refused before allocating
  EXPECT_THROW(KvCache(0, 4, 2, 4), Error);
}

// q8_0 cache: rows are GGUF q8_0 of what was written (the reference quantizer's
// bytes), 34 bytes per 32 values.
TEST(KvCache, Q8_0WritesGgufBlocks) {
  const int kvh = 2, hd = 64, row = kvh * hd;
  KvCache c(2, 10, kvh, hd, DType::q8_0);
  EXPECT_EQ(c.bytes(), uint64_t(2 * 2 * 10 * (row / 32) * 34));
  auto k = test::random_floats(size_t(3 * row), 40), v = test::random_floats(size_t(3 * row), 41, -5.f, 5.f);
  c.write(1, 6, 3, k.data(), v.data());
  EXPECT_EQ(c.size(), 9);
  std::vector<kern::block_q8_0> kq(size_t(3 * row / 32)), vq(kq.size());
  kern::quantize_q8_0(k.data(), int64_t(k.size()), kq.data());
  kern::quantize_q8_0(v.data(), int64_t(v.size()), vq.data());
  const auto* kc = static_cast<const kern::block_q8_0*>(c.keys(1)) + 6 * row / 32;
  const auto* vc = static_cast<const kern::block_q8_0*>(c.values(1)) + 6 * row / 32;
  EXPECT_EQ(std::memcmp(kc, kq.data(), kq.size() * sizeof(kern::block_q8_0)), 0);
  EXPECT_EQ(std::memcmp(vc, vq.data(), vq.size() * sizeof(kern::block_q8_0)), 0);
  EXPECT_EQ(kv_dtype_from_name("q8_0"), DType::q8_0);
  EXPECT_EQ(kv_dtype_from_name("f16"), DType::f16);
  EXPECT_EQ(kv_dtype_from_name("q4_0"), std::nullopt);
}

namespace {
// The cache's first n positions of layer 0 as f32 (what attention over it must see).
std::pair<std::vector<float>, std::vector<float>> dequantized(const KvCache& c, int n) {
  const int64_t len = int64_t(n) * c.n_kv_heads() * c.head_dim();
  std::vector<float> k(static_cast<size_t>(len)), v(static_cast<size_t>(len));
  kern::dequantize_q8_0(c.keys(0), len, k.data());
  kern::dequantize_q8_0(c.values(0), len, v.data());
  return {k, v};
}
}  // namespace

// Attention over a q8_0 cache equals the definition over the dequantized rows
// (blocked prefill: the f32 bound of the f16 tests; decode walk: 3e-5, as the AVX2
// weighted sum rounds each 16 keys' weights p_j * d_j to int16, a step of
// max(p d) / 32767, times sum |q| <= 16 * 127 per chunk; GQA, causal after a
// prefix, a masked key), and stays within q8_0's rounding of the
// exact rows: each value moves by at most amax/254 of its block, which for these
// inputs (|k| <= 2, |q| <= 2, |v| <= 1, hd 64) keeps outputs within 0.03.
TEST(Attention, Q8_0CacheDecodeAndBlockedPrefill) {
  const int heads = 8, kvh = 2, hd = 64, past = 270, n_q = 45;
  const int n_kv = past + n_q;
  auto k = test::random_floats(size_t(n_kv * kvh * hd), 50, -2.f, 2.f), v = test::random_floats(size_t(n_kv * kvh * hd), 51);
  auto q = test::random_floats(size_t(n_q * heads * hd), 52, -2.f, 2.f);
  KvCache cache(1, 320, kvh, hd, DType::q8_0);
  cache.write(0, 0, n_kv, k.data(), v.data());
  const auto [kd, vd] = dequantized(cache, n_kv);
  std::vector<float> mask(n_kv, 0.f);
  mask[5] = kNegInf;
  Arena arena;
  for (int nq : {1, 3, n_q}) {  // decode walk (< 8 queries) and blocked prefill
    AttentionArgs a = args(nq, n_kv, heads, kvh, hd, true, n_kv - nq);
    a.key_mask = mask.data();
    const std::vector<float> qs(q.begin(), q.begin() + int64_t(nq) * heads * hd);
    std::vector<float> out(qs.size());
    attention(a, qs.data(), cache, 0, out.data(), arena);
    const auto ref_deq = reference(a, qs, kd, vd);
    EXPECT_LE(test::max_abs_diff(ref_deq.data(), out.data(), out.size()), nq < 8 ? 3e-5f : 3e-6f) << "n_q " << nq;
    const auto ref = reference(a, qs, k, v);
    const float err = test::max_abs_diff(ref.data(), out.data(), out.size());
    EXPECT_LE(err, 0.03f) << "n_q " << nq;
    EXPECT_GT(err, 0.f) << "n_q " << nq;  // the cache really is quantized
  }
}
