#include <gtest/gtest.h>

#include "loaders/config_bert.h"
#include "loaders/config_llama.h"
#include "loaders/config_m2m100.h"
#include "loaders/gguf.h"
#include "loaders/weights.h"
#include "tests/loaders/loader_test_util.h"

namespace sprout {
namespace {
using test::expect_error;

const std::string kQwenJson = R"({
  "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_size": 2048,
  "intermediate_size": 5504, "num_hidden_layers": 24, "num_attention_heads": 16, "num_key_value_heads": 16,
  "rms_norm_eps": 1e-06, "rope_theta": 1000000.0, "vocab_size": 151936, "max_position_embeddings": 32768,
  "tie_word_embeddings": false, "torch_dtype": "bfloat16", "bos_token_id": 151643, "eos_token_id": 151645,
  "sliding_window": null})";  // Qwen1.5-1.8B-Chat's values

TEST(Config, LlamaFromHfJson) {
  test::TempDir dir;
  test::write_text(dir.file("config.json"), kQwenJson);
  const LlamaConfig c = llama_config_from_json(dir.file("config.json"));
  EXPECT_EQ(c.model_type, "qwen2");
  EXPECT_EQ(c.hidden_size, 2048);
  EXPECT_EQ(c.intermediate_size, 5504);
  EXPECT_EQ(c.num_hidden_layers, 24);
  EXPECT_EQ(c.num_attention_heads, 16);
  EXPECT_EQ(c.num_key_value_heads, 16);
  EXPECT_EQ(c.head_dim(), 128);
  EXPECT_DOUBLE_EQ(c.rms_norm_eps, 1e-6);
  EXPECT_DOUBLE_EQ(c.rope_theta, 1e6);
  EXPECT_EQ(c.vocab_size, 151936);
  EXPECT_EQ(c.max_position_embeddings, 32768);
  EXPECT_FALSE(c.tie_word_embeddings);
  EXPECT_EQ(c.torch_dtype, "bfloat16");
  EXPECT_EQ(c.eos_token_id, 151645);

  // The repo's tiny Llama checkpoint config (GQA, no num_key_value_heads default needed).
  const LlamaConfig l = llama_config_from_json(test::repo_path("tests/data/llama/llama_gqa_f16/config.json"));
  EXPECT_EQ(l.model_type, "llama");
  EXPECT_EQ(l.num_key_value_heads, 2);
  EXPECT_DOUBLE_EQ(l.rms_norm_eps, 1e-5);
}

TEST(Config, LlamaErrorsNameKeyAndFile) {
  test::TempDir dir;
  const std::string p = dir.file("config.json");
  test::write_text(p, R"({"model_type": "qwen2", "hidden_size": 64})");
  expect_error([&] { llama_config_from_json(p); }, p + ": missing key 'vocab_size'");
  test::write_text(p, R"({"model_type": "gpt2"})");
  expect_error([&] { llama_config_from_json(p); }, p + ": key 'model_type': unsupported 'gpt2' (expected llama or qwen2)");
  test::write_text(p, R"({"hidden_size": 64})");
  expect_error([&] { llama_config_from_json(p); }, p + ": missing key 'model_type'");
  std::string bad = kQwenJson;
  bad.replace(bad.find("\"hidden_size\": 2048"), 19, "\"hidden_size\": \"big\"");
  test::write_text(p, bad);
  expect_error([&] { llama_config_from_json(p); }, p + ": key 'hidden_size': expected integer, got string");
  bad = kQwenJson;
  bad.replace(bad.find("\"num_key_value_heads\": 16"), 25, "\"num_key_value_heads\": 3");
  test::write_text(p, bad);
  expect_error([&] { llama_config_from_json(p); },
               p + ": num_attention_heads 16 is not a multiple of num_key_value_heads 3");
}

