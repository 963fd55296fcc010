// The native RUL model against PyTorch goldens (tools/rul/make_goldens.py):
// the shipped FD001 model on all 100 test units and a randomly initialised
// model with other sizes. Tolerance: 1e-4 absolute on the raw RUL output
// (RUL / rul_scale) and on each class logit, f32.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "engine/arena.h"
#include "engine/error.h"
#include "engine/threads.h"
#include "models/rul/cmapss.h"
#include "models/rul/rul.h"
#include "tests/test_util.h"

namespace sprout::rul {
namespace {

using sprout::test::repo_path;

nlohmann::json load_golden(const std::string& rel) {
  std::ifstream in(repo_path(rel));
  EXPECT_TRUE(in.good()) << rel;
  std::stringstream ss;
  ss << in.rdbuf();
  return nlohmann::json::parse(ss.str());
}

std::vector<double> true_rul() {
  std::ifstream in(repo_path("tests/data/rul/RUL_FD001.txt"));
  std::vector<double> v;
  double x;
  while (in >> x) v.push_back(x);
  return v;
}

struct Outputs {
  std::vector<int> units;
  std::vector<float> rul, logits;
};

Outputs run(const RulModel& m, int64_t max_units = -1, size_t* peak = nullptr) {
  const RulConfig& cfg = m.config();
  const auto units = read_cmapss(repo_path("tests/data/rul/test_FD001.txt"));
  const int64_t n = max_units < 0 ? int64_t(units.size()) : max_units;
  const int64_t per = int64_t(cfg.window) * cfg.n_features();
  std::vector<float> x(size_t(n * per));
  Outputs o;
  for (int64_t u = 0; u < n; ++u) {
    last_window(cfg, units[size_t(u)], x.data() + u * per);
    o.units.push_back(units[size_t(u)].id);
  }
  o.rul.resize(size_t(n));
  o.logits.resize(size_t(n * cfg.n_classes()));
  Arena arena;
  const size_t p = m.forward(x.data(), n, o.rul.data(), o.logits.data(), arena);
  if (peak) *peak = p;
  return o;
}

void expect_matches_golden(const RulModel& m, const nlohmann::json& g) {
  const Outputs o = run(m);
  const RulConfig& cfg = m.config();
  ASSERT_EQ(o.units.size(), g["units"].size());
  ASSERT_EQ(o.units.size(), 100u);
  float worst_rul = 0, worst_logit = 0;
  for (size_t u = 0; u < o.units.size(); ++u) {
    EXPECT_EQ(o.units[u], g["units"][u].get<int>());
    const float raw = o.rul[u] / cfg.rul_scale;
    const float want = g["rul_raw"][u].get<float>();
    EXPECT_NEAR(raw, want, 1e-4f) << "unit " << o.units[u];
    worst_rul = std::max(worst_rul, std::fabs(raw - want));
    for (int c = 0; c < cfg.n_classes(); ++c) {
      const float got = o.logits[u * size_t(cfg.n_classes()) + size_t(c)];
      const float exp = g["logits"][u][size_t(c)].get<float>();
      EXPECT_NEAR(got, exp, 1e-4f) << "unit " << o.units[u] << " class " << c;
      worst_logit = std::max(worst_logit, std::fabs(got - exp));
    }
  }
  // The RMSE against the true RUL equals PyTorch's to 3 decimals.
  const auto truth = true_rul();
  ASSERT_EQ(truth.size(), o.rul.size());
  double se = 0;
  for (size_t u = 0; u < truth.size(); ++u) se += (o.rul[u] - truth[u]) * (o.rul[u] - truth[u]);
  const double rmse = std::sqrt(se / double(truth.size()));
  EXPECT_NEAR(rmse, g["rmse"].get<double>(), 5e-4);
  std::printf("max |diff|: rul_raw %.2e, logits %.2e; rmse %.4f (PyTorch %.4f)\n", double(worst_rul),
              double(worst_logit), rmse, g["rmse"].get<double>());
}

TEST(RulModel, ShippedFd001MatchesPyTorchOnAll100Units) {
  const RulModel m = RulModel::load(repo_path("app/assets/rul_fd001"));
  expect_matches_golden(m, load_golden("tests/data/rul/golden_fd001.json"));
}

TEST(RulModel, RandomConfigWithOtherSizesMatchesPyTorch) {
  const RulModel m = RulModel::load(repo_path("tests/data/rul/random_model"));
  EXPECT_EQ(m.config().window, 30);
  EXPECT_EQ(m.config().lstm_layers, 1);
  EXPECT_EQ(m.config().pooling, Pooling::max);
  expect_matches_golden(m, load_golden("tests/data/rul/golden_random.json"));
}

// Batch size and chunking must not change any sample's result.
TEST(RulModel, ResultsDoNotDependOnBatchOrChunk) {
  RulLoadOptions small;
  small.chunk = 3;
  const RulModel a = RulModel::load(repo_path("app/assets/rul_fd001"));
  const RulModel b = RulModel::load(repo_path("app/assets/rul_fd001"), small);
  const Outputs whole = run(a, 10), chunked = run(b, 10), one = run(a, 1);
  for (size_t u = 0; u < 10; ++u) EXPECT_NEAR(whole.rul[u], chunked.rul[u], 1e-4f);
  EXPECT_NEAR(whole.rul[0], one.rul[0], 1e-4f);
}

// Activation memory is bounded by the chunk (per thread), not the batch.
TEST(RulModel, ArenaPeakIsBoundedByChunk) {
  const RulModel m = RulModel::load(repo_path("app/assets/rul_fd001"));
  set_num_threads(1);
  size_t p16 = 0, p100 = 0, p1 = 0;
  run(m, 16, &p16);
  run(m, 100, &p100);
  run(m, 1, &p1);
  set_num_threads(0);
  EXPECT_GT(p1, 0u);
  EXPECT_LT(p1, p16);
  EXPECT_EQ(p16, p100);
}

// Threads split the batch; each sample's result stays the same.
TEST(RulModel, ThreadCountDoesNotChangeResults) {
  const RulModel m = RulModel::load(repo_path("app/assets/rul_fd001"));
  set_num_threads(1);
  const Outputs one = run(m, 20);
  set_num_threads(3);
  const Outputs three = run(m, 20);
  set_num_threads(0);
  for (size_t u = 0; u < 20; ++u) EXPECT_NEAR(one.rul[u], three.rul[u], 1e-4f);
}

// int8 (q8_0) weights: close to f32, RMSE change reported.
TEST(RulModel, Int8WeightsStayClose) {
  RulLoadOptions q;
  q.int8 = true;
  const RulModel f = RulModel::load(repo_path("app/assets/rul_fd001"));
  const RulModel m = RulModel::load(repo_path("app/assets/rul_fd001"), q);
  EXPECT_LT(m.weight_bytes(), f.weight_bytes() / 2);
  const Outputs of = run(f), oq = run(m);
  const auto truth = true_rul();
  double se_f = 0, se_q = 0, max_d = 0;
  for (size_t u = 0; u < truth.size(); ++u) {
    se_f += (of.rul[u] - truth[u]) * (of.rul[u] - truth[u]);
    se_q += (oq.rul[u] - truth[u]) * (oq.rul[u] - truth[u]);
    max_d = std::max(max_d, double(std::fabs(of.rul[u] - oq.rul[u])));
  }
  const double rf = std::sqrt(se_f / 100), rq = std::sqrt(se_q / 100);
  std::printf("rmse f32 %.4f int8 %.4f; max |rul diff| %.3f cycles\n", rf, rq, max_d);
  EXPECT_GT(max_d, 0.0);  // really quantized
  EXPECT_LT(max_d, 5.0);
  EXPECT_NEAR(rq, rf, 1.0);
}

TEST(RulConfig, BadConfigNamesFileAndKey) {
  const std::string dir = ::testing::TempDir() + "rul_bad_config_" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  std::ifstream in(repo_path("tests/data/rul/random_model/config.json"));
  nlohmann::json j = nlohmann::json::parse(in);
  j["lstm"].erase("hidden_size");
  std::ofstream(dir + "/config.json") << j.dump();
  try {
    load_rul_config(dir);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.subject(), dir + "/config.json");
    EXPECT_EQ(e.cause(), "missing key 'hidden_size'");
  }
  j = nlohmann::json::parse(std::ifstream(repo_path("tests/data/rul/random_model/config.json")));
  j["conv"]["kernel_sizes"] = {4, 3};
  std::ofstream(dir + "/config.json") << j.dump();
  EXPECT_THROW(load_rul_config(dir), Error);
}

}  // namespace
}  // namespace sprout::rul
