// Perplexity of a decoder on a token sequence, and how far a (quantized) model's
// next-token distributions are from a base model's on the same tokens (KL divergence,
// top-1 agreement): the figures llama.cpp's llama-perplexity reports.
//
// Windowing (the same as llama-perplexity's default, `sprout perplexity` documents it):
//   * tokens are cut into non-overlapping windows of `ctx`; a trailing partial window
//     is dropped; each window is evaluated from an empty KV cache;
//   * with bos_first, the first token of every window is replaced by BOS, so every
//     window starts the way the model saw text in training;
//   * the logits at window position j predict the token at j + 1; positions
//     j = first .. ctx-2 are scored. first = ctx/2 (the default) scores the second half,
//     so every scored token has at least ctx/2 tokens of context; first = 0 scores every
//     token of the window but the first.
//
// Statistics (natural logs, over the N scored positions):
//   ppl = exp(mean nll);  ppl_se = ppl * sd(nll) / sqrt(N-1)   (first-order error propagation)
//   KL(base || model) = sum_v p_base(v) (log p_base(v) - log p_model(v)) per position.
// All arithmetic is plain double-precision C++ (no SIMD): this is the test oracle too.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "models/llama/model.h"

namespace sprout::llama {

// ---- the math on one row of logits -------------------------------------------------------

// log softmax(logits)[target], computed stably in double.
double log_prob(const float* logits, int vocab, int32_t target);
// KL(softmax(base) || softmax(model)) in nats, >= 0.
double kl_divergence(const float* base, const float* model, int vocab);

// Mean, its standard error, exp(mean) and the error of exp(mean), over samples.
struct MeanStats {
  double mean = 0, se = 0;
};
MeanStats mean_stats(const std::vector<double>& x);
// The q-quantile (0..1) of x by linear interpolation between order statistics.
double quantile(std::vector<double> x, double q);

// ---- the windowed evaluation ------------------------------------------------------------

struct PerplexityOptions {
  int ctx = 512;          // window length in tokens (>= 2)
  int first = -1;         // first scored logit position in a window; -1 = ctx / 2
  int max_windows = 0;    // 0 = every full window
  bool bos_first = false; // replace each window's first token by bos_id
  int32_t bos_id = -1;
  int batch = 64;         // tokens per forward call (bounds the logits buffer to batch x vocab)
  DType kv_dtype = DType::f16;       // the model's KV cache (f16: what generation uses)
  std::optional<DType> base_kv_dtype;  // the base model's; unset: kv_dtype
};

struct PerplexityResult {
  int windows = 0, scored = 0;
  double nll_mean = 0, ppl = 0, ppl_se = 0;
  // With a base model (has_base): the base's figures and the comparison.
  bool has_base = false;
  double base_nll_mean = 0, base_ppl = 0, base_ppl_se = 0;
  double ln_ratio = 0, ln_ratio_se = 0;     // mean(nll_model - nll_base) = ln(ppl / base_ppl)
  double delta_ppl = 0, delta_ppl_se = 0;   // ppl - base_ppl
  double kl_mean = 0, kl_se = 0, kl_median = 0, kl_p90 = 0, kl_p99 = 0, kl_max = 0;
  double top1 = 0, top1_se = 0;             // fraction of positions whose argmax agrees
  std::vector<double> window_ppl;           // per window, for progress / inspection
};

// Scores `tokens` under `model` (and `base` when not null; same vocabulary required,
// Error("--kl-base", ...) otherwise). Error("tokens", ...) when there is not one full
// window. on_window(i, n) is called after each window (progress), may be empty.
PerplexityResult perplexity(const Model& model, const Model* base, const std::vector<int32_t>& tokens,
                            const PerplexityOptions& opt,
                            const std::function<void(int, int, double)>& on_window = {});

}  // namespace sprout::llama