TEST(Config, LlamaFromGguf) {
  test::TempDir dir;
  GgufWriter w;
  w.set_string("general.architecture", "qwen2");
  w.set_u32("qwen2.embedding_length", 64);
  w.set_u32("qwen2.feed_forward_length", 96);
  w.set_u32("qwen2.block_count", 2);
  w.set_u32("qwen2.attention.head_count", 4);
  w.set_u32("qwen2.attention.head_count_kv", 2);
  w.set_f32("qwen2.attention.layer_norm_rms_epsilon", 1e-6f);
  w.set_f32("qwen2.rope.freq_base", 1e6f);
  w.set_u32("qwen2.context_length", 128);
  std::vector<float> emb(192 * 64);
  w.add_tensor("token_embd.weight", DType::f32, {192, 64}, emb.data());
  w.write(dir.file("m.gguf"));
  auto g = GgufFile::open(dir.file("m.gguf"));
  const LlamaConfig c = llama_config_from_gguf(*g);
  EXPECT_EQ(c.model_type, "qwen2");
  EXPECT_EQ(c.hidden_size, 64);
  EXPECT_EQ(c.intermediate_size, 96);
  EXPECT_EQ(c.num_hidden_layers, 2);
  EXPECT_EQ(c.num_attention_heads, 4);
  EXPECT_EQ(c.num_key_value_heads, 2);
  EXPECT_FLOAT_EQ(float(c.rms_norm_eps), 1e-6f);
  EXPECT_EQ(c.rope_theta, 1e6);
  EXPECT_EQ(c.max_position_embeddings, 128);
  EXPECT_EQ(c.vocab_size, 192);          // from token_embd.weight's rows
  EXPECT_TRUE(c.tie_word_embeddings);    // no output.weight

  GgufWriter w2;
  w2.set_string("general.architecture", "llama");
  w2.write(dir.file("bad.gguf"));
  auto g2 = GgufFile::open(dir.file("bad.gguf"));
  expect_error([&] { llama_config_from_gguf(*g2); }, dir.file("bad.gguf") + ": missing key 'llama.embedding_length'");
  auto bert = GgufFile::open(test::repo_path("tests/data/loaders/ggml-vocab-bert-bge.gguf"));
  expect_error([&] { llama_config_from_gguf(*bert); },
               bert->file().path() + ": key 'general.architecture': unsupported 'bert' (expected llama or qwen2)");
}

// head_dim apart from hidden_size / heads: HF's "head_dim" key, GGUF's attention.key_length
// (with value_length equal); then hidden_size need not be a multiple of the heads.
TEST(Config, LlamaExplicitHeadDim) {
  test::TempDir dir;
  const std::string p = dir.file("config.json");
  std::string j = kQwenJson;
  j.replace(j.find("\"sliding_window\": null"), 22, "\"head_dim\": 96, \"sliding_window\": null");
  test::write_text(p, j);
  EXPECT_EQ(llama_config_from_json(p).head_dim(), 96);
  j = kQwenJson;
  j.replace(j.find("\"sliding_window\": null"), 22, "\"head_dim\": null, \"sliding_window\": null");
  test::write_text(p, j);
  EXPECT_EQ(llama_config_from_json(p).head_dim(), 128);  // null: hidden_size / heads
  j = kQwenJson;
  j.replace(j.find("\"sliding_window\": null"), 22, "\"head_dim\": 0, \"sliding_window\": null");
  test::write_text(p, j);
  expect_error([&] { llama_config_from_json(p); }, p + ": key 'head_dim': must be positive, got 0");
  j = kQwenJson;
  j.replace(j.find("\"sliding_window\": null"), 22, "\"head_dim\": 4294967360, \"sliding_window\": null");
  test::write_text(p, j);  // 2^32 + 64: would wrap to 64 as an int
  expect_error([&] { llama_config_from_json(p); }, p + ": key 'head_dim': 4294967360 is too large");

  auto gguf = [&](int key_length, int value_length) {
    GgufWriter w;
    w.set_string("general.architecture", "llama");
    w.set_u32("llama.embedding_length", 60);  // not a multiple of the 8 heads
    w.set_u32("llama.feed_forward_length", 96);
    w.set_u32("llama.block_count", 1);
    w.set_u32("llama.attention.head_count", 8);
    w.set_u32("llama.vocab_size", 32);
    if (key_length) w.set_u32("llama.attention.key_length", uint32_t(key_length));
    if (value_length) w.set_u32("llama.attention.value_length", uint32_t(value_length));
    w.write(dir.file("m.gguf"));
    return GgufFile::open(dir.file("m.gguf"));
  };
  EXPECT_EQ(llama_config_from_gguf(*gguf(32, 32)).head_dim(), 32);
  EXPECT_EQ(llama_config_from_gguf(*gguf(32, 0)).head_dim(), 32);
  expect_error([&] { llama_config_from_gguf(*gguf(32, 16)); },
               dir.file("m.gguf") + ": keys 'llama.attention.key_length' / value_length: 32 / 16 (need one positive size "
                                    "for both)");
  expect_error([&] { llama_config_from_gguf(*gguf(0, 0)); },
               dir.file("m.gguf") + ": hidden_size 60 is not a multiple of num_attention_heads 8");
}

// The shape all-MiniLM-L6-v2 and bge-small share (BERT vocabulary, 384 wide, 12 heads).
void expect_bert_small_shape(const BertConfig& c) {
  EXPECT_EQ(c.vocab_size, 30522);
  EXPECT_EQ(c.hidden_size, 384);
  EXPECT_EQ(c.num_attention_heads, 12);
  EXPECT_EQ(c.intermediate_size, 1536);
  EXPECT_EQ(c.max_position_embeddings, 512);
  EXPECT_EQ(c.type_vocab_size, 2);
}

