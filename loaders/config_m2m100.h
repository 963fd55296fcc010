// M2M100 / NLLB-200 encoder-decoder hyper-parameters (config.json) and the
// decoding defaults (generation_config.json, falling back to config.json's keys
// as HF's GenerationConfig.from_model_config does).
#pragma once
#include <cstdint>
#include <string>

#include "loaders/json_util.h"

namespace sprout {

class WeightStore;

struct M2M100Config {
  int64_t d_model = 0;
  int64_t encoder_layers = 0, decoder_layers = 0;
  int64_t encoder_attention_heads = 0, decoder_attention_heads = 0;
  int64_t encoder_ffn_dim = 0, decoder_ffn_dim = 0;
  std::string activation_function = "relu";
  int64_t vocab_size = 0;
  int64_t max_position_embeddings = 1024;
  bool scale_embedding = true;  // token embeddings times sqrt(d_model)
  int64_t pad_token_id = 1, bos_token_id = 0, eos_token_id = 2, decoder_start_token_id = 2;
  // Final layer norms after each stack (model.encoder.layer_norm / model.decoder.layer_norm):
  // always in M2M100; set from the weights by detect_layer_norms().
  bool encoder_layer_norm = true, decoder_layer_norm = true;

  void validate(const std::string& subject) const;
  void detect_layer_norms(const WeightStore& w);
};

struct GenerationConfig {
  int64_t max_length = 20;            // whole decoder sequence, start token included
  int64_t num_beams = 1;
  double length_penalty = 1.0;
  bool early_stopping = false;
  int64_t no_repeat_ngram_size = 0;
  int64_t forced_bos_token_id = -1;   // -1: none (NLLB sets it per target language)
  int64_t decoder_start_token_id = -1, bos_token_id = -1, eos_token_id = -1, pad_token_id = -1;
};

M2M100Config m2m100_config_from_json(const std::string& config_json_path);
// The same from already parsed JSON (`path` names it in errors).
M2M100Config m2m100_config_from_json(const Json& j, const std::string& path);
// DIR/generation_config.json when present, else the same keys of DIR/config.json, else defaults.
GenerationConfig generation_config_from_dir(const std::string& dir);

}  // namespace sprout
