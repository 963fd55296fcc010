#include "loaders/config_bert.h"

#include "engine/error.h"
#include "loaders/gguf.h"
#include "loaders/json_util.h"

namespace sprout {

void BertConfig::validate(const std::string& subject) const {
  const std::pair<const char*, int64_t> sizes[] = {
      {"vocab_size", vocab_size}, {"hidden_size", hidden_size}, {"num_hidden_layers", num_hidden_layers},
      {"num_attention_heads", num_attention_heads}, {"intermediate_size", intermediate_size},
      {"max_position_embeddings", max_position_embeddings}, {"type_vocab_size", type_vocab_size}};
  for (const auto& [key, v] : sizes)
    if (v <= 0) fail(subject, std::string("key '") + key + "': must be positive, got " + std::to_string(v));
  if (hidden_size % num_attention_heads != 0)
    fail(subject, "hidden_size " + std::to_string(hidden_size) + " is not a multiple of num_attention_heads " +
                      std::to_string(num_attention_heads));
  if (hidden_act != "gelu" && hidden_act != "gelu_new" && hidden_act != "gelu_pytorch_tanh" && hidden_act != "relu" &&
      hidden_act != "silu")
    fail(subject, "key 'hidden_act': unsupported '" + hidden_act + "'");
  if (!(layer_norm_eps > 0)) fail(subject, "key 'layer_norm_eps': must be positive");
}

BertConfig bert_config_from_json(const std::string& path) { return bert_config_from_json(load_json(path), path); }

BertConfig bert_config_from_json(const Json& j, const std::string& path) {
  BertConfig c;
  c.model_type = opt<std::string>(j, "model_type", "bert", path);
  if (c.model_type != "bert" && c.model_type != "xlm-roberta" && c.model_type != "roberta")
    fail(path, "key 'model_type': unsupported '" + c.model_type + "' (expected bert, roberta or xlm-roberta)");
  c.vocab_size = req<int64_t>(j, "vocab_size", path);
  c.hidden_size = req<int64_t>(j, "hidden_size", path);
  c.num_hidden_layers = req<int64_t>(j, "num_hidden_layers", path);
  c.num_attention_heads = req<int64_t>(j, "num_attention_heads", path);
  c.intermediate_size = req<int64_t>(j, "intermediate_size", path);
  c.hidden_act = opt<std::string>(j, "hidden_act", "gelu", path);
  c.max_position_embeddings = opt<int64_t>(j, "max_position_embeddings", 512, path);
  c.type_vocab_size = opt<int64_t>(j, "type_vocab_size", 2, path);
  c.layer_norm_eps = opt<double>(j, "layer_norm_eps", 1e-12, path);
  c.pad_token_id = opt<int64_t>(j, "pad_token_id", 0, path);
  c.validate(path);
  return c;
}

BertConfig bert_config_from_gguf(const GgufFile& g) {
  const std::string& path = g.file().path();
  const std::string arch = g.get_string("general.architecture");
  if (arch != "bert") fail(path, "key 'general.architecture': expected bert, got '" + arch + "'");
  BertConfig c;
  c.hidden_size = g.get_int("bert.embedding_length");
  c.num_hidden_layers = g.get_int("bert.block_count");
  c.num_attention_heads = g.get_int("bert.attention.head_count");
  c.intermediate_size = g.get_int("bert.feed_forward_length");
  c.max_position_embeddings = g.get_int("bert.context_length", 512);
  c.layer_norm_eps = g.get_float("bert.attention.layer_norm_epsilon", 1e-12);
  c.type_vocab_size = g.get_int("tokenizer.ggml.token_type_count", 2);
  c.pad_token_id = g.get_int("tokenizer.ggml.padding_token_id", 0);
  c.vocab_size = g.get_int("bert.vocab_size", -1);
  if (c.vocab_size < 0) {
    if (const TensorInfo* e = g.tensor("token_embd.weight"); e && e->shape.size() == 2) c.vocab_size = e->shape[0];
    else if (const GgufValue* t = g.find("tokenizer.ggml.tokens"); t && t->is_array()) c.vocab_size = int64_t(t->count);
    else fail(path, "cannot tell the vocabulary size (no token_embd.weight or tokenizer.ggml.tokens)");
  }
  c.validate(path);
  return c;
}

}  // namespace sprout
