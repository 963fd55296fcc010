// Tokenizer throughput in MB/s of input text, one core, per algorithm.
//   build/bench/sprout_bench_tokenizers --benchmark_counters_tabular=true
// Corpora: "english" = the stories260K reference story repeated to 1 MiB; "multi" = the
// golden texts (French, Yoruba, Chinese, Arabic, emoji, code ...) repeated to 1 MiB.
#include <benchmark/benchmark.h>

#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "loaders/tokenizer.h"

namespace {

std::string repo(const std::string& rel) { return std::string(SPROUT_SOURCE_DIR) + "/" + rel; }

std::string slurp(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string to_size(std::string unit, size_t n) {
  std::string out;
  while (out.size() < n) out += unit;
  out.resize(n);
  return out;
}

const std::string& corpus(bool multi) {
  static const std::string english = to_size(slurp(repo("tests/data/tokenizers/llama2c/greedy_bos.txt")), 1 << 20);
  static const std::string multilingual = [] {
    auto j = nlohmann::json::parse(slurp(repo("tools/tokenizer_goldens/texts.json")));
    std::string all;
    for (const auto& c : j) all += c["text"].get<std::string>() + "\n";
    return to_size(all, 1 << 20);
  }();
  return multi ? multilingual : english;
}

const sprout::Tokenizer& tokenizer(const std::string& rel) {
  static std::map<std::string, std::unique_ptr<sprout::Tokenizer>> cache;
  auto& t = cache[rel];
  if (!t) t = sprout::Tokenizer::load(repo("tests/data/tokenizers/" + rel));
  return *t;
}

void BM_Encode(benchmark::State& state, std::string rel, bool multi) {
  const sprout::Tokenizer& tk = tokenizer(rel);
  const std::string& text = corpus(multi);
  size_t n = 0;
  for (auto _ : state) {
    auto ids = tk.encode(text, false);
    n = ids.size();
    benchmark::DoNotOptimize(ids.data());
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(text.size()));
  state.counters["tokens"] = double(n);
}

// The same corpus one line per call (prompts, sentences): what chat, embed and translate do.
void BM_EncodeLines(benchmark::State& state, std::string rel, bool multi) {
  const sprout::Tokenizer& tk = tokenizer(rel);
  const std::string& text = corpus(multi);
  std::vector<std::string_view> lines;
  for (size_t p = 0; p < text.size();) {
    size_t e = text.find('\n', p);
    if (e == std::string::npos) e = text.size();
    lines.push_back(std::string_view(text).substr(p, e + 1 - p));
    p = e + 1;
  }
  for (auto _ : state)
    for (auto l : lines) {
      auto ids = tk.encode(l, false);
      benchmark::DoNotOptimize(ids.data());
    }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(text.size()));
}

void BM_Load(benchmark::State& state, std::string rel) {
  for (auto _ : state) {
    auto tk = sprout::Tokenizer::load(repo("tests/data/tokenizers/" + rel));
    benchmark::DoNotOptimize(tk.get());
  }
}

}  // namespace

BENCHMARK_CAPTURE(BM_Encode, bpe_qwen_english, std::string("qwen"), false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Encode, bpe_qwen_multi, std::string("qwen"), true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Encode, wordpiece_bert_english, std::string("bert-uncased"), false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Encode, wordpiece_bert_multi, std::string("bert-uncased"), true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Encode, spm_bpe_llama2_english, std::string("llama2"), false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Encode, spm_bpe_llama2_multi, std::string("llama2"), true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Encode, spm_unigram_english, std::string("unigram"), false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Encode, llama2c_tok512_english, std::string("llama2c/tok512.bin"), false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Encode, llama2c_llama2_english, std::string("llama2c/tokenizer.bin"), false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_EncodeLines, bpe_qwen_multi, std::string("qwen"), true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_EncodeLines, wordpiece_bert_multi, std::string("bert-uncased"), true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_EncodeLines, spm_bpe_llama2_english, std::string("llama2"), false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_EncodeLines, spm_bpe_llama2_multi, std::string("llama2"), true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_EncodeLines, spm_unigram_multi, std::string("unigram"), true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_EncodeLines, llama2c_tok512_english, std::string("llama2c/tok512.bin"), false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Load, qwen_vocab_merges, std::string("qwen"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Load, llama2_spm, std::string("llama2"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Load, bert_vocab_txt, std::string("bert-uncased"))->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
