// Model open time (load_ms): WeightStore::open + config + a view of every
// tensor, i.e. everything before the first forward pass. The models are
// Qwen1.5-1.8B-sized (24 layers, hidden 2048, FFN 5504, vocab 151936, 291
// tensors) and generated at start-up into $TMPDIR as sparse files: headers
// are real, data regions are holes, so nothing big is written to disk.
//   * GGUF q4_k/q5_0/q6_k (~1.2 GB) with a full-size tokenizer in the metadata
//     (151936 tokens, 151387 merges, token types): a ~5 MB header;
//   * HF directory: 2 bf16 safetensors shards (~3.7 GB) + index + config.json.
// Opening must be O(header), not O(file).
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "loaders/config_llama.h"
#include "loaders/gguf.h"
#include "loaders/weights.h"

namespace {
using namespace sprout;

struct Spec {
  std::string hf, gguf;
  std::vector<int64_t> shape;  // outermost first
  bool quant;                  // matrix (quantized in GGUF) vs vector
};

std::vector<Spec> qwen_1_8b() {
  const int64_t V = 151936, D = 2048, F = 5504, L = 24;
  std::vector<Spec> s = {{"model.embed_tokens.weight", "token_embd.weight", {V, D}, true}};
  for (int64_t l = 0; l < L; ++l) {
    const std::string h = "model.layers." + std::to_string(l) + ".", g = "blk." + std::to_string(l) + ".";
    s.push_back({h + "input_layernorm.weight", g + "attn_norm.weight", {D}, false});
    for (const char* p : {"q", "k", "v"}) {
      s.push_back({h + "self_attn." + p + "_proj.weight", g + "attn_" + p + ".weight", {D, D}, true});
      s.push_back({h + "self_attn." + p + "_proj.bias", g + "attn_" + p + ".bias", {D}, false});
    }
    s.push_back({h + "self_attn.o_proj.weight", g + "attn_output.weight", {D, D}, true});
    s.push_back({h + "post_attention_layernorm.weight", g + "ffn_norm.weight", {D}, false});
    s.push_back({h + "mlp.gate_proj.weight", g + "ffn_gate.weight", {F, D}, true});
    s.push_back({h + "mlp.up_proj.weight", g + "ffn_up.weight", {F, D}, true});
    s.push_back({h + "mlp.down_proj.weight", g + "ffn_down.weight", {D, F}, true});
  }
  s.push_back({"model.norm.weight", "output_norm.weight", {D}, false});
  s.push_back({"lm_head.weight", "output.weight", {V, D}, true});
  return s;
}

void le(std::string& b, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) b.push_back(char(v >> (8 * i)));
}
void str(std::string& b, const std::string& s) {
  le(b, s.size(), 8);
  b += s;
}
// Writes `header` and extends the file to `total` bytes without writing the rest (a hole).
void write_sparse(const std::string& path, const std::string& header, uint64_t total) {
  const int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0644);
  if (fd < 0 || ::write(fd, header.data(), header.size()) != ssize_t(header.size()) ||
      ::ftruncate(fd, off_t(total)) != 0)
    std::perror(path.c_str()), std::exit(1);
  ::close(fd);
}

std::string make_gguf(const std::string& dir) {
  const auto specs = qwen_1_8b();
  std::string b = "GGUF";
  le(b, 3, 4);
  le(b, specs.size(), 8);
  le(b, 15, 8);
  auto kv_u32 = [&](const std::string& k, uint32_t v) { str(b, k), le(b, 4, 4), le(b, v, 4); };
  auto kv_f32 = [&](const std::string& k, float v) { uint32_t u; std::memcpy(&u, &v, 4); str(b, k), le(b, 6, 4), le(b, u, 4); };
  str(b, "general.architecture"), le(b, 8, 4), str(b, "qwen2");
  kv_u32("qwen2.block_count", 24);
  kv_u32("qwen2.context_length", 32768);
  kv_u32("qwen2.embedding_length", 2048);
  kv_u32("qwen2.feed_forward_length", 5504);
  kv_u32("qwen2.attention.head_count", 16);
  kv_u32("qwen2.attention.head_count_kv", 16);
  kv_f32("qwen2.rope.freq_base", 1e6f);
  kv_f32("qwen2.attention.layer_norm_rms_epsilon", 1e-6f);
  str(b, "tokenizer.ggml.model"), le(b, 8, 4), str(b, "gpt2");
  str(b, "tokenizer.ggml.tokens"), le(b, 9, 4), le(b, 8, 4), le(b, 151936, 8);
  for (int i = 0; i < 151936; ++i) str(b, "tok" + std::to_string(i));
  str(b, "tokenizer.ggml.token_type"), le(b, 9, 4), le(b, 5, 4), le(b, 151936, 8);
  for (int i = 0; i < 151936; ++i) le(b, 1, 4);
  str(b, "tokenizer.ggml.merges"), le(b, 9, 4), le(b, 8, 4), le(b, 151387, 8);
  for (int i = 0; i < 151387; ++i) {
    std::string merge = std::to_string(i % 977);
    merge += ' ';
    merge += std::to_string(i % 131);
    str(b, merge);
  }
  kv_u32("tokenizer.ggml.eos_token_id", 151645);
  kv_u32("tokenizer.ggml.bos_token_id", 151643);
  uint64_t off = 0;
  for (const Spec& s : specs) {
    // As llama.cpp's Q4_K_M: q6_k head; rows of 5504 (not a multiple of 256) fall back to q5_0.
    const DType dt = !s.quant ? DType::f32
                     : s.gguf == "output.weight" ? DType::q6_k
                     : s.shape.back() % 256 ? DType::q5_0 : DType::q4_k;
    str(b, s.gguf);
    le(b, s.shape.size(), 4);
    for (size_t d = s.shape.size(); d-- > 0;) le(b, uint64_t(s.shape[d]), 8);
    le(b, uint32_t(dtype_info(dt).gguf_id), 4);
    le(b, off, 8);
    off += (*tensor_bytes(dt, s.shape) + 31) / 32 * 32;
  }
  while (b.size() % 32) b.push_back(0);
  const std::string path = dir + "/qwen1.5-1.8b-q4_k.gguf";
  write_sparse(path, b, b.size() + off);
  return path;
}

