// BERT model settings from HF / sentence-transformers files and GGUF metadata (see config.h).
#include "models/bert/config.h"

#include <filesystem>

#include "engine/error.h"
#include "loaders/json_util.h"
#include "loaders/weights.h"

namespace fs = std::filesystem;

namespace sprout::bert {

Pooling read_pooling_config(const std::string& path) {
  const Json j = load_json(path);
  const bool mean = opt<bool>(j, "pooling_mode_mean_tokens", false, path);
  const bool cls = opt<bool>(j, "pooling_mode_cls_token", false, path);
  const bool max = opt<bool>(j, "pooling_mode_max_tokens", false, path);
  for (const char* k : {"pooling_mode_mean_sqrt_len_tokens", "pooling_mode_weightedmean_tokens",
                        "pooling_mode_lasttoken"})
    if (opt<bool>(j, k, false, path)) fail(path, std::string("unsupported pooling mode '") + k + "'");
  if (int(mean) + int(cls) + int(max) > 1)
    fail(path, "several pooling modes at once (concatenated embeddings) are not supported");
  if (cls) return Pooling::cls;
  if (max) return Pooling::max;
  return Pooling::mean;
}

ModelSettings read_hf_settings(const std::string& dir) {
  ModelSettings s;
  const std::string cfg_path = (fs::path(dir) / "config.json").string();
  if (!fs::exists(cfg_path)) fail(dir, "missing config.json");
  const Json c = load_json(cfg_path);
  const std::string type = opt<std::string>(c, "model_type", "bert", cfg_path);
  if (type != "bert") fail(cfg_path, "model_type '" + type + "' is not a BERT encoder");
  const std::string pe = opt<std::string>(c, "position_embedding_type", "absolute", cfg_path);
  if (pe != "absolute") fail(cfg_path, "position_embedding_type '" + pe + "' is not supported (absolute only)");
  const std::string act = opt<std::string>(c, "hidden_act", "gelu", cfg_path);
  if (act != "gelu") fail(cfg_path, "hidden_act '" + act + "' is not supported (gelu only)");
  Hparams& hp = s.hp;
  hp.hidden = req<int>(c, "hidden_size", cfg_path);
  hp.layers = req<int>(c, "num_hidden_layers", cfg_path);
  hp.heads = req<int>(c, "num_attention_heads", cfg_path);
  hp.ffn = req<int>(c, "intermediate_size", cfg_path);
  hp.vocab = req<int>(c, "vocab_size", cfg_path);
  hp.max_positions = opt<int>(c, "max_position_embeddings", 512, cfg_path);
  hp.type_vocab = opt<int>(c, "type_vocab_size", 2, cfg_path);
  hp.ln_eps = opt<float>(c, "layer_norm_eps", 1e-12f, cfg_path);
  if (hp.hidden <= 0 || hp.heads <= 0 || hp.hidden % hp.heads || hp.layers <= 0 || hp.layers > 1000 ||
      hp.ffn <= 0 || hp.vocab <= 0 || hp.max_positions <= 0 || hp.type_vocab <= 0 || !(hp.ln_eps > 0))
    fail(cfg_path, "inconsistent BERT hyper-parameters");

  // sentence-transformers: modules.json names the Pooling module's folder.
  std::string pooling_dir = "1_Pooling";
  const fs::path modules = fs::path(dir) / "modules.json";
  if (fs::exists(modules)) {
    const Json m = load_json(modules.string());
    if (!m.is_array()) fail(modules.string(), "expected a JSON array of modules");
    for (const Json& mod : m) {
      const std::string t = req<std::string>(mod, "type", modules.string());
      if (t.size() >= 7 && t.compare(t.size() - 7, 7, "Pooling") == 0)
        pooling_dir = req<std::string>(mod, "path", modules.string());
    }
  }
  if (pooling_dir.find("..") != std::string::npos) fail(modules.string(), "bad module path '" + pooling_dir + "'");
  const fs::path pool_cfg = fs::path(dir) / pooling_dir / "config.json";
  if (fs::exists(pool_cfg)) s.pooling = read_pooling_config(pool_cfg.string());

  const fs::path sbert = fs::path(dir) / "sentence_bert_config.json";
  if (fs::exists(sbert)) {
    s.max_seq_length = opt<int>(load_json(sbert.string()), "max_seq_length", 0, sbert.string());
    if (s.max_seq_length < 0) fail(sbert.string(), "key 'max_seq_length': must be positive");
  }
  return s;
}

// llama.cpp `bert` GGUF metadata (convert_hf_to_gguf.py): bert.embedding_length, block_count,
// attention.head_count, feed_forward_length, attention.layer_norm_epsilon, context_length,
// pooling_type (1 mean, 2 cls); the table sizes come from the tensors.
ModelSettings read_gguf_settings(const WeightStore& store, const std::string& path) {
  const GgufFile* g = store.gguf();
  if (!g) fail(path, "not a GGUF file");
  const std::string arch = g->get_string("general.architecture");
  if (arch != "bert") fail(path, "general.architecture '" + arch + "' is not a BERT encoder");
  ModelSettings s;
  auto get = [&](const char* key) {
    const int64_t v = g->get_int(key);
    if (v <= 0 || v > (int64_t(1) << 24)) fail(path, std::string("key '") + key + "': out of range");
    return int(v);
  };
  Hparams& hp = s.hp;
  hp.hidden = get("bert.embedding_length");
  hp.layers = get("bert.block_count");
  hp.heads = get("bert.attention.head_count");
  hp.ffn = get("bert.feed_forward_length");
  hp.ln_eps = float(g->get_float("bert.attention.layer_norm_epsilon", 1e-12));
  if (!(hp.ln_eps > 0)) fail(path, "key 'bert.attention.layer_norm_epsilon': must be positive");
  if (const GgufValue* c = g->find("bert.attention.causal"); c && c->as_int().value_or(0) != 0)
    fail(path, "causal attention is not supported for BERT");
  s.max_seq_length = int(g->get_int("bert.context_length", 0));
  switch (g->get_int("bert.pooling_type", 1)) {
    case 1: s.pooling = Pooling::mean; break;
    case 2: s.pooling = Pooling::cls; break;
    default: fail(path, "key 'bert.pooling_type': only mean (1) and cls (2) pooling are supported");
  }
  return s;
}

}  // namespace sprout::bert
