// The decoder against independent references:
//  * stories260K (llama2.c checkpoint) vs karpathy's run.c: logits at all 256 positions
//    within 1e-4 (absolute), through the decode path (one token at a time) and the
//    prefill path (all at once); greedy continuation identical.
//  * tiny Qwen2 / Llama models vs tools/qwen_reference/make_tiny_qwen2.py (PyTorch, float64):
//    prompt logits within 1e-4 x max|logit|, 16 greedy ids identical, from HF directories
//    (f32, bf16, f16 sharded) and GGUF (qwen2 naming; llama naming with permuted q/k).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/sampler.h"
#include "loaders/json_util.h"
#include "models/llama/model.h"
#include "tests/test_util.h"

namespace sprout::llama {
namespace {

using sprout::test::repo_path;

std::vector<float> read_f32(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  EXPECT_TRUE(f.good()) << path;
  std::vector<char> b((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::vector<float> v(b.size() / 4);
  std::memcpy(v.data(), b.data(), v.size() * 4);
  return v;
}

std::vector<int32_t> read_ids(const std::string& path) {
  std::ifstream f(path);
  std::vector<int32_t> v;
  int32_t x;
  while (f >> x) v.push_back(x);
  return v;
}

std::string stories_model() { return repo_path("app/assets/stories260K.bin"); }

TEST(Stories260K, LoadsLlama2cCheckpoint) {
  auto m = Model::load(stories_model());
  const Config& c = m->config();
  EXPECT_EQ(m->format(), "llama2c");
  EXPECT_EQ(c.dim, 64);
  EXPECT_EQ(c.ffn, 172);
  EXPECT_EQ(c.layers, 5);
  EXPECT_EQ(c.heads, 8);
  EXPECT_EQ(c.kv_heads, 4);
  EXPECT_EQ(c.vocab, 512);
  EXPECT_EQ(c.max_ctx, 512);
  EXPECT_TRUE(c.tied);
}

TEST(Stories260K, DecodeLogitsMatchRunC) {
  auto m = Model::load(stories_model());
  const auto ids = read_ids(repo_path("tests/data/llama/stories260K/greedy_bos.ids.txt"));
  const auto gold = read_f32(repo_path("tests/data/llama/stories260K/greedy_bos.logits.f32"));
  ASSERT_EQ(ids.size(), 256u);
  ASSERT_EQ(gold.size(), 256u * 512u);
  State st(*m, 256, DType::f32);
  std::vector<float> logits(512);
  float worst = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    forward(*m, st, &ids[i], 1, logits.data());
    worst = std::max(worst, sprout::test::max_abs_diff(logits.data(), &gold[i * 512], 512));
  }
  EXPECT_LT(worst, 1e-4f);  // tolerance: absolute, f32 run.c vs f32 here (different summation order)
}

TEST(Stories260K, PrefillLogitsMatchRunC) {
  auto m = Model::load(stories_model());
  const auto ids = read_ids(repo_path("tests/data/llama/stories260K/greedy_bos.ids.txt"));
  const auto gold = read_f32(repo_path("tests/data/llama/stories260K/greedy_bos.logits.f32"));
  State st(*m, 256, DType::f32);
  std::vector<float> logits(ids.size() * 512);
  forward(*m, st, ids.data(), int(ids.size()), logits.data(), /*all_logits=*/true);
  EXPECT_LT(sprout::test::max_abs_diff(logits.data(), gold.data(), gold.size()), 1e-4f);
  EXPECT_EQ(st.pos(), 256);
}

TEST(Stories260K, GreedyIdsMatchRunCWithF16Cache) {
  // The default f16 KV cache: greedy choices must still equal the reference run.
  auto m = Model::load(stories_model());
  const auto ids = read_ids(repo_path("tests/data/llama/stories260K/greedy_bos.ids.txt"));
  State st(*m, 256);
  std::vector<float> logits(512);
  int32_t tok = ids[0];
  size_t agree = 0;
  for (size_t i = 0; i + 1 < ids.size(); ++i) {
    forward(*m, st, &tok, 1, logits.data());
    tok = Sampler::argmax(logits.data(), 512);
    agree += tok == ids[i + 1];
    tok = ids[i + 1];  // teacher forcing keeps later positions comparable
  }
  EXPECT_EQ(agree, ids.size() - 1);
}

TEST(Stories260K, ContextOverflowIsAnError) {
  auto m = Model::load(stories_model());
  State st(*m, 4);
  std::vector<int32_t> ids = {1, 2, 3, 4, 5};
  std::vector<float> logits(512);
  EXPECT_THROW(forward(*m, st, ids.data(), 5, logits.data()), Error);
  int32_t bad = 512;
  EXPECT_THROW(forward(*m, st, &bad, 1, logits.data()), Error);
}

TEST(Stories260K, TruncatedCheckpointIsAnError) {
  std::ifstream f(stories_model(), std::ios::binary);
  std::vector<char> b((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  const std::string path = ::testing::TempDir() + "/trunc_stories.bin";
  std::ofstream(path, std::ios::binary).write(b.data(), std::streamsize(b.size() / 2));
  try {
    Model::load(path);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.subject(), path);
    EXPECT_NE(e.cause().find("does not match"), std::string::npos) << e.cause();
  }
}

// ---------------------------------------------------------------- tiny Qwen2 / Llama

struct Golden {
  std::vector<int32_t> prompt, greedy;
  std::vector<float> logits;
  int vocab = 0;
  float max_abs = 0;
};

Golden golden(const std::string& name) {
  const std::string dir = repo_path("tests/data/llama/");
  const Json j = load_json(dir + name + ".golden.json");
  Golden g;
  g.prompt = j["prompt_ids"].get<std::vector<int32_t>>();
  g.greedy = j["greedy_ids"].get<std::vector<int32_t>>();
  g.vocab = j["vocab_size"].get<int>();
  g.max_abs = j["max_abs_logit"].get<float>();
  g.logits = read_f32(dir + name + ".logits.f32");
  return g;
}

void check_against_golden(const std::string& model_path, const std::string& golden_name) {
  SCOPED_TRACE(model_path);
  const Golden g = golden(golden_name);
  auto m = Model::load(model_path);
  ASSERT_EQ(m->config().vocab, g.vocab);
  const size_t T = g.prompt.size(), V = size_t(g.vocab);
  ASSERT_EQ(g.logits.size(), T * V);
  const float tol = 1e-4f * g.max_abs;

  // Prefill: all prompt positions at once.
  State st(*m, 64, DType::f32);
  std::vector<float> logits(T * V);
  forward(*m, st, g.prompt.data(), int(T), logits.data(), true);
  EXPECT_LT(sprout::test::max_abs_diff(logits.data(), g.logits.data(), T * V), tol);

  // Decode path: one token at a time reproduces the same rows.
  State st1(*m, 64, DType::f32);
  float worst = 0;
  for (size_t t = 0; t < T; ++t) {
    forward(*m, st1, &g.prompt[t], 1, logits.data());
    worst = std::max(worst, sprout::test::max_abs_diff(logits.data(), &g.logits[t * V], V));
  }
  EXPECT_LT(worst, tol);

  // 16 greedy ids continuing from the prompt (default f16 cache).
  State st2(*m, 64);
  forward(*m, st2, g.prompt.data(), int(T), logits.data());
  std::vector<int32_t> out;
  for (size_t i = 0; i < g.greedy.size(); ++i) {
    const int32_t next = Sampler::argmax(logits.data(), g.vocab);
    out.push_back(next);
    forward(*m, st2, &next, 1, logits.data());
  }
  EXPECT_EQ(out, g.greedy);
}

TEST(TinyQwen2, HfF32GqaUntied) { check_against_golden(repo_path("tests/data/llama/qwen2_gqa_untied_f32"), "qwen2_gqa_untied_f32"); }
TEST(TinyQwen2, GgufF32GqaUntied) { check_against_golden(repo_path("tests/data/llama/qwen2_gqa_untied_f32.gguf"), "qwen2_gqa_untied_f32"); }
TEST(TinyQwen2, HfBf16GqaUntied) { check_against_golden(repo_path("tests/data/llama/qwen2_gqa_untied_bf16"), "qwen2_gqa_untied_bf16"); }
TEST(TinyQwen2, HfF16MhaTiedSharded) { check_against_golden(repo_path("tests/data/llama/qwen2_mha_tied_f16"), "qwen2_mha_tied_f16"); }
TEST(TinyQwen2, GgufF16MhaTied) { check_against_golden(repo_path("tests/data/llama/qwen2_mha_tied_f16.gguf"), "qwen2_mha_tied_f16"); }
TEST(TinyLlama, HfF16Gqa) { check_against_golden(repo_path("tests/data/llama/llama_gqa_f16"), "llama_gqa_f16"); }
TEST(TinyLlama, GgufF16GqaPermutedQK) { check_against_golden(repo_path("tests/data/llama/llama_gqa_f16.gguf"), "llama_gqa_f16"); }

TEST(TinyQwen2, ConfigFromHfAndGgufAgree) {
  auto a = Model::load(repo_path("tests/data/llama/qwen2_gqa_untied_f32"));
  auto b = Model::load(repo_path("tests/data/llama/qwen2_gqa_untied_f32.gguf"));
  for (const Config* c : {&a->config(), &b->config()}) {
    EXPECT_EQ(c->arch, "qwen2");
    EXPECT_EQ(c->heads, 4);
    EXPECT_EQ(c->kv_heads, 2);
    EXPECT_EQ(c->head_dim, 16);
    EXPECT_TRUE(c->qkv_bias);
    EXPECT_FALSE(c->tied);
    EXPECT_FLOAT_EQ(c->rope_theta, 1e6f);
    EXPECT_EQ(c->rope, ops::RopeLayout::rotate_half);
  }
  EXPECT_EQ(Model::load(repo_path("tests/data/llama/llama_gqa_f16.gguf"))->config().rope, ops::RopeLayout::interleaved);
}

TEST(TinyQwen2, MissingDirectoryIsAnError) {
  EXPECT_THROW(Model::load(repo_path("tests/data/llama/no_such_model")), Error);
}

}  // namespace
}  // namespace sprout::llama
