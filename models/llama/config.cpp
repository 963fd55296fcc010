#include "models/llama/config.h"

#include <algorithm>

#include "engine/error.h"
#include "loaders/config_llama.h"
#include "loaders/gguf.h"
#include "loaders/json_util.h"

namespace sprout::llama {

void Config::validate(const std::string& s) const {
  auto bad = [&](const std::string& why) { fail(s, "unsupported model config: " + why); };
  if (vocab <= 0 || vocab > (1 << 24)) bad("vocab size " + std::to_string(vocab));
  if (dim <= 0 || dim > (1 << 16)) bad("hidden size " + std::to_string(dim));
  if (layers <= 0 || layers > 1024) bad("layer count " + std::to_string(layers));
  if (heads <= 0 || kv_heads <= 0 || heads % kv_heads != 0)
    bad("heads " + std::to_string(heads) + " not a multiple of kv heads " + std::to_string(kv_heads));
  if (head_dim <= 0 || head_dim % 2 != 0 || head_dim > 1024) bad("head dim " + std::to_string(head_dim));
  if (ffn <= 0 || ffn > (1 << 20)) bad("intermediate size " + std::to_string(ffn));
  if (max_ctx <= 0) bad("context length " + std::to_string(max_ctx));
  if (!(eps > 0.0f) || !(rope_theta > 0.0f)) bad("rms eps / rope theta must be positive");
}

namespace {

// The loader's parsed config -> the decoder's, plus what the architecture implies.
Config from_llama_config(const LlamaConfig& l, const std::string& subject) {
  Config c;
  c.arch = l.model_type;
  c.vocab = int(l.vocab_size);
  c.dim = int(l.hidden_size);
  c.layers = int(l.num_hidden_layers);
  c.heads = int(l.num_attention_heads);
  c.kv_heads = int(l.num_key_value_heads);
  c.head_dim = int(l.head_dim());
  c.ffn = int(l.intermediate_size);
  c.max_ctx = l.max_position_embeddings > 0 ? int(std::min<int64_t>(l.max_position_embeddings, 1 << 24)) : 2048;
  c.eps = float(l.rms_norm_eps);
  c.rope_theta = float(l.rope_theta);
  c.tied = l.tie_word_embeddings;
  c.qkv_bias = c.arch == "qwen2";
  c.bos = int32_t(l.bos_token_id);
  c.eos = int32_t(l.eos_token_id);
  (void)subject;
  return c;
}

}  // namespace

Config config_from_hf(const std::string& path) {
  Config c = from_llama_config(llama_config_from_json(path), path);
  c.rope = ops::RopeLayout::rotate_half;  // HF checkpoints keep q/k in rotate-half order
  // What the shared parser does not look at but the forward pass depends on.
  const Json j = load_json(path, 1 << 20);
  if (c.arch == "llama") c.qkv_bias = opt<bool>(j, "attention_bias", false, path);
  if (opt<std::string>(j, "hidden_act", "silu", path) != "silu")
    fail(path, "key 'hidden_act': only silu is supported, got '" + opt<std::string>(j, "hidden_act", "", path) + "'");
  if (j.contains("rope_scaling") && !j["rope_scaling"].is_null()) fail(path, "key 'rope_scaling': not supported");
  c.validate(path);
  return c;
}

Config config_from_gguf(const GgufFile& g) {
  const std::string& path = g.file().path();
  Config c = from_llama_config(llama_config_from_gguf(g), path);
  // llama.cpp's converter permutes q/k of "llama" checkpoints for its interleaved
  // ("normal") RoPE, and leaves "qwen2" in HF order (NEOX RoPE).
  c.rope = c.arch == "llama" ? ops::RopeLayout::interleaved : ops::RopeLayout::rotate_half;
  if (c.arch == "llama") c.qkv_bias = g.tensor("blk.0.attn_q.bias") != nullptr;
  c.validate(path);
  return c;
}

}  // namespace sprout::llama