TEST(Config, BertFromRealConfigs) {
  const BertConfig c = bert_config_from_json(test::repo_path("tests/data/loaders/configs/all-MiniLM-L6-v2.config.json"));
  expect_bert_small_shape(c);
  EXPECT_EQ(c.num_hidden_layers, 6);
  EXPECT_EQ(c.hidden_act, "gelu");
  EXPECT_DOUBLE_EQ(c.layer_norm_eps, 1e-12);
  EXPECT_EQ(c.pad_token_id, 0);
  const BertConfig m =
      bert_config_from_json(test::repo_path("tests/data/loaders/configs/paraphrase-multilingual-MiniLM-L12-v2.config.json"));
  EXPECT_EQ(m.vocab_size, 250037);
  EXPECT_EQ(m.num_hidden_layers, 12);
}

TEST(Config, BertFromRealGguf) {
  auto g = GgufFile::open(test::repo_path("tests/data/loaders/ggml-vocab-bert-bge.gguf"));
  const BertConfig c = bert_config_from_gguf(*g);
  expect_bert_small_shape(c);  // vocab_size from the tokenizer (the file has no tensors)
  EXPECT_EQ(c.num_hidden_layers, 12);
  EXPECT_FLOAT_EQ(float(c.layer_norm_eps), 1e-12f);
}

TEST(Config, BertErrors) {
  test::TempDir dir;
  const std::string p = dir.file("config.json");
  test::write_text(p, R"({"vocab_size": 10, "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2})");
  expect_error([&] { bert_config_from_json(p); }, p + ": missing key 'intermediate_size'");
  test::write_text(p, R"({"vocab_size": 10, "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2,
                          "intermediate_size": 4, "hidden_act": "swish2"})");
  expect_error([&] { bert_config_from_json(p); }, p + ": key 'hidden_act': unsupported 'swish2'");
  test::write_text(p, R"({"vocab_size": 10, "hidden_size": 8, "num_hidden_layers": 0, "num_attention_heads": 2,
                          "intermediate_size": 4})");
  expect_error([&] { bert_config_from_json(p); }, p + ": key 'num_hidden_layers': must be positive, got 0");
}

TEST(Config, M2M100FromRealNllb) {
  const std::string dir = test::repo_path("tests/data/loaders/configs/nllb-200-1.3B");
  const M2M100Config c = m2m100_config_from_json(dir + "/config.json");
  EXPECT_EQ(c.d_model, 1024);
  EXPECT_EQ(c.encoder_layers, 24);
  EXPECT_EQ(c.decoder_layers, 24);
  EXPECT_EQ(c.encoder_attention_heads, 16);
  EXPECT_EQ(c.decoder_attention_heads, 16);
  EXPECT_EQ(c.encoder_ffn_dim, 8192);
  EXPECT_EQ(c.decoder_ffn_dim, 8192);
  EXPECT_EQ(c.activation_function, "relu");
  EXPECT_EQ(c.vocab_size, 256206);
  EXPECT_EQ(c.max_position_embeddings, 1024);
  EXPECT_TRUE(c.scale_embedding);
  EXPECT_EQ(c.pad_token_id, 1);
  EXPECT_EQ(c.bos_token_id, 0);
  EXPECT_EQ(c.eos_token_id, 2);
  EXPECT_EQ(c.decoder_start_token_id, 2);
  const GenerationConfig g = generation_config_from_dir(dir);
  EXPECT_EQ(g.max_length, 200);
  EXPECT_EQ(g.num_beams, 1);
  EXPECT_EQ(g.decoder_start_token_id, 2);
  EXPECT_EQ(g.forced_bos_token_id, -1);
}

TEST(Config, M2M100LayerNormsAndGenerationFallback) {
  const std::string dir = test::repo_path("tests/data/m2m100/tiny-f32");
  M2M100Config c = m2m100_config_from_json(dir + "/config.json");
  auto w = WeightStore::open(dir);
  c.detect_layer_norms(*w);
  EXPECT_TRUE(c.encoder_layer_norm);
  EXPECT_TRUE(c.decoder_layer_norm);

  test::TempDir t;
  test::write_text(t.file("config.json"), R"({"max_length": 50, "num_beams": 4, "early_stopping": true})");
  GenerationConfig g = generation_config_from_dir(t.path());  // falls back to config.json
  EXPECT_EQ(g.max_length, 50);
  EXPECT_EQ(g.num_beams, 4);
  EXPECT_TRUE(g.early_stopping);
  test::write_text(t.file("generation_config.json"), R"({"early_stopping": "never", "forced_bos_token_id": 256047})");
  g = generation_config_from_dir(t.path());
  EXPECT_FALSE(g.early_stopping);
  EXPECT_EQ(g.forced_bos_token_id, 256047);
  EXPECT_EQ(g.max_length, 20);
  test::write_text(t.file("generation_config.json"), R"({"num_beams": "four"})");
  expect_error([&] { generation_config_from_dir(t.path()); },
               t.file("generation_config.json") + ": key 'num_beams': expected integer, got string");
  test::write_text(t.file("config.json"), R"({"d_model": 16})");
  expect_error([&] { m2m100_config_from_json(t.file("config.json")); }, t.file("config.json") + ": missing key 'encoder_layers'");
}

}  // namespace
}  // namespace sprout
