#include "models/m2m100/config.h"

#include <filesystem>

#include "engine/error.h"
#include "loaders/json_util.h"

namespace sprout::m2m100 {

namespace fs = std::filesystem;

Config load_config(const std::string& dir) {
  const std::string path = (fs::path(dir) / "config.json").string();
  if (!fs::exists(path)) fail(path, "no such file");
  const Json j = load_json(path);
  const std::string type = opt<std::string>(j, "model_type", "", path);
  if (type != "m2m_100") fail(path, "model_type '" + type + "' is not m2m_100 (M2M100 / NLLB)");
  const std::string act = opt<std::string>(j, "activation_function", "relu", path);
  if (act != "relu") fail(path, "activation_function '" + act + "' is not supported (relu)");

  Config c;
  c.d_model = req<int>(j, "d_model", path);
  c.encoder_layers = req<int>(j, "encoder_layers", path);
  c.decoder_layers = req<int>(j, "decoder_layers", path);
  c.encoder_heads = req<int>(j, "encoder_attention_heads", path);
  c.decoder_heads = req<int>(j, "decoder_attention_heads", path);
  c.encoder_ffn = req<int>(j, "encoder_ffn_dim", path);
  c.decoder_ffn = req<int>(j, "decoder_ffn_dim", path);
  c.vocab_size = req<int>(j, "vocab_size", path);
  c.max_positions = opt<int>(j, "max_position_embeddings", 1024, path);
  c.scale_embedding = opt<bool>(j, "scale_embedding", false, path);
  c.pad_id = opt<int>(j, "pad_token_id", 1, path);
  c.eos_id = opt<int>(j, "eos_token_id", 2, path);
  c.bos_id = opt<int>(j, "bos_token_id", 0, path);
  c.decoder_start_id = opt<int>(j, "decoder_start_token_id", c.eos_id, path);

  auto check = [&](bool ok, const char* what) { if (!ok) fail(path, what); };
  check(c.d_model > 0 && c.d_model <= 65536, "d_model out of range");
  check(c.encoder_layers > 0 && c.encoder_layers <= 256, "encoder_layers out of range");
  check(c.decoder_layers > 0 && c.decoder_layers <= 256, "decoder_layers out of range");
  check(c.encoder_heads > 0 && c.d_model % c.encoder_heads == 0, "d_model is not a multiple of encoder_attention_heads");
  check(c.decoder_heads > 0 && c.d_model % c.decoder_heads == 0, "d_model is not a multiple of decoder_attention_heads");
  check(c.d_model % 2 == 0 && c.d_model >= 4, "d_model must be even (sinusoidal positions)");
  check(c.encoder_ffn > 0 && c.encoder_ffn <= (1 << 20), "encoder_ffn_dim out of range");
  check(c.decoder_ffn > 0 && c.decoder_ffn <= (1 << 20), "decoder_ffn_dim out of range");
  check(c.vocab_size > 3 && c.vocab_size <= (1 << 24), "vocab_size out of range");
  check(c.max_positions > 0 && c.max_positions <= (1 << 20), "max_position_embeddings out of range");
  for (int32_t id : {c.pad_id, c.eos_id, c.bos_id, c.decoder_start_id})
    check(id >= 0 && id < c.vocab_size, "special token id outside the vocabulary");
  return c;
}

GenerationConfig load_generation_config(const std::string& dir) {
  GenerationConfig g;
  auto read = [&](const std::string& path) {
    const Json j = load_json(path);
    g.max_length = opt<int>(j, "max_length", g.max_length, path);
    g.num_beams = opt<int>(j, "num_beams", g.num_beams, path);
    g.length_penalty = opt<float>(j, "length_penalty", g.length_penalty, path);
    if (j.contains("early_stopping") && j["early_stopping"].is_boolean())  // "never" counts as false
      g.early_stopping = j["early_stopping"].get<bool>();
    g.no_repeat_ngram_size = opt<int>(j, "no_repeat_ngram_size", g.no_repeat_ngram_size, path);
    if (g.max_length < 2 || g.max_length > (1 << 16)) fail(path, "max_length out of range");
    if (g.num_beams < 1 || g.num_beams > 256) fail(path, "num_beams out of range");
    if (g.no_repeat_ngram_size < 0) fail(path, "no_repeat_ngram_size out of range");
  };
  const fs::path gen = fs::path(dir) / "generation_config.json";
  // HF: model config first, generation_config.json overrides.
  read((fs::path(dir) / "config.json").string());
  if (fs::exists(gen)) read(gen.string());
  return g;
}

}  // namespace sprout::m2m100
