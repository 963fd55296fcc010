#include "models/m2m100/search.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "engine/error.h"

namespace sprout::m2m100 {

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// log_softmax of one row in place (x - max - log sum exp(x - max)), as torch computes it.
void log_softmax(float* x, int n) {
  float mx = kNegInf;
  for (int i = 0; i < n; ++i) mx = std::max(mx, x[i]);
  double sum = 0;
  for (int i = 0; i < n; ++i) sum += std::exp(double(x[i] - mx));
  const float lse = float(std::log(sum));
  for (int i = 0; i < n; ++i) x[i] = x[i] - mx - lse;
}

// Pool of decoder caches; a hypothesis holds one slot.
struct CachePool {
  std::vector<HypCache> slots;
  std::vector<int> free;
  int take() {
    if (!free.empty()) { const int s = free.back(); free.pop_back(); slots[size_t(s)].len = 0; return s; }
    slots.emplace_back();
    return int(slots.size()) - 1;
  }
  void give(int s) { free.push_back(s); }
};

// HF BeamHypotheses: the best N finished hypotheses of one sentence.
struct Finished {
  int n;
  double lp;
  bool early;
  std::vector<std::pair<double, std::vector<int32_t>>> beams;
  double worst = 1e9;

  void add(const std::vector<int32_t>& hyp, double sum_logprobs) {
    const double score = sum_logprobs / std::pow(double(hyp.size()), lp);
    if (int(beams.size()) < n || score > worst) {
      beams.emplace_back(score, hyp);
      if (int(beams.size()) > n) {
        // Drop the worst (the earliest on ties); the new worst is the second lowest.
        std::vector<std::pair<double, size_t>> order;
        for (size_t i = 0; i < beams.size(); ++i) order.emplace_back(beams[i].first, i);
        std::sort(order.begin(), order.end());
        beams.erase(beams.begin() + std::ptrdiff_t(order[0].second));
        worst = order[1].first;
      } else {
        worst = std::min(score, worst);
      }
    }
  }
  bool is_done(double best_sum_logprobs, int cur_len) const {
    if (int(beams.size()) < n) return false;
    if (early) return true;
    return worst >= best_sum_logprobs / std::pow(double(cur_len), lp);
  }
  // Highest score; on ties the latest added (HF sorts stably and pops the last).
  const std::pair<double, std::vector<int32_t>>& best() const {
    size_t b = 0;
    for (size_t i = 1; i < beams.size(); ++i)
      if (beams[i].first >= beams[b].first) b = i;
    return beams[b];
  }
};

struct Hyp {
  std::vector<int32_t> ids;
  float score = 0;  // sum of log-probs (float32, as HF's beam_scores)
  int slot = -1;
};

struct Sentence {
  std::vector<Hyp> beams;
  Finished fin;
  bool done = false;
  double score = 0;  // greedy: sum of log-probs
};

struct Candidate {
  float score;
  int32_t token;
  int beam;
};

// The output vocabulary: every id, or a shortlist's ids (row index i <-> token).
struct Vocab {
  const Shortlist* sl;
  int size;
  int32_t token(int i) const { return sl ? sl->token(i) : int32_t(i); }
  int index(int32_t t) const { return sl ? sl->index_of(t) : int(t); }  // -1: not an output
};

// HF logits processors in their order: MinLength, NoRepeatNGram (ForcedBOS is handled
// by the caller: the forced step needs no logits at all). Tokens outside the output
// vocabulary are already impossible.
void process(float* row, const std::vector<int32_t>& prefix, const SearchOptions& opt, int32_t eos,
             const Vocab& vocab) {
  if (int(prefix.size()) < opt.min_length) row[vocab.index(eos)] = kNegInf;
  for (int32_t t : banned_ngram_tokens(prefix, opt.no_repeat_ngram))
    if (const int i = vocab.index(t); i >= 0) row[i] = kNegInf;
}

// Decodes one batch of sentences (all encoded together) to completion.
void decode_batch(const Model& m, std::vector<Source>& srcs, const SearchOptions& opt,
                  std::vector<Translation>& out) {
  const Config& c = m.config();
  const Vocab vocab{opt.shortlist, opt.shortlist ? opt.shortlist->size() : c.vocab_size};
  const int V = vocab.size, N = opt.beam, B = int(srcs.size());  // V: logits per row
  const Tensor* out_rows = opt.shortlist ? &opt.shortlist->rows() : nullptr;
  m.encode(srcs);

  CachePool pool;
  std::vector<Sentence> sent(static_cast<size_t>(B));
  for (Sentence& s : sent) {
    s.fin = Finished{N, double(opt.length_penalty), opt.early_stopping, {}, 1e9};
    s.beams.push_back(Hyp{{c.decoder_start_id}, 0.f, pool.take()});
  }

  std::vector<float> logits;
  for (int step = 0;; ++step) {
    // Gather every live hypothesis.
    std::vector<int32_t> tokens;
    std::vector<HypCache*> caches;
    std::vector<const Source*> src_of;
    for (int b = 0; b < B; ++b) {
      if (sent[size_t(b)].done) continue;
      for (Hyp& h : sent[size_t(b)].beams) {
        tokens.push_back(h.ids.back());
        caches.push_back(&pool.slots[size_t(h.slot)]);
        src_of.push_back(&srcs[size_t(b)]);
      }
    }
    const int M = int(tokens.size());
    if (M == 0) break;
    const bool forced = step == 0 && opt.forced_bos >= 0;
    if (!forced) logits.resize(size_t(M) * size_t(V));
    m.decode_step(tokens.data(), M, step, caches.data(), src_of.data(), forced ? nullptr : logits.data(), out_rows);

    int row = 0;
    for (int b = 0; b < B; ++b) {
      Sentence& s = sent[size_t(b)];
      if (s.done) continue;
      const int nb = int(s.beams.size());
      float* rows = forced ? nullptr : logits.data() + size_t(row) * size_t(V);
      row += nb;

      if (N == 1) {  // greedy: argmax of the processed logits
        Hyp& h = s.beams[0];
        int32_t next = opt.forced_bos;
        if (!forced) {
          process(rows, h.ids, opt, c.eos_id, vocab);
          const int best = int(std::max_element(rows, rows + V) - rows);
          log_softmax(rows, V);
          s.score += rows[best];
          next = vocab.token(best);
        }
        h.ids.push_back(next);
        if (next == c.eos_id || int(h.ids.size()) >= opt.max_length) {
          s.done = true;
          pool.give(h.slot);
          out[size_t(b)].ids = h.ids;
          out[size_t(b)].score = s.score;
        }
        continue;
      }

      // Beam: candidates = top 2N of (log-prob + beam score) over all beams.
      std::vector<Candidate> cand;
      for (int i = 0; i < nb; ++i) {
        const Hyp& h = s.beams[size_t(i)];
        if (forced) { cand.push_back({0.f + h.score, opt.forced_bos, i}); continue; }
        float* r = rows + size_t(i) * size_t(V);
        log_softmax(r, V);
        process(r, h.ids, opt, c.eos_id, vocab);
        std::vector<int32_t> idx(static_cast<size_t>(V));
        for (int t = 0; t < V; ++t) idx[size_t(t)] = t;
        const int keep = std::min(2 * N, V);
        std::partial_sort(idx.begin(), idx.begin() + keep, idx.end(),
                          [&](int32_t x, int32_t y) { return r[x] > r[y] || (r[x] == r[y] && x < y); });
        for (int j = 0; j < keep; ++j)
          if (r[idx[size_t(j)]] != kNegInf) cand.push_back({r[idx[size_t(j)]] + h.score, vocab.token(idx[size_t(j)]), i});
      }
      std::stable_sort(cand.begin(), cand.end(), [](const Candidate& x, const Candidate& y) { return x.score > y.score; });
      if (int(cand.size()) > 2 * N) cand.resize(size_t(2 * N));
      if (cand.empty()) fail("beam search", "no finite candidate");

      const int cur_len = int(s.beams[0].ids.size());
      std::vector<Candidate> next;
      for (int rank = 0; rank < int(cand.size()) && int(next.size()) < N; ++rank) {
        const Candidate& k = cand[size_t(rank)];
        if (k.token == c.eos_id) {
          if (rank >= N) continue;
          s.fin.add(s.beams[size_t(k.beam)].ids, double(k.score));
        } else {
          next.push_back(k);
        }
      }
      s.done = s.fin.is_done(double(cand[0].score), cur_len);

      // New beams: the first child of a beam keeps its cache slot, others copy it.
      std::vector<int> children(size_t(nb), 0);
      for (const Candidate& k : next) children[size_t(k.beam)]++;
      for (int i = 0; i < nb; ++i)
        if (children[size_t(i)] == 0) pool.give(s.beams[size_t(i)].slot);
      std::vector<bool> claimed(size_t(nb), false);
      std::vector<Hyp> beams;
      for (const Candidate& k : next) {
        const Hyp& parent = s.beams[size_t(k.beam)];
        Hyp h{parent.ids, k.score, parent.slot};
        h.ids.push_back(k.token);
        if (claimed[size_t(k.beam)]) {
          h.slot = pool.take();
          pool.slots[size_t(h.slot)].copy_from(pool.slots[size_t(parent.slot)], c.d_model);
        }
        claimed[size_t(k.beam)] = true;
        beams.push_back(std::move(h));
      }
      s.beams = std::move(beams);

      const bool at_max = !s.beams.empty() && int(s.beams[0].ids.size()) >= opt.max_length;
      if (!s.done && at_max) {
        for (const Hyp& h : s.beams) s.fin.add(h.ids, double(h.score));
        s.done = true;
      }
      if (s.done) {
        for (const Hyp& h : s.beams) pool.give(h.slot);
        s.beams.clear();
        const auto& best = s.fin.best();
        out[size_t(b)].ids = best.second;
        if (int(best.second.size()) < opt.max_length) out[size_t(b)].ids.push_back(c.eos_id);
        out[size_t(b)].score = best.first;
      }
    }
  }
}

}  // namespace

