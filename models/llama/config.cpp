#include "models/llama/config.h"

#include "engine/error.h"
#include "loaders/gguf.h"
#include "loaders/json_util.h"

namespace sprout::llama {

void Config::validate(const std::string& s) const {
  auto bad = [&](const std::string& why) { fail(s, "unsupported model config: " + why); };
  if (vocab <= 0 || vocab > (1 << 24)) bad("vocab size " + std::to_string(vocab));
  if (dim <= 0 || dim > (1 << 16)) bad("hidden size " + std::to_string(dim));
  if (layers <= 0 || layers > 1024) bad("layer count " + std::to_string(layers));
  if (heads <= 0 || kv_heads <= 0 || heads % kv_heads != 0)
    bad("heads " + std::to_string(heads) + " not a multiple of kv heads " + std::to_string(kv_heads));
  if (head_dim <= 0 || head_dim % 2 != 0 || head_dim > 1024) bad("head dim " + std::to_string(head_dim));
  if (ffn <= 0 || ffn > (1 << 20)) bad("intermediate size " + std::to_string(ffn));
  if (max_ctx <= 0) bad("context length " + std::to_string(max_ctx));
  if (!(eps > 0.0f) || !(rope_theta > 0.0f)) bad("rms eps / rope theta must be positive");
}

Config config_from_hf(const std::string& path) {
  const Json j = load_json(path, 1 << 20);
  Config c;
  const std::string type = req<std::string>(j, "model_type", path);
  if (type == "qwen2") {
    c.arch = "qwen2";
    c.qkv_bias = true;
  } else if (type == "llama" || type == "mistral") {
    c.arch = "llama";
    c.qkv_bias = opt<bool>(j, "attention_bias", false, path);
  } else {
    fail(path, "model_type '" + type + "' is not a Llama/Qwen2 decoder");
  }
  c.vocab = req<int>(j, "vocab_size", path);
  c.dim = req<int>(j, "hidden_size", path);
  c.layers = req<int>(j, "num_hidden_layers", path);
  c.heads = req<int>(j, "num_attention_heads", path);
  c.kv_heads = opt<int>(j, "num_key_value_heads", c.heads, path);
  c.head_dim = c.heads > 0 ? opt<int>(j, "head_dim", c.dim / c.heads, path) : 0;
  c.ffn = req<int>(j, "intermediate_size", path);
  c.max_ctx = opt<int>(j, "max_position_embeddings", 2048, path);
  c.eps = opt<float>(j, "rms_norm_eps", 1e-6f, path);
  c.rope_theta = opt<float>(j, "rope_theta", 10000.0f, path);
  c.rope = ops::RopeLayout::rotate_half;  // HF checkpoints keep q/k in rotate-half order
  c.tied = opt<bool>(j, "tie_word_embeddings", false, path);
  if (j.contains("hidden_act") && opt<std::string>(j, "hidden_act", "silu", path) != "silu")
    fail(path, "hidden_act '" + j["hidden_act"].dump() + "' (only silu is supported)");
  if (j.contains("rope_scaling") && !j["rope_scaling"].is_null())
    fail(path, "rope_scaling is not supported");
  if (j.contains("bos_token_id") && j["bos_token_id"].is_number_integer()) c.bos = j["bos_token_id"].get<int32_t>();
  if (j.contains("eos_token_id") && j["eos_token_id"].is_number_integer()) c.eos = j["eos_token_id"].get<int32_t>();
  c.validate(path);
  return c;
}

Config config_from_gguf(const GgufFile& g) {
  const std::string& path = g.file().path();
  Config c;
  c.arch = g.get_string("general.architecture");
  if (c.arch != "qwen2" && c.arch != "llama")
    fail(path, "architecture '" + c.arch + "' is not supported by the decoder (qwen2, llama)");
  const std::string a = c.arch + ".";
  c.dim = int(g.get_int(a + "embedding_length"));
  c.layers = int(g.get_int(a + "block_count"));
  c.heads = int(g.get_int(a + "attention.head_count"));
  c.kv_heads = int(g.get_int(a + "attention.head_count_kv", c.heads));
  c.head_dim = c.heads > 0 ? int(g.get_int(a + "attention.key_length", c.dim / c.heads)) : 0;
  c.ffn = int(g.get_int(a + "feed_forward_length"));
  c.max_ctx = int(g.get_int(a + "context_length", 2048));
  c.eps = float(g.get_float(a + "attention.layer_norm_rms_epsilon", 1e-6));
  c.rope_theta = float(g.get_float(a + "rope.freq_base", 10000.0));
  // llama.cpp's converter permutes q/k of "llama" checkpoints for its interleaved
  // ("normal") RoPE, and leaves "qwen2" in HF order (NEOX RoPE).
  c.rope = c.arch == "llama" ? ops::RopeLayout::interleaved : ops::RopeLayout::rotate_half;
  c.qkv_bias = c.arch == "qwen2";
  c.vocab = int(g.get_int(a + "vocab_size", 0));
  if (c.vocab == 0) {
    if (const TensorInfo* t = g.tensor("token_embd.weight"); t && t->shape.size() == 2) c.vocab = int(t->shape[0]);
  }
  c.tied = g.tensor("output.weight") == nullptr;
  c.bos = int32_t(g.get_int("tokenizer.ggml.bos_token_id", -1));
  c.eos = int32_t(g.get_int("tokenizer.ggml.eos_token_id", -1));
  c.validate(path);
  return c;
}

}  // namespace sprout::llama
