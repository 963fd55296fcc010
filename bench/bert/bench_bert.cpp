// End-to-end BERT embedding throughput at the exact paraphrase-multilingual-MiniLM-L12-v2
// shapes (hidden 384, 12 layers, 12 heads, FFN 1536, vocab 250037, 512 positions) with seeded
// random weights written at start-up (never committed).
//
//   sprout_bench_bert [--benchmark_filter=...]      sentences/s for 256 sentences of 16 / 64
//                                                    tokens, batch 1 / 32, 1 / 2 threads,
//                                                    f32 / int8 (i8_row, q8_0) linear weights
//   sprout_bench_bert --write-model DIR              only writes the model directory (for
//                                                    `sprout embed` timing, RSS and load time)
//
// The model directory is an HF BertModel + sentence-transformers layout (model.safetensors,
// config.json, 1_Pooling, sentence_bert_config.json) without tokenizer files: input is ids.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "engine/threads.h"
#include "models/bert/bert.h"

namespace {

namespace fs = std::filesystem;
constexpr int kHidden = 384, kLayers = 12, kHeads = 12, kFfn = 1536, kVocab = 250037, kPositions = 512;

// Fast seeded uniform values in [-a, a] (std::normal_distribution over 118M values is slow).
struct Rng {
  uint64_t s;
  float next(float a) {
    s ^= s << 13; s ^= s >> 7; s ^= s << 17;
    return (float(s >> 40) / float(1 << 24) * 2.0f - 1.0f) * a;
  }
};

// safetensors: u64 header length, JSON header, f32 data.
void write_model(const std::string& dir) {
  fs::create_directories(fs::path(dir) / "1_Pooling");
  struct T { std::string name; std::vector<int64_t> shape; float scale; float offset; };
  std::vector<T> ts = {{"embeddings.word_embeddings.weight", {kVocab, kHidden}, 0.5f, 0},
                       {"embeddings.position_embeddings.weight", {kPositions, kHidden}, 0.3f, 0},
                       {"embeddings.token_type_embeddings.weight", {2, kHidden}, 0.3f, 0},
                       {"embeddings.LayerNorm.weight", {kHidden}, 0.2f, 1},
                       {"embeddings.LayerNorm.bias", {kHidden}, 0.1f, 0}};
  const float w = 1.5f / std::sqrt(float(kHidden)) * std::sqrt(3.0f);
  for (int l = 0; l < kLayers; ++l) {
    const std::string p = "encoder.layer." + std::to_string(l) + ".";
    for (const char* n : {"attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"}) {
      ts.push_back({p + n + ".weight", {kHidden, kHidden}, w, 0});
      ts.push_back({p + n + ".bias", {kHidden}, 0.1f, 0});
    }
    ts.push_back({p + "attention.output.LayerNorm.weight", {kHidden}, 0.2f, 1});
    ts.push_back({p + "attention.output.LayerNorm.bias", {kHidden}, 0.1f, 0});
    ts.push_back({p + "intermediate.dense.weight", {kFfn, kHidden}, w, 0});
    ts.push_back({p + "intermediate.dense.bias", {kFfn}, 0.1f, 0});
    ts.push_back({p + "output.dense.weight", {kHidden, kFfn}, 1.5f / std::sqrt(float(kFfn)) * std::sqrt(3.0f), 0});
    ts.push_back({p + "output.dense.bias", {kHidden}, 0.1f, 0});
    ts.push_back({p + "output.LayerNorm.weight", {kHidden}, 0.2f, 1});
    ts.push_back({p + "output.LayerNorm.bias", {kHidden}, 0.1f, 0});
  }
  std::string header = "{";
  uint64_t off = 0;
  for (const T& t : ts) {
    uint64_t n = 1;
    std::string shape;
    for (int64_t d : t.shape) { n *= uint64_t(d); shape += (shape.empty() ? "" : ",") + std::to_string(d); }
    header += "\"" + t.name + "\":{\"dtype\":\"F32\",\"shape\":[" + shape + "],\"data_offsets\":[" +
              std::to_string(off) + "," + std::to_string(off + n * 4) + "]},";
    off += n * 4;
  }
  header.back() = '}';
  while (header.size() % 8) header += ' ';
  std::ofstream f(fs::path(dir) / "model.safetensors", std::ios::binary);
  const uint64_t hl = header.size();
  f.write(reinterpret_cast<const char*>(&hl), 8);
  f.write(header.data(), std::streamsize(header.size()));
  Rng rng{0x9E3779B97F4A7C15ull};
  std::vector<float> buf;
  for (const T& t : ts) {
    uint64_t n = 1;
    for (int64_t d : t.shape) n *= uint64_t(d);
    buf.resize(n);
    for (float& v : buf) v = t.offset + rng.next(t.scale);
    f.write(reinterpret_cast<const char*>(buf.data()), std::streamsize(n * 4));
  }
  std::ofstream(fs::path(dir) / "config.json")
      << "{\"architectures\": [\"BertModel\"], \"model_type\": \"bert\", \"hidden_act\": \"gelu\", "
         "\"hidden_size\": 384, \"intermediate_size\": 1536, \"num_attention_heads\": 12, "
         "\"num_hidden_layers\": 12, \"max_position_embeddings\": 512, \"type_vocab_size\": 2, "
         "\"vocab_size\": 250037, \"layer_norm_eps\": 1e-12, \"pad_token_id\": 0, "
         "\"position_embedding_type\": \"absolute\"}\n";
  std::ofstream(fs::path(dir) / "1_Pooling" / "config.json")
      << "{\"word_embedding_dimension\": 384, \"pooling_mode_mean_tokens\": true}\n";
  std::ofstream(fs::path(dir) / "sentence_bert_config.json") << "{\"max_seq_length\": 128}\n";
}

std::string model_dir() {
  static const std::string dir = [] {
    const std::string d = (fs::temp_directory_path() / "sprout_bench_minilm_l12").string();
    if (!fs::exists(fs::path(d) / "model.safetensors")) write_model(d);
    return d;
  }();
  return dir;
}

// 256 sentences of `len` tokens: [CLS] random ids [SEP] (lengths vary +-25% like real text).
std::vector<std::vector<int32_t>> sentences(int len) {
  std::mt19937 rng(42);
  std::vector<std::vector<int32_t>> out(256);
  for (auto& s : out) {
    const int n = std::max(3, int(len * (0.75 + 0.5 * (rng() % 1000) / 1000.0)));
    s.push_back(0);
    for (int i = 1; i + 1 < n; ++i) s.push_back(int32_t(5 + rng() % (kVocab - 5)));
    s.push_back(2);
  }
  return out;
}

const sprout::bert::Model& model(int type) {
  // 0 = f32 as stored, 1 = i8_row, 2 = q8_0 linear weights.
  static std::unique_ptr<sprout::bert::Model> m[3];
  if (!m[type]) {
    sprout::bert::LoadOptions lo;
    if (type == 1) lo.linear_type = sprout::DType::i8_row;
    if (type == 2) lo.linear_type = sprout::DType::q8_0;
    m[type] = sprout::bert::Model::load(model_dir(), lo);
  }
  return *m[type];
}

// Args: tokens per sentence, batch size, threads, weight type.
void BM_Embed(benchmark::State& state) {
  const auto seqs = sentences(int(state.range(0)));
  sprout::bert::EmbedOptions eo;
  eo.batch_size = int(state.range(1));
  sprout::set_num_threads(int(state.range(2)));
  const auto& m = model(int(state.range(3)));
  int64_t tokens = 0;
  for (auto& s : seqs) tokens += int64_t(s.size());
  for (auto _ : state) benchmark::DoNotOptimize(m.embed(seqs, eo));
  state.counters["sent/s"] = benchmark::Counter(double(seqs.size()), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["tok/s"] = benchmark::Counter(double(tokens), benchmark::Counter::kIsIterationInvariantRate);
  sprout::set_num_threads(0);
}
BENCHMARK(BM_Embed)
    ->ArgNames({"tokens", "batch", "threads", "w"})
    ->ArgsProduct({{16, 64}, {1, 32}, {1, 2}, {0, 1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->MinTime(1.0)
    ->UseRealTime();

void BM_Load(benchmark::State& state) {
  const std::string dir = model_dir();
  for (auto _ : state) benchmark::DoNotOptimize(sprout::bert::Model::load(dir));
  state.SetLabel("mmap, f32 as stored");
}
BENCHMARK(BM_Load)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "--write-model") == 0) {
    write_model(argv[2]);
    std::printf("wrote %s\n", argv[2]);
    return 0;
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
