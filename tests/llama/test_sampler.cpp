// Sampler: greedy, temperature, top-k, top-p, min-p, repetition penalty, seeding.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <vector>

#include "engine/sampler.h"

namespace sprout {
namespace {

SamplerParams plain(float temp, uint64_t seed = 1) {
  SamplerParams p;
  p.temperature = temp;
  p.top_k = 0;
  p.top_p = 1.0f;
  p.min_p = 0.0f;
  p.repeat_penalty = 1.0f;
  p.seed = seed;
  return p;
}

// Logits whose softmax is exactly `probs`.
std::vector<float> logits_of(const std::vector<double>& probs) {
  std::vector<float> l;
  for (double p : probs) l.push_back(p > 0 ? float(std::log(p)) : -1e30f);
  return l;
}

TEST(Sampler, GreedyIsArgmaxLowestIdOnTies) {
  Sampler s(plain(0.0f));
  std::vector<float> l = {0.1f, 3.0f, -2.0f, 3.0f, 1.0f};
  EXPECT_EQ(s.sample(l.data(), 5), 1);
  EXPECT_EQ(Sampler::argmax(l.data(), 5), 1);
  l[4] = 7.0f;
  EXPECT_EQ(s.sample(l.data(), 5), 4);
}

TEST(Sampler, SameSeedSameTokensDifferentSeedDiffers) {
  std::vector<float> l(50);
  for (int i = 0; i < 50; ++i) l[size_t(i)] = float(std::sin(i * 0.7));
  auto run = [&](uint64_t seed) {
    Sampler s(plain(1.0f, seed));
    std::vector<int32_t> out;
    for (int i = 0; i < 64; ++i) out.push_back(s.sample(l.data(), 50));
    return out;
  };
  EXPECT_EQ(run(42), run(42));
  EXPECT_NE(run(42), run(43));
}

TEST(Sampler, FrequenciesFollowTemperatureSoftmax) {
  // p = {0.5, 0.3, 0.2}; at temperature 2 the distribution is softmax(log p / 2) ∝ sqrt(p).
  const std::vector<double> p = {0.5, 0.3, 0.2};
  std::vector<float> l = logits_of(p);
  Sampler s(plain(2.0f, 7));
  std::map<int, int> count;
  const int n = 20000;
  for (int i = 0; i < n; ++i) count[s.sample(l.data(), 3)]++;
  double z = 0;
  for (double x : p) z += std::sqrt(x);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(count[i] / double(n), std::sqrt(p[size_t(i)]) / z, 0.015) << i;
}

TEST(Sampler, TopKKeepsOnlyKLargest) {
  std::vector<float> l = {1.0f, 5.0f, 4.9f, 0.0f, 4.8f};
  SamplerParams p = plain(100.0f);  // nearly uniform over what is kept
  p.top_k = 2;
  Sampler s(p);
  std::map<int, int> count;
  for (int i = 0; i < 2000; ++i) count[s.sample(l.data(), 5)]++;
  EXPECT_EQ(count.size(), 2u);
  EXPECT_GT(count[1], 800);
  EXPECT_GT(count[2], 800);
}

TEST(Sampler, TopPKeepsSmallestNucleus) {
  // Sorted probs 0.5, 0.3, 0.15, 0.05: p = 0.75 keeps {0, 1} (0.5 < 0.75 <= 0.8).
  std::vector<float> l = logits_of({0.5, 0.3, 0.15, 0.05});
  SamplerParams p = plain(1.0f, 3);
  p.top_p = 0.75f;
  Sampler s(p);
  std::map<int, int> count;
  const int n = 10000;
  for (int i = 0; i < n; ++i) count[s.sample(l.data(), 4)]++;
  EXPECT_EQ(count.count(2), 0u);
  EXPECT_EQ(count.count(3), 0u);
  EXPECT_NEAR(count[0] / double(n), 0.5 / 0.8, 0.02);
}

TEST(Sampler, MinPDropsUnlikelyTokens) {
  // min_p 0.2 x top 0.6 = 0.12: keeps 0.6, 0.25, 0.13; drops 0.02.
  std::vector<float> l = logits_of({0.6, 0.25, 0.13, 0.02});
  SamplerParams p = plain(1.0f, 5);
  p.min_p = 0.2f;
  Sampler s(p);
  std::map<int, int> count;
  for (int i = 0; i < 5000; ++i) count[s.sample(l.data(), 4)]++;
  EXPECT_EQ(count.count(3), 0u);
  EXPECT_GT(count[2], 0);
}

TEST(Sampler, RepetitionPenaltyDividesPositiveMultipliesNegative) {
  SamplerParams p = plain(0.0f);
  p.repeat_penalty = 2.0f;
  Sampler s(p);
  std::vector<float> l = {3.0f, 2.0f, -1.0f};
  std::vector<int32_t> hist = {0};
  EXPECT_EQ(s.sample(l.data(), 3, hist), 1);  // 3/2 = 1.5 < 2
  std::vector<float> neg = {-1.0f, -1.5f};
  std::vector<int32_t> hist0 = {0};
  EXPECT_EQ(s.sample(neg.data(), 2, hist0), 1);  // -1*2 = -2 < -1.5
  // Only the last repeat_last_n tokens count.
  SamplerParams q = p;
  q.repeat_last_n = 1;
  Sampler s2(q);
  std::vector<int32_t> old = {0, 2};
  EXPECT_EQ(s2.sample(l.data(), 3, old), 0);
}

}  // namespace
}  // namespace sprout
