// BERT model settings from HF / sentence-transformers files and GGUF metadata (see config.h).
#include "models/bert/config.h"

#include <filesystem>

#include "engine/error.h"
#include "loaders/config_bert.h"
#include "loaders/gguf.h"
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

static Hparams hparams_from(const BertConfig& c, const std::string& subject) {
  if (c.model_type != "bert")
    fail(subject, "model_type '" + c.model_type + "' is not supported (RoBERTa position ids differ); BERT only");
  if (c.hidden_size > (1 << 16) || c.num_hidden_layers > 1000 || c.intermediate_size > (1 << 20) ||
      c.max_position_embeddings > (1 << 20) || c.vocab_size > (1 << 26) || c.type_vocab_size > (1 << 16))
    fail(subject, "BERT hyper-parameters out of range");
  Hparams hp;
  hp.vocab = int(c.vocab_size);
  hp.hidden = int(c.hidden_size);
  hp.layers = int(c.num_hidden_layers);
  hp.heads = int(c.num_attention_heads);
  hp.ffn = int(c.intermediate_size);
  hp.max_positions = int(c.max_position_embeddings);
  hp.type_vocab = int(c.type_vocab_size);
  hp.ln_eps = float(c.layer_norm_eps);
  if (c.hidden_act == "gelu") hp.act = Activation::gelu_erf;
  else if (c.hidden_act == "gelu_new" || c.hidden_act == "gelu_pytorch_tanh") hp.act = Activation::gelu_tanh;
  else if (c.hidden_act == "relu") hp.act = Activation::relu;
  else if (c.hidden_act == "silu") hp.act = Activation::silu;
  else fail(subject, "hidden_act '" + c.hidden_act + "' is not supported");
  return hp;
}

ModelSettings read_hf_settings(const std::string& dir) {
  ModelSettings s;
  const std::string cfg_path = (fs::path(dir) / "config.json").string();
  if (!fs::exists(cfg_path)) fail(dir, "missing config.json");
  const BertConfig c = bert_config_from_json(cfg_path);
  if (const Json j = load_json(cfg_path); opt<std::string>(j, "position_embedding_type", "absolute", cfg_path) != "absolute")
    fail(cfg_path, "position_embedding_type is not supported (absolute only)");
  s.hp = hparams_from(c, cfg_path);

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
  ModelSettings s;
  s.hp = hparams_from(bert_config_from_gguf(*g), path);
  s.max_seq_length = int(g->get_int("bert.context_length", 0));
  switch (g->get_int("bert.pooling_type", 1)) {
    case 1: s.pooling = Pooling::mean; break;
    case 2: s.pooling = Pooling::cls; break;
    default: fail(path, "key 'bert.pooling_type': only mean (1) and cls (2) pooling are supported");
  }
  return s;
}

}  // namespace sprout::bert
