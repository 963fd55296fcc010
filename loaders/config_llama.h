// Decoder-only transformer hyper-parameters (Llama, Qwen2 and Qwen1.5, which
// HF names model_type "qwen2"), from a HF config.json or GGUF metadata.
// Field names are HF's. A missing required key, an unknown model_type or an
// inconsistent value is an Error naming the key and the file.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "loaders/json_util.h"

namespace sprout {

class GgufFile;

struct LlamaConfig {
  std::string model_type;              // "llama" | "qwen2"
  int64_t vocab_size = 0;
  int64_t hidden_size = 0;
  int64_t intermediate_size = 0;
  int64_t num_hidden_layers = 0;
  int64_t num_attention_heads = 0;
  int64_t num_key_value_heads = 0;     // = num_attention_heads when absent (no GQA)
  int64_t max_position_embeddings = 0;
  double rms_norm_eps = 1e-6;
  double rope_theta = 10000.0;
  bool tie_word_embeddings = false;
  std::string torch_dtype;             // "bfloat16", ... ("" from GGUF)
  int64_t bos_token_id = -1, eos_token_id = -1;  // -1: not given
  // HF "head_dim" / GGUF <arch>.attention.key_length when given (Llama 3.x, Mistral
  // and others may set it apart from hidden_size / num_attention_heads).
  std::optional<int64_t> explicit_head_dim;

  int64_t head_dim() const {
    if (explicit_head_dim) return *explicit_head_dim;
    return num_attention_heads ? hidden_size / num_attention_heads : 0;
  }
  // Error(subject, ...) unless sizes are positive and heads divide evenly (the hidden
  // size by the heads only when head_dim is not explicit).
  void validate(const std::string& subject) const;
};

LlamaConfig llama_config_from_json(const std::string& config_json_path);
// The same from already parsed JSON (`path` names it in errors).
LlamaConfig llama_config_from_json(const Json& j, const std::string& path);
// general.architecture "llama" or "qwen2", keys <arch>.embedding_length etc. Tied
// embeddings when the file has no output.weight tensor.
LlamaConfig llama_config_from_gguf(const GgufFile& g);

}  // namespace sprout
