// The BERT encoder against the float64 reference goldens (tools/bert_reference/make_tiny_bert.py).
// Tolerances: hidden states within 1e-4 x max|ref| per sentence; embeddings cosine >= 0.99999;
// int8 linear weights cosine >= 0.995 against the f32 model.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "bert_golden.h"
#include "engine/error.h"
#include "engine/threads.h"
#include "loaders/tokenizer.h"
#include "models/bert/bert.h"
#include "models/bert/config.h"

namespace sprout::test {
namespace {

using bert::Model;
using bert::Pooling;

std::string dir(const std::string& name) { return repo_path("tests/data/bert/" + name); }

// The tiny models are a few microseconds of work per op: one thread keeps the suite fast on a
// loaded machine. PaddedBatchGivesTheSameVectorAsAlone runs with two threads.
class OneThread : public ::testing::Environment {
 public:
  void SetUp() override { set_num_threads(1); }
  void TearDown() override { set_num_threads(0); }
};
const auto* const kOneThread = ::testing::AddGlobalTestEnvironment(new OneThread);

// Packs every golden sentence into one batch and compares each sentence's hidden states.
void expect_hidden_match(const Model& m, const BertGolden& g) {
  std::vector<std::span<const int32_t>> seqs(g.ids.begin(), g.ids.end());
  size_t tokens = 0;
  for (auto& s : g.ids) tokens += s.size();
  std::vector<float> h(tokens * size_t(g.hidden_size));
  Arena scratch;
  m.encode(seqs, h.data(), scratch);
  const float* p = h.data();
  for (size_t i = 0; i < g.ids.size(); ++i) {
    const std::vector<float>& ref = g.hidden[i];
    ASSERT_EQ(ref.size(), g.ids[i].size() * size_t(g.hidden_size));
    const float tol = 1e-4f * max_abs(ref);
    EXPECT_LE(max_abs_diff(p, ref.data(), ref.size()), tol) << "sentence " << i;
    p += ref.size();
  }
}

// truncate: give the untruncated ids and let the model cut them at its max_seq_length.
void expect_embeddings_match(const Model& m, const BertGolden& g, bool truncate = true) {
  const size_t H = size_t(g.hidden_size);
  struct Mode { Pooling p; const std::vector<std::vector<float>>* pooled; const std::vector<std::vector<float>>* normed; };
  for (Mode mode : {Mode{Pooling::mean, &g.pooled_mean, &g.normalized_mean},
                    Mode{Pooling::cls, &g.pooled_cls, &g.normalized_cls},
                    Mode{Pooling::max, &g.pooled_max, &g.normalized_max}}) {
    bert::EmbedOptions eo;
    eo.pooling = mode.p;
    eo.batch_size = 3;  // several batches, sentences of different lengths in each
    const auto& input = truncate ? g.input_ids : g.ids;
    const std::vector<float> e = m.embed(input, eo);
    eo.normalize = false;
    const std::vector<float> raw = m.embed(input, eo);
    for (size_t i = 0; i < g.ids.size(); ++i) {
      EXPECT_GE(cosine(e.data() + i * H, (*mode.normed)[i].data(), H), 0.99999) << bert::pooling_name(mode.p) << " " << i;
      EXPECT_LE(max_abs_diff(e.data() + i * H, (*mode.normed)[i].data(), H), 1e-4f);
      EXPECT_LE(max_abs_diff(raw.data() + i * H, (*mode.pooled)[i].data(), H), 1e-4f * max_abs((*mode.pooled)[i]));
    }
  }
}

TEST(BertModel, WordPieceModelWithPrefixMatchesReference) {
  auto m = Model::load(dir("tiny-wp"));
  BertGolden g("tiny-wp");
  EXPECT_EQ(m->hidden(), 32);
  EXPECT_EQ(m->hparams().layers, 2);
  EXPECT_EQ(m->max_seq_length(), 20);
  EXPECT_EQ(m->pooling(), Pooling::mean);
  expect_hidden_match(*m, g);
  expect_embeddings_match(*m, g);
}

TEST(BertModel, NoPrefixVariantMatchesReferenceAndUsesClsPooling) {
  auto m = Model::load(dir("tiny-wp-noprefix"));
  BertGolden g("tiny-wp");
  EXPECT_EQ(m->pooling(), Pooling::cls);
  EXPECT_EQ(m->tokenizer(), nullptr);  // a directory without tokenizer files loads for ids
  EXPECT_THROW(m->tokenize("hello"), Error);
  expect_hidden_match(*m, g);
  // The configured pooling is what embed() uses by default.
  const std::vector<float> e = m->embed(g.input_ids);
  for (size_t i = 0; i < g.ids.size(); ++i)
    EXPECT_GE(cosine(e.data() + i * 32, g.normalized_cls[i].data(), 32), 0.99999);
}

TEST(BertModel, BothPrefixVariantsGiveIdenticalHiddenStates) {
  auto a = Model::load(dir("tiny-wp"));
  auto b = Model::load(dir("tiny-wp-noprefix"));
  BertGolden g("tiny-wp");
  bert::EmbedOptions eo;
  eo.pooling = Pooling::mean;
  EXPECT_EQ(a->embed(g.ids, eo), b->embed(g.ids, eo));
}

TEST(BertModel, XlmrStyleModelMatchesReferenceAndUsesMaxPooling) {
  auto m = Model::load(dir("tiny-xlmr"));
  BertGolden g("tiny-xlmr");
  EXPECT_EQ(m->pooling(), Pooling::max);
  EXPECT_EQ(m->max_seq_length(), 24);
  expect_hidden_match(*m, g);
  expect_embeddings_match(*m, g);
}

TEST(BertModel, LlamaCppGgufMatchesReference) {
  auto m = Model::load(dir("tiny-wp.gguf"));
  BertGolden g("tiny-wp");
  EXPECT_EQ(m->hidden(), 32);
  EXPECT_EQ(m->hparams().layers, 2);
  EXPECT_EQ(m->pooling(), Pooling::mean);  // bert.pooling_type 1
  EXPECT_EQ(m->max_seq_length(), 40);      // bert.context_length (GGUF has no sentence-transformers config)
  expect_hidden_match(*m, g);
  expect_embeddings_match(*m, g, /*truncate=*/false);
}

TEST(BertModel, PaddedBatchGivesTheSameVectorAsAlone) {
  for (const char* name : {"tiny-wp", "tiny-xlmr"}) {
    set_num_threads(std::string(name) == "tiny-wp" ? 2 : 1);  // threaded ops must not change a vector
    auto m = Model::load(dir(name));
    BertGolden g(name);
    const size_t H = size_t(m->hidden());
    bert::EmbedOptions all, alone;
    alone.batch_size = 1;
    const std::vector<float> a = m->embed(g.ids, all), b = m->embed(g.ids, alone);
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < g.ids.size(); ++i)
      EXPECT_LE(max_abs_diff(a.data() + i * H, b.data() + i * H, H), 1e-6f) << name << " sentence " << i;
  }
  set_num_threads(1);
}

TEST(BertModel, TokenizesAndTruncatesLikeTheReference) {
  for (const char* name : {"tiny-wp", "tiny-xlmr"}) {
    auto m = Model::load(dir(name));
    BertGolden g(name);
    ASSERT_NE(m->tokenizer(), nullptr) << name;
    for (size_t i = 0; i < g.sentences.size(); ++i) {
      EXPECT_EQ(m->tokenizer()->encode(g.sentences[i]), g.input_ids[i]) << name << ": " << g.sentences[i];
      EXPECT_EQ(m->tokenize(g.sentences[i]), g.ids[i]) << name << ": " << g.sentences[i];
      EXPECT_EQ(m->truncate(g.input_ids[i]), g.ids[i]);
    }
    // Text in, embeddings out: the same as the golden ids.
    const std::vector<float> e = m->embed_texts(g.sentences);
    const std::vector<float> ref = m->embed(g.ids);
    EXPECT_EQ(e, ref);
  }
  // The WordPiece vocabulary stored in llama.cpp's GGUF form tokenizes the same way
  // (max_seq_length is the GGUF context length there, so compare before truncation).
  auto m = Model::load(dir("tiny-wp.gguf"));
  BertGolden g("tiny-wp");
  ASSERT_NE(m->tokenizer(), nullptr);
  for (size_t i = 0; i < g.sentences.size(); ++i)
    EXPECT_EQ(m->tokenizer()->encode(g.sentences[i]), g.input_ids[i]) << "gguf: " << g.sentences[i];
}

// int8 linear weights (the embedding tables stay as stored): cosine against the f32 model.
TEST(BertModel, Int8WeightsStayCloseToF32) {
  for (const char* name : {"tiny-wp", "tiny-xlmr"}) {
    for (DType t : {DType::q8_0, DType::i8_row}) {
      if (t == DType::q8_0 && std::string(name) == "tiny-xlmr") continue;  // hidden 48: not whole q8_0 blocks
      auto f = Model::load(dir(name));
      bert::LoadOptions lo;
      lo.linear_type = t;
      auto q = Model::load(dir(name), lo);
      EXPECT_GT(q->converted_bytes(), 0u);
      BertGolden g(name);
      const size_t H = size_t(f->hidden());
      const std::vector<float> a = f->embed(g.ids), b = q->embed(g.ids);
      std::vector<double> cos;
      for (size_t i = 0; i < g.ids.size(); ++i) cos.push_back(cosine(a.data() + i * H, b.data() + i * H, H));
      std::sort(cos.begin(), cos.end());
      std::printf("[ int8 ] %s %s cosine vs f32: min %.6f median %.6f max %.6f (n=%zu)\n", name, dtype_name(t),
                  cos.front(), cos[cos.size() / 2], cos.back(), cos.size());
      EXPECT_GE(cos.front(), 0.995) << name << " " << dtype_name(t);
    }
  }
}

TEST(BertModel, PoolingOfOneSequence) {
  const float h[] = {1, -2, 3, 4, -5, 6};  // 3 tokens x 2
  float out[2];
  bert::pool(h, 3, 2, Pooling::mean, out);
  EXPECT_FLOAT_EQ(out[0], (1 + 3 - 5) / 3.0f);
  EXPECT_FLOAT_EQ(out[1], (-2 + 4 + 6) / 3.0f);
  bert::pool(h, 3, 2, Pooling::cls, out);
  EXPECT_EQ(out[0], 1);
  EXPECT_EQ(out[1], -2);
  bert::pool(h, 3, 2, Pooling::max, out);
  EXPECT_EQ(out[0], 3);
  EXPECT_EQ(out[1], 6);
  float v[] = {3, 4};
  bert::l2_normalize(v, 2);
  EXPECT_FLOAT_EQ(v[0], 0.6f);
  EXPECT_FLOAT_EQ(v[1], 0.8f);
  float z[] = {0, 0};
  bert::l2_normalize(z, 2);  // no division by zero
  EXPECT_EQ(z[0], 0);
}

TEST(BertModel, BadInputsAreErrors) {
  auto m = Model::load(dir("tiny-wp"));
  EXPECT_THROW(m->embed({{101, 999999, 102}}), Error);
  EXPECT_THROW(m->embed({{101, -1, 102}}), Error);
  EXPECT_THROW(m->embed({{}}), Error);
  EXPECT_THROW(Model::load(dir("does-not-exist")), Error);
}

// Broken copies of the fixture: each must be a clear Error naming the file, never a crash.
TEST(BertModel, BrokenModelDirectoriesAreErrors) {
  namespace fs = std::filesystem;
  const fs::path tmp = fs::temp_directory_path() / ("sprout_bert_broken_" + std::to_string(::getpid()));
  fs::remove_all(tmp);
  fs::create_directories(tmp / "1_Pooling");
  fs::copy_file(dir("tiny-wp-noprefix") + "/model.safetensors", tmp / "model.safetensors");
  auto write = [&](const std::string& rel, const std::string& text) { std::ofstream(tmp / rel) << text; };
  const std::string good_cfg =
      R"({"model_type": "bert", "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4,
          "intermediate_size": 64, "vocab_size": )" + std::to_string(Model::load(dir("tiny-wp"))->hparams().vocab) +
      R"(, "max_position_embeddings": 40, "type_vocab_size": 2, "layer_norm_eps": 1e-12})";
  write("config.json", good_cfg);
  EXPECT_NO_THROW(Model::load(tmp.string()));

  auto expect_error = [&](const char* what, const std::string& needle) {
    try {
      Model::load(tmp.string());
      ADD_FAILURE() << what << ": loaded";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << what << ": " << e.what();
    }
  };
  write("config.json", R"({"model_type": "bert", "hidden_size": 32})");
  expect_error("missing key", "missing key");
  write("config.json", std::string(good_cfg).replace(good_cfg.find("\"hidden_size\": 32"), 17, "\"hidden_size\": 48"));
  expect_error("wrong hidden size", "shape");
  write("config.json", std::string(good_cfg).replace(good_cfg.find("\"num_hidden_layers\": 2"), 22, "\"num_hidden_layers\": 3"));
  expect_error("missing layer", "encoder.layer.2");
  write("config.json", good_cfg);
  write("1_Pooling/config.json", R"({"pooling_mode_mean_sqrt_len_tokens": true})");
  expect_error("pooling", "pooling");
  write("1_Pooling/config.json", R"({"pooling_mode_cls_token": true, "pooling_mode_max_tokens": true})");
  expect_error("two poolings", "pooling");
  write("1_Pooling/config.json", "{not json");
  expect_error("bad json", "config.json");
  fs::remove_all(tmp);
}

}  // namespace
}  // namespace sprout::test
