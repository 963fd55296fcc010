#include "models/llama/perplexity.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "engine/error.h"

namespace sprout::llama {

namespace {

double log_sum_exp(const float* x, int n) {
  double m = x[0];
  for (int i = 1; i < n; ++i) m = std::max(m, double(x[i]));
  double s = 0;
  for (int i = 0; i < n; ++i) s += std::exp(double(x[i]) - m);
  return m + std::log(s);
}

int argmax(const float* x, int n) {
  int best = 0;
  for (int i = 1; i < n; ++i)
    if (x[i] > x[best]) best = i;
  return best;
}

// Variance of the mean of paired samples: cov(x, y) / (N - 1) (the standard error squared when x == y).
double cov_of_means(const std::vector<double>& x, const std::vector<double>& y) {
  const size_t n = x.size();
  if (n < 2) return 0;
  double mx = 0, my = 0;
  for (size_t i = 0; i < n; ++i) mx += x[i], my += y[i];
  mx /= double(n), my /= double(n);
  double c = 0;
  for (size_t i = 0; i < n; ++i) c += (x[i] - mx) * (y[i] - my);
  return c / double(n) / double(n - 1);
}

}  // namespace

double log_prob(const float* logits, int vocab, int32_t target) {
  return double(logits[target]) - log_sum_exp(logits, vocab);
}

double kl_divergence(const float* base, const float* model, int vocab) {
  const double zb = log_sum_exp(base, vocab), zm = log_sum_exp(model, vocab);
  double kl = 0;
  for (int i = 0; i < vocab; ++i) {
    const double lb = double(base[i]) - zb, lm = double(model[i]) - zm;
    kl += std::exp(lb) * (lb - lm);
  }
  return std::max(0.0, kl);  // rounding can leave a -1e-17 where the distributions are equal
}

MeanStats mean_stats(const std::vector<double>& x) {
  MeanStats s;
  if (x.empty()) return s;
  for (double v : x) s.mean += v;
  s.mean /= double(x.size());
  s.se = std::sqrt(std::max(0.0, cov_of_means(x, x)));
  return s;
}

double quantile(std::vector<double> x, double q) {
  if (x.empty()) return 0;
  std::sort(x.begin(), x.end());
  const double pos = std::clamp(q, 0.0, 1.0) * double(x.size() - 1);
  const size_t lo = size_t(pos), hi = std::min(lo + 1, x.size() - 1);
  return x[lo] + (pos - double(lo)) * (x[hi] - x[lo]);
}

PerplexityResult perplexity(const Model& model, const Model* base, const std::vector<int32_t>& tokens,
                            const PerplexityOptions& opt, const std::function<void(int, int, double)>& on_window) {
  const int V = model.config().vocab;
  const int ctx = opt.ctx;
  const int first = opt.first < 0 ? ctx / 2 : opt.first;
  if (ctx < 2) fail("ctx", "windows need at least 2 tokens");
  if (first > ctx - 2) fail("ctx", "no position left to score (first scored position " + std::to_string(first) +
                                       " in windows of " + std::to_string(ctx) + ")");
  if (base && base->config().vocab != V)
    fail("base model", "vocabulary of " + std::to_string(base->config().vocab) + " tokens differs from the model's " +
                           std::to_string(V));
  int windows = int(tokens.size() / size_t(ctx));
  if (windows == 0)
    fail("tokens", std::to_string(tokens.size()) + " tokens are fewer than one window of " + std::to_string(ctx) +
                       " (use a longer text or a smaller --ctx)");
  if (opt.max_windows > 0) windows = std::min(windows, opt.max_windows);
  for (int32_t t : tokens)
    if (t < 0 || t >= V) fail("tokens", "id " + std::to_string(t) + " outside the vocabulary of " + std::to_string(V));

  // Only ctx-1 tokens need to run: the last one is a target, never an input that is scored.
  const int n_in = ctx - 1;
  const int batch = std::max(1, std::min(opt.batch, n_in));
  State st(model, n_in, opt.kv_dtype);
  std::unique_ptr<State> st_base = base ? std::make_unique<State>(*base, n_in, opt.base_kv_dtype.value_or(opt.kv_dtype)) : nullptr;
  std::vector<float> logits(size_t(batch) * size_t(V)), logits_base(base ? logits.size() : 0);
  std::vector<double> nll, nll_base, kl;
  int same = 0;
  PerplexityResult r;
  for (int w = 0; w < windows; ++w) {
    std::vector<int32_t> win(tokens.begin() + long(w) * ctx, tokens.begin() + long(w + 1) * ctx);
    if (opt.bos_first) win[0] = opt.bos_id;
    st.reset();
    if (st_base) st_base->reset();
    double window_nll = 0;
    for (int off = 0; off < n_in; off += batch) {
      const int n = std::min(batch, n_in - off);
      const bool scored = off + n > first;  // does this batch hold a scored position?
      // Unscored batches only fill the cache; their last row of logits is computed and ignored.
      forward(model, st, win.data() + off, n, logits.data(), scored);
      if (base) forward(*base, *st_base, win.data() + off, n, logits_base.data(), scored);
      if (!scored) continue;
      for (int j = std::max(off, first); j < off + n; ++j) {
        const float* lm = &logits[size_t(j - off) * size_t(V)];
        const int32_t target = win[size_t(j) + 1];
        nll.push_back(-log_prob(lm, V, target));
        window_nll += nll.back();
        if (!base) continue;
        const float* lb = &logits_base[size_t(j - off) * size_t(V)];
        nll_base.push_back(-log_prob(lb, V, target));
        kl.push_back(kl_divergence(lb, lm, V));
        same += argmax(lb, V) == argmax(lm, V);
      }
    }
    r.window_ppl.push_back(std::exp(window_nll / double(ctx - 1 - first)));
    if (on_window) on_window(w, windows, std::exp(mean_stats(nll).mean));
  }

  r.windows = windows;
  r.scored = int(nll.size());
  const MeanStats m = mean_stats(nll);
  r.nll_mean = m.mean;
  r.ppl = std::exp(m.mean);
  r.ppl_se = r.ppl * m.se;
  if (!base) return r;

  r.has_base = true;
  const MeanStats b = mean_stats(nll_base);
  r.base_nll_mean = b.mean;
  r.base_ppl = std::exp(b.mean);
  r.base_ppl_se = r.base_ppl * b.se;
  std::vector<double> diff(nll.size());
  for (size_t i = 0; i < nll.size(); ++i) diff[i] = nll[i] - nll_base[i];
  const MeanStats d = mean_stats(diff);
  r.ln_ratio = d.mean;
  r.ln_ratio_se = d.se;
  // ppl - base_ppl: first-order propagation with the covariance of the two mean nlls.
  r.delta_ppl = r.ppl - r.base_ppl;
  const double var = r.ppl * r.ppl * m.se * m.se + r.base_ppl * r.base_ppl * b.se * b.se -
                     2 * r.ppl * r.base_ppl * cov_of_means(nll, nll_base);
  r.delta_ppl_se = std::sqrt(std::max(0.0, var));
  const MeanStats k = mean_stats(kl);
  r.kl_mean = k.mean;
  r.kl_se = k.se;
  r.kl_median = quantile(kl, 0.5);
  r.kl_p90 = quantile(kl, 0.9);
  r.kl_p99 = quantile(kl, 0.99);
  r.kl_max = *std::max_element(kl.begin(), kl.end());
  const double n = double(kl.size());
  r.top1 = double(same) / n;
  r.top1_se = n > 1 ? std::sqrt(r.top1 * (1 - r.top1) / (n - 1)) : 0;
  return r;
}

}  // namespace sprout::llama
