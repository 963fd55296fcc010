// Perplexity / KL scoring (models/llama/perplexity.h): the per-row math on hand-checked
// cases, and the windowed evaluation of the tiny Qwen2 fixtures against
// tools/qwen_reference/make_perplexity_golden.py (float64 PyTorch reference of HF's Qwen2,
// same windowing), tests/data/llama/perplexity.golden.json.
//
// Tolerances, with an f32 KV cache: ppl and base ppl 1e-4 relative (Sprout runs f32 against
// a float64 reference; these random-weight models have logits of magnitude ~10-20), the
// standard errors 1e-3 relative, KL mean / max 1e-3 relative + 1e-6 absolute, top-1
// agreement within one position (a near-tie may flip between f32 and float64). With the
// default f16 KV cache ppl stays within 1e-3 relative.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "engine/error.h"
#include "loaders/json_util.h"
#include "models/llama/perplexity.h"
#include "tests/test_util.h"

namespace sprout::llama {
namespace {

using sprout::test::repo_path;

TEST(PerplexityMath, LogProbAndKl) {
  const float uniform[4] = {2, 2, 2, 2};
  EXPECT_NEAR(log_prob(uniform, 4, 3), -std::log(4.0), 1e-12);
  const float a[2] = {0, 0}, b[2] = {std::log(3.0f), 0};  // p = (1/2, 1/2), q = (3/4, 1/4)
  EXPECT_NEAR(log_prob(b, 2, 0), std::log(0.75), 1e-7);
  EXPECT_NEAR(kl_divergence(a, b, 2), 0.5 * std::log(0.5 / 0.75) + 0.5 * std::log(0.5 / 0.25), 1e-7);
  EXPECT_EQ(kl_divergence(b, b, 2), 0.0);
  // Stable for large logits (a naive exp would overflow).
  const float big[3] = {1000, 999, 0};
  EXPECT_NEAR(log_prob(big, 3, 0), -std::log1p(std::exp(-1.0)), 1e-6);
}

TEST(PerplexityMath, Statistics) {
  const MeanStats s = mean_stats({1, 2, 3, 4});
  EXPECT_DOUBLE_EQ(s.mean, 2.5);
  EXPECT_NEAR(s.se, std::sqrt(1.25 / 3), 1e-12);  // population variance / (N - 1)
  EXPECT_DOUBLE_EQ(quantile({5, 1, 3}, 0.5), 3);
  EXPECT_DOUBLE_EQ(quantile({0, 10}, 0.9), 9);
  EXPECT_DOUBLE_EQ(quantile({0, 10}, 1.0), 10);
}

struct Case {
  Json j;
  std::vector<int32_t> ids;
};

std::vector<Case> golden_cases() {
  const Json g = load_json(repo_path("tests/data/llama/perplexity.golden.json"));
  std::vector<Case> out;
  for (const Json& c : g["cases"]) out.push_back({c, g["ids"].get<std::vector<int32_t>>()});
  return out;
}

PerplexityOptions options_of(const Json& c, DType kv) {
  PerplexityOptions o;
  o.ctx = c["ctx"].get<int>();
  o.first = c["first"].get<int>();
  o.bos_first = c["bos_first"].get<bool>();
  o.bos_id = 1;
  o.kv_dtype = kv;
  return o;
}

void expect_rel(double got, double want, double rel, const char* what) {
  EXPECT_NEAR(got, want, rel * std::fabs(want)) << what;
}

TEST(PerplexityGolden, TinyQwen2MatchesReference) {
  for (const Case& c : golden_cases()) {
    SCOPED_TRACE(c.j["name"].get<std::string>());
    auto m = Model::load(repo_path("tests/data/llama/" + c.j["model"].get<std::string>()));
    std::unique_ptr<Model> base;
    if (!c.j["base"].is_null()) base = Model::load(repo_path("tests/data/llama/" + c.j["base"].get<std::string>()));
    const PerplexityResult r = perplexity(*m, base.get(), c.ids, options_of(c.j, DType::f32));
    EXPECT_EQ(r.windows, c.j["windows"].get<int>());
    ASSERT_EQ(r.scored, c.j["scored"].get<int>());
    expect_rel(r.ppl, c.j["ppl"].get<double>(), 1e-4, "ppl");
    expect_rel(r.ppl_se, c.j["ppl_se"].get<double>(), 1e-3, "ppl_se");
    EXPECT_NEAR(r.nll_mean, c.j["nll_mean"].get<double>(), 1e-4);
    ASSERT_EQ(r.has_base, bool(base));
    if (!base) continue;
    expect_rel(r.base_ppl, c.j["base_ppl"].get<double>(), 1e-4, "base_ppl");
    expect_rel(r.base_ppl_se, c.j["base_ppl_se"].get<double>(), 1e-3, "base_ppl_se");
    EXPECT_NEAR(r.ln_ratio, c.j["ln_ppl_ratio"].get<double>(), 1e-4);
    EXPECT_NEAR(r.kl_mean, c.j["kl_mean"].get<double>(), 1e-3 * c.j["kl_mean"].get<double>() + 1e-6);
    EXPECT_NEAR(r.kl_max, c.j["kl_max"].get<double>(), 1e-3 * c.j["kl_max"].get<double>() + 1e-6);
    EXPECT_NEAR(r.kl_median, c.j["kl_median"].get<double>(), 1e-3 * c.j["kl_median"].get<double>() + 1e-6);
    EXPECT_NEAR(r.top1, c.j["top1"].get<double>(), 1.0 / r.scored + 1e-9);
    EXPECT_NEAR(r.delta_ppl, r.ppl - r.base_ppl, 1e-9 * r.ppl);
  }
}

TEST(PerplexityGolden, F16CacheStaysClose) {
  const Case c = golden_cases()[0];
  auto m = Model::load(repo_path("tests/data/llama/" + c.j["model"].get<std::string>()));
  const PerplexityResult r = perplexity(*m, nullptr, c.ids, options_of(c.j, DType::f16));
  expect_rel(r.ppl, c.j["ppl"].get<double>(), 1e-3, "ppl (f16 cache)");
}

TEST(PerplexityWindows, BatchingAndWindowLimits) {
  auto m = Model::load(repo_path("tests/data/llama/qwen2_gqa_untied_f32"));
  const Case c = golden_cases()[2];
  PerplexityOptions o = options_of(c.j, DType::f32);
  const PerplexityResult whole = perplexity(*m, nullptr, c.ids, o);
  o.batch = 3;  // windows fed in pieces through the KV cache
  const PerplexityResult pieces = perplexity(*m, nullptr, c.ids, o);
  EXPECT_NEAR(pieces.ppl, whole.ppl, 1e-5 * whole.ppl);
  ASSERT_EQ(pieces.window_ppl.size(), whole.window_ppl.size());
  o.max_windows = 2;
  const PerplexityResult two = perplexity(*m, nullptr, c.ids, o);
  EXPECT_EQ(two.windows, 2);
  EXPECT_EQ(two.scored, 2 * (o.ctx - 1 - o.first));
  // The mean over two windows is the geometric mean of their perplexities.
  EXPECT_NEAR(two.ppl, std::sqrt(whole.window_ppl[0] * whole.window_ppl[1]), 1e-4 * two.ppl);
}

TEST(PerplexityWindows, Errors) {
  auto m = Model::load(repo_path("tests/data/llama/qwen2_gqa_untied_f32"));
  auto other = Model::load(repo_path("app/assets/stories260K.bin"));  // vocab 512, not 192
  const std::vector<int32_t> ids(20, 5);
  PerplexityOptions o;
  o.ctx = 32;
  EXPECT_THROW(perplexity(*m, nullptr, ids, o), Error);  // fewer tokens than one window
  o.ctx = 8;
  EXPECT_THROW(perplexity(*m, other.get(), ids, o), Error);  // vocabularies differ
  o.first = 7;
  EXPECT_THROW(perplexity(*m, nullptr, ids, o), Error);  // nothing left to score
  o.first = 0;
  EXPECT_THROW(perplexity(*m, nullptr, {1, 2, 3, 4, 5, 6, 7, 500}, o), Error);  // id outside the vocabulary
  EXPECT_NO_THROW(perplexity(*m, nullptr, ids, o));
}

}  // namespace
}  // namespace sprout::llama