std::string make_hf_dir(const std::string& dir) {
  const auto specs = qwen_1_8b();
  const std::string d = dir + "/qwen1.5-1.8b-hf";
  std::filesystem::create_directories(d);
  std::string index = "{\"metadata\": {}, \"weight_map\": {";
  for (int shard = 0; shard < 2; ++shard) {
    const std::string name = "model-0000" + std::to_string(shard + 1) + "-of-00002.safetensors";
    std::string h = "{\"__metadata__\":{\"format\":\"pt\"}";
    uint64_t off = 0;
    for (size_t i = shard * specs.size() / 2; i < (shard + 1) * specs.size() / 2; ++i) {
      const Spec& s = specs[i];
      const uint64_t n = *tensor_bytes(DType::bf16, s.shape);
      h += ",\"" + s.hf + "\":{\"dtype\":\"BF16\",\"shape\":[";
      for (size_t k = 0; k < s.shape.size(); ++k) {
        if (k) h += ',';
        h += std::to_string(s.shape[k]);
      }
      h += "],\"data_offsets\":[" + std::to_string(off) + "," + std::to_string(off + n) + "]}";
      off += n;
      if (index.back() != '{') index += ',';
      index += "\"" + s.hf + "\": \"" + name + "\"";
    }
    h += "}";
    while (h.size() % 8) h += ' ';
    std::string file;
    le(file, h.size(), 8);
    file += h;
    write_sparse(d + "/" + name, file, file.size() + off);
  }
  index += "}}";
  FILE* f = std::fopen((d + "/model.safetensors.index.json").c_str(), "w");
  std::fputs(index.c_str(), f);
  std::fclose(f);
  f = std::fopen((d + "/config.json").c_str(), "w");
  std::fputs(R"({"model_type": "qwen2", "hidden_size": 2048, "intermediate_size": 5504, "num_hidden_layers": 24,
    "num_attention_heads": 16, "num_key_value_heads": 16, "rms_norm_eps": 1e-06, "rope_theta": 1000000.0,
    "vocab_size": 151936, "max_position_embeddings": 32768, "tie_word_embeddings": false, "torch_dtype": "bfloat16"})",
             f);
  std::fclose(f);
  return d;
}

struct Models {
  std::string dir, gguf, hf;
  Models() {
    const char* t = std::getenv("TMPDIR");
    dir = std::string(t && *t ? t : "/tmp") + "/sprout-bench-load";
    std::filesystem::create_directories(dir);
    gguf = make_gguf(dir);
    hf = make_hf_dir(dir);
  }
  ~Models() { std::filesystem::remove_all(dir); }
};
Models& models() {
  static Models m;
  return m;
}

// Everything before the first forward pass: open, config, every tensor view.
template <class F> void load(benchmark::State& state, const std::string& path, F config) {
  uint64_t bytes = 0, n = 0;
  for (auto _ : state) {
    auto ws = WeightStore::open(path);
    const LlamaConfig c = config(*ws);
    for (const TensorInfo& t : ws->infos()) benchmark::DoNotOptimize(ws->get(t.name).data);
    bytes = ws->file_bytes();
    n = ws->infos().size() + uint64_t(c.num_hidden_layers);
  }
  state.counters["file_MB"] = double(bytes) / 1e6;
  state.counters["tensors"] = double(n - 24);
}

void BM_LoadGgufQwen1_8B(benchmark::State& state) {
  load(state, models().gguf, [](const WeightStore& w) { return llama_config_from_gguf(*w.gguf()); });
}
void BM_LoadSafetensorsDirQwen1_8B(benchmark::State& state) {
  load(state, models().hf, [](const WeightStore&) { return llama_config_from_json(models().hf + "/config.json"); });
}
BENCHMARK(BM_LoadGgufQwen1_8B)->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(BM_LoadSafetensorsDirQwen1_8B)->Unit(benchmark::kMillisecond)->MinTime(1.0);

}  // namespace

BENCHMARK_MAIN();
