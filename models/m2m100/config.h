// M2M100 / NLLB-200 settings for the graph, from the loaders' M2M100Config (config.json)
// with the extra checks this graph needs, and the decoding
// defaults (generation_config.json, falling back to config.json like HF does).
#pragma once
#include <cstdint>
#include <string>

namespace sprout::m2m100 {

struct Config {
  int d_model = 0;
  int encoder_layers = 0, decoder_layers = 0;
  int encoder_heads = 0, decoder_heads = 0;
  int encoder_ffn = 0, decoder_ffn = 0;
  int vocab_size = 0;
  int max_positions = 0;        // max_position_embeddings (positions are computed, not stored)
  bool scale_embedding = true;  // token embeddings times sqrt(d_model)
  int32_t pad_id = 1, eos_id = 2, bos_id = 0, decoder_start_id = 2;

  int head_dim(bool decoder) const { return d_model / (decoder ? decoder_heads : encoder_heads); }
};

// Decoding defaults as HF's GenerationConfig has them.
struct GenerationConfig {
  int max_length = 20;           // whole decoder sequence incl. the start token (HF default)
  int num_beams = 1;
  float length_penalty = 1.0f;   // beam score = sum log p / len^length_penalty
  bool early_stopping = false;   // beam: stop once num_beams hypotheses are finished
  int no_repeat_ngram_size = 0;
};

// Reads DIR/config.json (Error naming the file and key on anything invalid).
Config load_config(const std::string& dir);
// DIR/generation_config.json when present, else the same keys of config.json, else defaults.
GenerationConfig load_generation_config(const std::string& dir);

}  // namespace sprout::m2m100
