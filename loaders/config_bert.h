// BERT-family encoder hyper-parameters (BERT, MiniLM, XLM-R style
// sentence-transformers models), from a HF config.json or GGUF bert.* metadata.
#pragma once
#include <cstdint>
#include <string>

#include "loaders/json_util.h"

namespace sprout {

class GgufFile;

struct BertConfig {
  std::string model_type = "bert";    // "bert" | "xlm-roberta" | "roberta"
  int64_t vocab_size = 0;
  int64_t hidden_size = 0;
  int64_t num_hidden_layers = 0;
  int64_t num_attention_heads = 0;
  int64_t intermediate_size = 0;
  std::string hidden_act = "gelu";    // "gelu" (erf) | "gelu_new" | "gelu_pytorch_tanh" | "relu" | "silu"
  int64_t max_position_embeddings = 512;
  int64_t type_vocab_size = 2;
  double layer_norm_eps = 1e-12;
  int64_t pad_token_id = 0;

  void validate(const std::string& subject) const;
};

BertConfig bert_config_from_json(const std::string& config_json_path);
// The same from already parsed JSON (`path` names it in errors).
BertConfig bert_config_from_json(const Json& j, const std::string& path);
BertConfig bert_config_from_gguf(const GgufFile& g);  // general.architecture "bert"

}  // namespace sprout
