// The Llama-family decoder: Qwen1.5 / Qwen2 (q/k/v bias) and plain Llama.
//
//   Model  = Config + Weights: immutable after load, views into the mapped file
//            (only norms and biases are copied, to f32). Many States may share one Model.
//   State  = one conversation: the KV cache (f16 by default) and a scratch arena.
//   forward(model, state, tokens) runs the new tokens at positions state.pos()..,
//            appends their keys/values to the cache and returns logits.
//
// Files: a HF directory (config.json + *.safetensors, sharded or not; f32/f16/bf16),
// a .gguf (llama.cpp "qwen2" / "llama" naming, any dtype engine/linear.h reads), or a
// llama2.c checkpoint .bin (legacy v0 format).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/arena.h"
#include "engine/kv_cache.h"
#include "engine/tensor.h"
#include "loaders/mmap.h"
#include "loaders/weights.h"
#include "models/llama/config.h"

namespace sprout::llama {

struct LayerWeights {
  Tensor wq, wk, wv, wo;        // [H*D, dim], [KV*D, dim], [KV*D, dim], [dim, H*D]
  Tensor gate, up, down;        // [ffn, dim], [ffn, dim], [dim, ffn]
  const float* attn_norm = nullptr;  // [dim]
  const float* ffn_norm = nullptr;   // [dim]
  const float* bq = nullptr;    // [H*D] (Qwen) or null
  const float* bk = nullptr;    // [KV*D]
  const float* bv = nullptr;    // [KV*D]
};

struct Weights {
  Tensor embed;                 // [vocab, dim], any dtype
  Tensor output;                // [vocab, dim]; the embedding itself when tied
  const float* final_norm = nullptr;  // [dim]
  std::vector<LayerWeights> layers;
  std::vector<std::vector<float>> owned_f32;  // the f32 copies the pointers above point into
};

class Model {
 public:
  struct Options {
    bool use_mmap = true;
  };
  // Throws Error(path, cause) for anything unreadable, unsupported or inconsistent.
  static std::unique_ptr<Model> load(const std::string& path, const Options& opt);
  static std::unique_ptr<Model> load(const std::string& path) { return load(path, Options{}); }
  ~Model();

  const Config& config() const { return cfg_; }
  const Weights& weights() const { return w_; }
  const std::string& path() const { return path_; }
  const std::string& format() const { return format_; }  // "safetensors" | "gguf" | "llama2c"
  uint64_t file_bytes() const { return file_bytes_; }
  DType weight_dtype() const { return w_.layers.empty() ? DType::f32 : w_.layers[0].wq.dtype; }

 private:
  friend std::unique_ptr<Model> load_llama2c(const std::string& path, const Options& opt);
  Model() = default;
  void bind(const WeightStore& ws);  // HF or GGUF names -> Weights
  const float* keep_f32(const Tensor& t);

  Config cfg_;
  Weights w_;
  std::string path_, format_;
  uint64_t file_bytes_ = 0;
  std::unique_ptr<WeightStore> store_;
  std::shared_ptr<MappedFile> file_;  // llama2.c checkpoints
};

// llama2.c checkpoint (models/llama/llama2c.cpp).
std::unique_ptr<Model> load_llama2c(const std::string& path, const Model::Options& opt);

// kv_dtype when a State of model m can hold its cache in it; Error(model path, ...)
// otherwise (q8_0 quantizes along head_dim in blocks of 32).
DType check_kv_dtype(const Model& m, DType kv_dtype);

class State {
 public:
  // max_tokens: context the cache holds (<= config().max_ctx is not enforced; RoPE extrapolates).
  State(const Model& m, int max_tokens, DType kv_dtype = DType::f16);
  int pos() const { return pos_; }             // tokens already in the cache
  int capacity() const { return max_tokens_; }
  void reset() { pos_ = 0; cache_.truncate(0); }
  void truncate(int n);                         // forget everything after the first n tokens
  uint64_t kv_bytes() const { return cache_.bytes(); }
  size_t scratch_peak() const { return arena_.peak(); }

 private:
  friend void forward(const Model&, State&, const int32_t*, int, float*, bool);
  int max_tokens_, pos_ = 0;
  KvCache cache_;
  Arena arena_;
};

// Runs tokens[0..n) at positions state.pos().. and advances state.pos() by n.
// logits: [vocab] for the last token, or [n, vocab] when all_logits.
// Throws Error("context", ...) when the cache has no room, Error("token", ...) for a bad id.
void forward(const Model& m, State& s, const int32_t* tokens, int n, float* logits, bool all_logits = false);

}  // namespace sprout::llama
