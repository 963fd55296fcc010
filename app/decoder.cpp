#include "app/decoder.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <random>

#include "app/registry.h"
#include "engine/error.h"
#include "loaders/gguf.h"

namespace sprout::app {

namespace fs = std::filesystem;

namespace {

// Does `path` (the model) carry tokenizer files the Tokenizer loader understands?
bool has_tokenizer_files(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    for (const char* f : {"tokenizer.json", "vocab.json", "tokenizer.model", "vocab.txt", "sentencepiece.bpe.model"})
      if (fs::exists(fs::path(path) / f, ec)) return true;
    return false;
  }
  if (path.size() > 5 && path.compare(path.size() - 5, 5, ".gguf") == 0) {
    auto g = GgufFile::open(path);
    return g->find("tokenizer.ggml.tokens") != nullptr;
  }
  return false;
}

void add_stop(std::vector<int32_t>& v, int64_t id) {
  if (id >= 0 && std::find(v.begin(), v.end(), int32_t(id)) == v.end()) v.push_back(int32_t(id));
}

}  // namespace

Decoder load_decoder(const std::string& model_arg, const std::string& tok_arg, TokenizerUse use) {
  const ResolvedModel r = resolve_model(model_arg);
  const std::string tok_path = !tok_arg.empty() ? tok_arg : r.tokenizer;
  Decoder d;
  const auto t0 = std::chrono::steady_clock::now();
  d.model = llama::Model::load(r.model);
  d.load_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (use == TokenizerUse::none) {
    // ids only
  } else if (!tok_path.empty()) {
    d.tok = Tokenizer::load(tok_path);
  } else if (use == TokenizerUse::required) {
    if (!has_tokenizer_files(r.model))
      fail(r.model, d.model->format() == "llama2c" ? "a llama2.c checkpoint needs its tokenizer: --tokenizer FILE"
                                                   : "no tokenizer files (give --ids, or --tokenizer FILE)");
    d.tok = Tokenizer::load(r.model);
  } else if (has_tokenizer_files(r.model)) {
    try {
      d.tok = Tokenizer::load(r.model);
    } catch (const Error&) {
      // Only its stop tokens were wanted; the config's EOS still applies.
    }
  }
  const llama::Config& c = d.model->config();
  add_stop(d.stop_ids, c.eos);
  if (d.tok) {
    add_stop(d.stop_ids, d.tok->eos_id);
    for (const char* s : {"<|im_end|>", "<|endoftext|>"})
      if (auto id = d.tok->token_id(s)) add_stop(d.stop_ids, *id);
  }
  if (d.model->format() == "llama2c") add_stop(d.stop_ids, c.bos);  // run.c ends a story at BOS
  d.stop_ids.erase(std::remove_if(d.stop_ids.begin(), d.stop_ids.end(), [&](int32_t id) { return id >= c.vocab; }),
                   d.stop_ids.end());
  return d;
}

void add_sampling_flags(ArgParser& p) {
  p.option("--temp", "T", "temperature; 0 = greedy", "0.8");
  p.option("--top-k", "K", "keep the K most likely tokens (0 = off)", "40");
  p.option("--top-p", "P", "nucleus sampling mass (1 = off)", "0.95");
  p.option("--min-p", "P", "drop tokens below P x the top probability (0 = off)", "0.05");
  p.option("--repeat-penalty", "R", "penalty for tokens among the last 64 (1 = off)", "1.0");
  p.option("--seed", "S", "random seed (default: from the clock); same seed, same output");
}

SamplerParams sampling_from_flags(const ArgParser& p) {
  SamplerParams s;
  s.temperature = float(p.get_double("--temp"));
  s.top_k = int(p.get_int("--top-k", 0, 1 << 24));
  s.top_p = float(p.get_double("--top-p"));
  s.min_p = float(p.get_double("--min-p"));
  s.repeat_penalty = float(p.get_double("--repeat-penalty"));
  if (s.temperature < 0) throw UsageError("--temp", "must be >= 0");
  if (!(s.top_p > 0 && s.top_p <= 1)) throw UsageError("--top-p", "must be in (0, 1]");
  if (!(s.min_p >= 0 && s.min_p <= 1)) throw UsageError("--min-p", "must be in [0, 1]");
  if (!(s.repeat_penalty > 0)) throw UsageError("--repeat-penalty", "must be > 0");
  s.seed = p.has("--seed") ? uint64_t(p.get_int("--seed", 0, (1ll << 62))) : uint64_t(std::random_device{}());
  return s;
}

int context_size(const llama::Model& m, int requested) {
  if (requested > 0) return requested;
  return std::min(m.config().max_ctx, 2048);
}

std::vector<int32_t> generate(const Decoder& d, llama::State& st, Sampler& sampler, std::vector<int32_t>& history,
                              int max_new, const std::function<bool(int32_t)>& on_token,
                              const std::atomic<bool>* interrupt) {
  const int vocab = d.model->config().vocab;
  if (size_t(st.pos()) >= history.size()) fail("prompt", "empty: nothing to continue");
  std::vector<float> logits(static_cast<size_t>(vocab));
  llama::forward(*d.model, st, history.data() + st.pos(), int(history.size()) - st.pos(), logits.data());
  std::vector<int32_t> out;
  for (int i = 0; i < max_new; ++i) {
    if (interrupt && interrupt->load()) break;
    const int32_t next = sampler.sample(logits.data(), vocab, history);
    if (std::find(d.stop_ids.begin(), d.stop_ids.end(), next) != d.stop_ids.end()) break;
    out.push_back(next);
    history.push_back(next);
    if (!on_token(next)) break;
    // The last token is left unfed (the next call feeds it) when we stop here.
    if (i + 1 == max_new || st.pos() >= st.capacity()) break;
    llama::forward(*d.model, st, &next, 1, logits.data());
  }
  return out;
}

std::vector<int32_t> parse_ids(const std::string& text, const std::string& flag) {
  std::vector<int32_t> ids;
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == ' ' || c == ',' || c == '\n' || c == '\t' || c == '\r') { ++i; continue; }
    size_t j = i;
    while (j < text.size() && text[j] >= '0' && text[j] <= '9') ++j;
    if (j == i || j - i > 9) throw UsageError(flag, "expected space-separated token ids, got '" + text.substr(i, 12) + "'");
    ids.push_back(int32_t(std::stol(text.substr(i, j - i))));
    i = j;
  }
  return ids;
}

}  // namespace sprout::app
