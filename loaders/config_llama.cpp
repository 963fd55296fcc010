#include "loaders/config_llama.h"

#include <cstdint>
#include <utility>

#include "engine/error.h"
#include "loaders/gguf.h"
#include "loaders/json_util.h"

namespace sprout {
namespace {

// eos_token_id may be an integer or (Llama 3, Qwen2.5 generation configs) a list: take the first.
int64_t token_id(const Json& j, std::string_view key, const std::string& path) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return -1;
  if (it->is_array()) return it->empty() ? -1 : detail::json_as<int64_t>(it->front(), key, path);
  return detail::json_as<int64_t>(*it, key, path);
}

void positive(const std::string& subject, const char* key, int64_t v) {
  if (v <= 0) fail(subject, std::string("key '") + key + "': must be positive, got " + std::to_string(v));
}

}  // namespace

void LlamaConfig::validate(const std::string& subject) const {
  // Sizes past int range would wrap when the decoder takes them as int.
  for (const auto& [key, v] : {std::pair<const char*, int64_t>{"vocab_size", vocab_size}, {"hidden_size", hidden_size},
                               {"intermediate_size", intermediate_size}, {"num_hidden_layers", num_hidden_layers},
                               {"num_attention_heads", num_attention_heads}, {"num_key_value_heads", num_key_value_heads},
                               {"head_dim", explicit_head_dim.value_or(0)}})
    if (v > INT32_MAX) fail(subject, std::string("key '") + key + "': " + std::to_string(v) + " is too large");
  positive(subject, "vocab_size", vocab_size);
  positive(subject, "hidden_size", hidden_size);
  positive(subject, "intermediate_size", intermediate_size);
  positive(subject, "num_hidden_layers", num_hidden_layers);
  positive(subject, "num_attention_heads", num_attention_heads);
  positive(subject, "num_key_value_heads", num_key_value_heads);
  if (explicit_head_dim) positive(subject, "head_dim", *explicit_head_dim);
  if (!explicit_head_dim && hidden_size % num_attention_heads != 0)
    fail(subject, "hidden_size " + std::to_string(hidden_size) + " is not a multiple of num_attention_heads " +
                      std::to_string(num_attention_heads));
  if (num_attention_heads % num_key_value_heads != 0)
    fail(subject, "num_attention_heads " + std::to_string(num_attention_heads) +
                      " is not a multiple of num_key_value_heads " + std::to_string(num_key_value_heads));
  if (!(rms_norm_eps > 0) || !(rope_theta > 0)) fail(subject, "rms_norm_eps and rope_theta must be positive");
}

LlamaConfig llama_config_from_json(const std::string& path) { return llama_config_from_json(load_json(path), path); }

LlamaConfig llama_config_from_json(const Json& j, const std::string& path) {
  LlamaConfig c;
  c.model_type = req<std::string>(j, "model_type", path);
  if (c.model_type != "llama" && c.model_type != "qwen2")
    fail(path, "key 'model_type': unsupported '" + c.model_type + "' (expected llama or qwen2)");
  c.vocab_size = req<int64_t>(j, "vocab_size", path);
  c.hidden_size = req<int64_t>(j, "hidden_size", path);
  c.intermediate_size = req<int64_t>(j, "intermediate_size", path);
  c.num_hidden_layers = req<int64_t>(j, "num_hidden_layers", path);
  c.num_attention_heads = req<int64_t>(j, "num_attention_heads", path);
  c.num_key_value_heads = opt<int64_t>(j, "num_key_value_heads", c.num_attention_heads, path);
  c.max_position_embeddings = opt<int64_t>(j, "max_position_embeddings", 2048, path);
  c.rms_norm_eps = opt<double>(j, "rms_norm_eps", 1e-6, path);
  c.rope_theta = opt<double>(j, "rope_theta", 10000.0, path);
  c.tie_word_embeddings = opt<bool>(j, "tie_word_embeddings", false, path);
  c.torch_dtype = opt<std::string>(j, "torch_dtype", "", path);
  if (j.contains("head_dim") && !j["head_dim"].is_null()) c.explicit_head_dim = req<int64_t>(j, "head_dim", path);
  c.bos_token_id = token_id(j, "bos_token_id", path);
  c.eos_token_id = token_id(j, "eos_token_id", path);
  c.validate(path);
  return c;
}

LlamaConfig llama_config_from_gguf(const GgufFile& g) {
  const std::string& path = g.file().path();
  LlamaConfig c;
  c.model_type = g.get_string("general.architecture");
  if (c.model_type != "llama" && c.model_type != "qwen2")
    fail(path, "key 'general.architecture': unsupported '" + c.model_type + "' (expected llama or qwen2)");
  const std::string a = c.model_type + ".";
  c.hidden_size = g.get_int(a + "embedding_length");
  c.intermediate_size = g.get_int(a + "feed_forward_length");
  c.num_hidden_layers = g.get_int(a + "block_count");
  c.num_attention_heads = g.get_int(a + "attention.head_count");
  c.num_key_value_heads = g.get_int(a + "attention.head_count_kv", c.num_attention_heads);
  c.max_position_embeddings = g.get_int(a + "context_length", 2048);
  c.rms_norm_eps = g.get_float(a + "attention.layer_norm_rms_epsilon", 1e-6);
  c.rope_theta = g.get_float(a + "rope.freq_base", 10000.0);
  // key_length / value_length: per-head sizes when they differ from embedding_length / head_count.
  if (g.find(a + "attention.key_length") || g.find(a + "attention.value_length")) {
    const int64_t kl = g.get_int(a + "attention.key_length", -1), vl = g.get_int(a + "attention.value_length", kl);
    if (kl <= 0 || vl != kl)
      fail(path, "keys '" + a + "attention.key_length' / value_length: " + std::to_string(kl) + " / " +
                     std::to_string(vl) + " (need one positive size for both)");
    c.explicit_head_dim = kl;
  }
  // The vocabulary size: explicit key, else the embedding's rows, else the tokenizer's.
  c.vocab_size = g.get_int(a + "vocab_size", -1);
  if (c.vocab_size < 0) {
    if (const TensorInfo* e = g.tensor("token_embd.weight"); e && e->shape.size() == 2) c.vocab_size = e->shape[0];
    else if (const GgufValue* t = g.find("tokenizer.ggml.tokens"); t && t->is_array()) c.vocab_size = int64_t(t->count);
    else fail(path, "cannot tell the vocabulary size (no " + a + "vocab_size, token_embd.weight or tokenizer.ggml.tokens)");
  }
  c.tie_word_embeddings = g.tensor("output.weight") == nullptr;
  c.bos_token_id = g.get_int("tokenizer.ggml.bos_token_id", -1);
  c.eos_token_id = g.get_int("tokenizer.ggml.eos_token_id", -1);
  c.validate(path);
  return c;
}

}  // namespace sprout
