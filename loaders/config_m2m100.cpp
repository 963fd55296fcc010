#include "loaders/config_m2m100.h"

#include <sys/stat.h>

#include "engine/error.h"
#include "loaders/json_util.h"
#include "loaders/weights.h"

namespace sprout {

void M2M100Config::validate(const std::string& subject) const {
  const std::pair<const char*, int64_t> sizes[] = {
      {"d_model", d_model}, {"encoder_layers", encoder_layers}, {"decoder_layers", decoder_layers},
      {"encoder_attention_heads", encoder_attention_heads}, {"decoder_attention_heads", decoder_attention_heads},
      {"encoder_ffn_dim", encoder_ffn_dim}, {"decoder_ffn_dim", decoder_ffn_dim}, {"vocab_size", vocab_size},
      {"max_position_embeddings", max_position_embeddings}};
  for (const auto& [key, v] : sizes)
    if (v <= 0) fail(subject, std::string("key '") + key + "': must be positive, got " + std::to_string(v));
  if (d_model % encoder_attention_heads != 0 || d_model % decoder_attention_heads != 0)
    fail(subject, "d_model " + std::to_string(d_model) + " is not a multiple of the attention heads");
  if (activation_function != "relu" && activation_function != "gelu" && activation_function != "gelu_new" &&
      activation_function != "silu")
    fail(subject, "key 'activation_function': unsupported '" + activation_function + "'");
}

void M2M100Config::detect_layer_norms(const WeightStore& w) {
  encoder_layer_norm = w.has("model.encoder.layer_norm.weight") || w.has("encoder.layer_norm.weight");
  decoder_layer_norm = w.has("model.decoder.layer_norm.weight") || w.has("decoder.layer_norm.weight");
}

M2M100Config m2m100_config_from_json(const std::string& path) { return m2m100_config_from_json(load_json(path), path); }

M2M100Config m2m100_config_from_json(const Json& j, const std::string& path) {
  M2M100Config c;
  const std::string type = opt<std::string>(j, "model_type", "m2m_100", path);
  if (type != "m2m_100") fail(path, "key 'model_type': unsupported '" + type + "' (expected m2m_100)");
  c.d_model = req<int64_t>(j, "d_model", path);
  c.encoder_layers = req<int64_t>(j, "encoder_layers", path);
  c.decoder_layers = req<int64_t>(j, "decoder_layers", path);
  c.encoder_attention_heads = req<int64_t>(j, "encoder_attention_heads", path);
  c.decoder_attention_heads = req<int64_t>(j, "decoder_attention_heads", path);
  c.encoder_ffn_dim = req<int64_t>(j, "encoder_ffn_dim", path);
  c.decoder_ffn_dim = req<int64_t>(j, "decoder_ffn_dim", path);
  c.vocab_size = req<int64_t>(j, "vocab_size", path);
  c.activation_function = opt<std::string>(j, "activation_function", "relu", path);
  c.max_position_embeddings = opt<int64_t>(j, "max_position_embeddings", 1024, path);
  c.scale_embedding = opt<bool>(j, "scale_embedding", true, path);
  c.pad_token_id = opt<int64_t>(j, "pad_token_id", 1, path);
  c.bos_token_id = opt<int64_t>(j, "bos_token_id", 0, path);
  c.eos_token_id = opt<int64_t>(j, "eos_token_id", 2, path);
  c.decoder_start_token_id = opt<int64_t>(j, "decoder_start_token_id", c.eos_token_id, path);
  c.validate(path);
  return c;
}

GenerationConfig generation_config_from_dir(const std::string& dir) {
  GenerationConfig g;
  struct stat st{};
  std::string path = dir + "/generation_config.json";
  if (::stat(path.c_str(), &st) != 0) {
    path = dir + "/config.json";
    if (::stat(path.c_str(), &st) != 0) return g;
  }
  const Json j = load_json(path);
  g.max_length = opt<int64_t>(j, "max_length", 20, path);
  g.num_beams = opt<int64_t>(j, "num_beams", 1, path);
  g.length_penalty = opt<double>(j, "length_penalty", 1.0, path);
  // early_stopping is true, false or the string "never" (HF treats "never" like false with a different bound).
  if (auto it = j.find("early_stopping"); it != j.end() && !it->is_null()) {
    if (it->is_boolean()) g.early_stopping = it->get<bool>();
    else if (!(it->is_string() && it->get<std::string>() == "never"))
      fail(path, "key 'early_stopping': expected boolean or \"never\", got " + std::string(json_kind(*it)));
  }
  g.no_repeat_ngram_size = opt<int64_t>(j, "no_repeat_ngram_size", 0, path);
  g.forced_bos_token_id = opt<int64_t>(j, "forced_bos_token_id", -1, path);
  g.decoder_start_token_id = opt<int64_t>(j, "decoder_start_token_id", -1, path);
  g.bos_token_id = opt<int64_t>(j, "bos_token_id", -1, path);
  g.eos_token_id = opt<int64_t>(j, "eos_token_id", -1, path);
  g.pad_token_id = opt<int64_t>(j, "pad_token_id", -1, path);
  if (g.max_length <= 0 || g.num_beams <= 0) fail(path, "max_length and num_beams must be positive");
  return g;
}

}  // namespace sprout