std::vector<int32_t> banned_ngram_tokens(const std::vector<int32_t>& prefix, int n) {
  const int len = int(prefix.size());
  std::vector<int32_t> banned;
  if (n <= 0 || len + 1 < n) return banned;
  // Every earlier n-gram whose first n-1 tokens equal the last n-1 tokens bans its last token.
  for (int i = 0; i + n <= len; ++i) {
    if (std::equal(prefix.begin() + i, prefix.begin() + i + n - 1, prefix.end() - (n - 1)))
      banned.push_back(prefix[size_t(i + n - 1)]);
  }
  return banned;
}

std::vector<Translation> translate(const Model& m, const std::vector<std::vector<int32_t>>& sources,
                                   const SearchOptions& opt) {
  if (opt.beam < 1) fail("beam search", "beam width must be at least 1");
  if (opt.max_length < 2) fail("beam search", "max length must be at least 2");
  const int V = m.config().vocab_size;
  if (opt.forced_bos >= V) fail("decoder", "forced token " + std::to_string(opt.forced_bos) + " is outside the vocabulary");
  if (const Shortlist* sl = opt.shortlist) {
    if (sl->rows().dim(1) != m.config().d_model || sl->ids().back() >= V)
      fail("shortlist", "built for another model");
    if (sl->index_of(m.config().eos_id) < 0) fail("shortlist", "does not contain </s>");
    if (opt.forced_bos >= 0 && sl->index_of(opt.forced_bos) < 0)
      fail("shortlist", "does not contain the forced target-language token " + std::to_string(opt.forced_bos));
  }
  std::vector<Translation> out(sources.size());
  const size_t per_batch = size_t(std::max(1, opt.max_batch / opt.beam));
  for (size_t i = 0; i < sources.size(); i += per_batch) {
    const size_t n = std::min(per_batch, sources.size() - i);
    std::vector<Source> srcs(n);
    for (size_t j = 0; j < n; ++j) srcs[j].ids = sources[i + j];
    std::vector<Translation> part(n);
    decode_batch(m, srcs, opt, part);
    for (size_t j = 0; j < n; ++j) out[i + j] = std::move(part[j]);
  }
  return out;
}

}  // namespace sprout::m2m100
