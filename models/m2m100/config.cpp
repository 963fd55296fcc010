#include "models/m2m100/config.h"

#include <filesystem>

#include "engine/error.h"
#include "loaders/config_m2m100.h"

namespace sprout::m2m100 {

namespace fs = std::filesystem;

// The loaders parse config.json (typed keys, errors naming file and key); this adds
// what this graph needs beyond that: ReLU, sizes that fit int, special ids inside
// the vocabulary, an even d_model for the sin/cos halves.
Config load_config(const std::string& dir) {
  const std::string path = (fs::path(dir) / "config.json").string();
  if (!fs::exists(path)) fail(path, "no such file");
  const M2M100Config m = m2m100_config_from_json(path);
  auto check = [&](bool ok, const std::string& what) { if (!ok) fail(path, what); };
  check(m.activation_function == "relu", "activation_function '" + m.activation_function + "' is not supported (relu)");
  check(m.d_model <= 65536 && m.d_model % 2 == 0 && m.d_model >= 4, "d_model must be even and at most 65536");
  check(m.encoder_layers <= 256 && m.decoder_layers <= 256, "more than 256 layers");
  check(m.encoder_ffn_dim <= (1 << 20) && m.decoder_ffn_dim <= (1 << 20), "ffn_dim out of range");
  check(m.vocab_size > 3 && m.vocab_size <= (1 << 24), "vocab_size out of range");
  check(m.max_position_embeddings <= (1 << 20), "max_position_embeddings out of range");
  for (int64_t id : {m.pad_token_id, m.eos_token_id, m.bos_token_id, m.decoder_start_token_id})
    check(id >= 0 && id < m.vocab_size, "special token id " + std::to_string(id) + " outside the vocabulary");

  Config c;
  c.d_model = int(m.d_model);
  c.encoder_layers = int(m.encoder_layers);
  c.decoder_layers = int(m.decoder_layers);
  c.encoder_heads = int(m.encoder_attention_heads);
  c.decoder_heads = int(m.decoder_attention_heads);
  c.encoder_ffn = int(m.encoder_ffn_dim);
  c.decoder_ffn = int(m.decoder_ffn_dim);
  c.vocab_size = int(m.vocab_size);
  c.max_positions = int(m.max_position_embeddings);
  c.scale_embedding = m.scale_embedding;
  c.pad_id = int32_t(m.pad_token_id);
  c.eos_id = int32_t(m.eos_token_id);
  c.bos_id = int32_t(m.bos_token_id);
  c.decoder_start_id = int32_t(m.decoder_start_token_id);
  return c;
}

GenerationConfig load_generation_config(const std::string& dir) {
  const sprout::GenerationConfig g = generation_config_from_dir(dir);
  const std::string subject = (fs::path(dir) / "generation_config.json").string();
  if (g.max_length < 2 || g.max_length > (1 << 16)) fail(subject, "max_length out of range");
  if (g.num_beams > 256) fail(subject, "num_beams out of range");
  if (g.no_repeat_ngram_size < 0 || g.no_repeat_ngram_size > 64) fail(subject, "no_repeat_ngram_size out of range");
  GenerationConfig out;
  out.max_length = int(g.max_length);
  out.num_beams = int(g.num_beams);
  out.length_penalty = float(g.length_penalty);
  out.early_stopping = g.early_stopping;
  out.no_repeat_ngram_size = int(g.no_repeat_ngram_size);
  return out;
}

}  // namespace sprout::m2m100
