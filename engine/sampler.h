// Picks the next token from a row of logits.
//
// Order of operations (as llama.cpp and HF generate apply them):
//   1. repetition penalty over the last `repeat_last_n` tokens of the history
//      (CTRL paper: a positive logit is divided by the penalty, a negative one multiplied);
//   2. temperature <= 0: greedy argmax (lowest id wins a tie) — nothing random happens;
//   3. top-k (k > 0 keeps the k largest logits);
//   4. softmax of logit / temperature over what is left;
//   5. top-p: the smallest set of most probable tokens whose mass reaches p;
//   6. min-p: drop tokens whose probability is below min_p x the top probability;
//   7. draw from the renormalized distribution with the sampler's own RNG.
//
// The RNG is a fixed 64-bit generator (splitmix64 seeding an xorshift64*),
// so the same seed gives the same tokens on every platform and compiler.
#pragma once
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace sprout {

struct SamplerParams {
  float temperature = 0.8f;   // <= 0: greedy
  int top_k = 40;             // <= 0: off
  float top_p = 0.95f;        // >= 1: off
  float min_p = 0.05f;        // <= 0: off
  float repeat_penalty = 1.0f;  // 1: off
  int repeat_last_n = 64;
  uint64_t seed = 0;
};

class Sampler {
 public:
  explicit Sampler(const SamplerParams& p = {});
  // logits[vocab] (not modified); history = tokens so far (prompt + generated).
  int32_t sample(const float* logits, int32_t vocab, std::span<const int32_t> history = {});
  void reseed(uint64_t seed);
  const SamplerParams& params() const { return p_; }

  static int32_t argmax(const float* logits, int32_t vocab);

 private:
  double uniform();  // [0, 1)
  SamplerParams p_;
  uint64_t state_ = 0;
  std::vector<std::pair<float, int32_t>> cand_;  // reused scratch
};

}  // namespace sprout
