#include "engine/sampler.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

namespace sprout {

namespace {
uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
}  // namespace

Sampler::Sampler(const SamplerParams& p) : p_(p) { reseed(p.seed); }

void Sampler::reseed(uint64_t seed) {
  uint64_t s = seed;
  state_ = splitmix64(s);
  if (state_ == 0) state_ = 0x2545F4914F6CDD1Dull;  // xorshift must not start at 0
}

double Sampler::uniform() {
  state_ ^= state_ >> 12;
  state_ ^= state_ << 25;
  state_ ^= state_ >> 27;
  const uint64_t r = state_ * 0x2545F4914F6CDD1Dull;
  return double(r >> 11) * 0x1.0p-53;
}

int32_t Sampler::argmax(const float* logits, int32_t vocab) {
  int32_t best = 0;
  for (int32_t i = 1; i < vocab; ++i)
    if (logits[i] > logits[best]) best = i;
  return best;
}

int32_t Sampler::sample(const float* logits, int32_t vocab, std::span<const int32_t> history) {
  cand_.resize(size_t(vocab));
  for (int32_t i = 0; i < vocab; ++i) cand_[size_t(i)] = {logits[i], i};

  // 1. Repetition penalty, once per distinct recent token.
  if (p_.repeat_penalty != 1.0f && p_.repeat_last_n != 0 && !history.empty()) {
    const size_t n = p_.repeat_last_n < 0 ? history.size() : std::min(history.size(), size_t(p_.repeat_last_n));
    std::unordered_set<int32_t> seen(history.end() - long(n), history.end());
    for (int32_t id : seen) {
      if (id < 0 || id >= vocab) continue;
      float& l = cand_[size_t(id)].first;
      l = l > 0 ? l / p_.repeat_penalty : l * p_.repeat_penalty;
    }
  }

  // 2. Greedy.
  if (p_.temperature <= 0.0f) {
    int32_t best = 0;
    for (int32_t i = 1; i < vocab; ++i)
      if (cand_[size_t(i)].first > cand_[size_t(best)].first) best = i;
    return best;
  }

  // Sort candidates by logit, descending (ties: lower id first, for determinism).
  auto by_logit = [](const auto& a, const auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); };
  size_t keep = cand_.size();
  if (p_.top_k > 0 && size_t(p_.top_k) < keep) {  // 3. top-k
    keep = size_t(p_.top_k);
    std::partial_sort(cand_.begin(), cand_.begin() + long(keep), cand_.end(), by_logit);
    cand_.resize(keep);
  } else {
    std::sort(cand_.begin(), cand_.end(), by_logit);
  }

  // 4. Softmax with temperature (probabilities overwrite the logits).
  const float top = cand_[0].first;
  double sum = 0;
  for (auto& c : cand_) {
    c.first = std::exp((c.first - top) / p_.temperature);
    sum += c.first;
  }
  for (auto& c : cand_) c.first = float(c.first / sum);

  // 5. top-p: smallest prefix with mass >= p (always at least one token).
  if (p_.top_p < 1.0f) {
    double mass = 0;
    size_t n = 0;
    while (n < cand_.size()) {
      mass += cand_[n].first;
      ++n;
      if (mass >= p_.top_p) break;
    }
    cand_.resize(n);
  }
  // 6. min-p relative to the most probable token.
  if (p_.min_p > 0.0f) {
    const float floor_p = cand_[0].first * p_.min_p;
    size_t n = 1;
    while (n < cand_.size() && cand_[n].first >= floor_p) ++n;
    cand_.resize(n);
  }

  // 7. Draw.
  double total = 0;
  for (const auto& c : cand_) total += c.first;
  const double r = uniform() * total;
  double acc = 0;
  for (const auto& c : cand_) {
    acc += c.first;
    if (r < acc) return c.second;
  }
  return cand_.back().second;  // rounding at the very end of the range
}

}  // namespace sprout
