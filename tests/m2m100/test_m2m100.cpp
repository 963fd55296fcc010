// M2M100 / NLLB graph and decoding against the PyTorch reference
// (tools/m2m100_reference/make_tiny_m2m100.py): encoder output and step logits
// within 1e-4 x max|ref|, greedy / no-repeat / beam ids identical, for f32 (with
// the tied aliases), f16 (without) and bf16 (sharded) checkpoints.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "engine/error.h"
#include "loaders/json_util.h"
#include "models/m2m100/model.h"
#include "models/m2m100/search.h"
#include "tests/test_util.h"

namespace sprout::m2m100 {
namespace {

std::string data(const std::string& rel) { return test::repo_path("tests/data/m2m100/" + rel); }

std::vector<float> read_f32(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  EXPECT_TRUE(f.good()) << path;
  f.seekg(0, std::ios::end);
  std::vector<float> v(size_t(f.tellg()) / 4);
  f.seekg(0);
  f.read(reinterpret_cast<char*>(v.data()), std::streamsize(v.size() * 4));
  return v;
}

std::vector<std::vector<int32_t>> ids_list(const Json& j) {
  std::vector<std::vector<int32_t>> out;
  for (const auto& row : j) out.push_back(row.get<std::vector<int32_t>>());
  return out;
}

float max_abs(const std::vector<float>& v) {
  float m = 0;
  for (float x : v) m = std::max(m, std::fabs(x));
  return m;
}

class M2M100Golden : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    model = Model::load(data(GetParam()));
    golden = load_json(data("golden/" + GetParam() + ".json"));
    sources = ids_list(golden["sources"]);
    tgt = golden["tgt_lang"].get<int32_t>();
    max_length = golden["max_length"].get<int>();
  }
  SearchOptions options(int beam) const {
    SearchOptions o;
    o.beam = beam;
    o.max_length = max_length;
    o.forced_bos = tgt;
    return o;
  }
  std::vector<std::vector<int32_t>> ids_of(const std::vector<Translation>& t) const {
    std::vector<std::vector<int32_t>> out;
    for (const auto& x : t) out.push_back(x.ids);
    return out;
  }
  std::unique_ptr<Model> model;
  Json golden;
  std::vector<std::vector<int32_t>> sources;
  int32_t tgt = 0;
  int max_length = 0;
};

// Encoder output of the padded batch (row 1 left-padded, rows 0 and 2 right-padded):
// every row, pads included, within 1e-4 x max|ref|.
TEST_P(M2M100Golden, EncoderOutputMatches) {
  const auto ref = read_f32(data("golden/" + GetParam() + ".encoder.f32"));
  std::vector<Source> srcs(sources.size());
  for (size_t i = 0; i < sources.size(); ++i) srcs[i].ids = sources[i];
  model->encode(srcs);
  std::vector<float> got;
  for (const auto& s : srcs) got.insert(got.end(), s.enc.begin(), s.enc.end());
  ASSERT_EQ(got.size(), ref.size());
  const float tol = 1e-4f * max_abs(ref);
  EXPECT_LE(test::max_abs_diff(got.data(), ref.data(), ref.size()), tol);
}

// Raw logits of every greedy step of sentence 0, replayed token by token through the cache.
TEST_P(M2M100Golden, StepLogitsMatch) {
  const auto ref = read_f32(data("golden/" + GetParam() + ".greedy_logits.f32"));
  const auto ids = ids_list(golden["greedy"])[0];
  const int V = model->config().vocab_size;
  const int steps = int(ref.size()) / V;
  ASSERT_EQ(steps, int(ids.size()) - 1);
  std::vector<Source> srcs(1);
  srcs[0].ids = sources[0];
  model->encode(srcs);
  HypCache cache;
  HypCache* cp = &cache;
  const Source* sp = &srcs[0];
  const float tol = 1e-4f * max_abs(ref);
  std::vector<float> logits(static_cast<size_t>(V));
  for (int t = 0; t < steps; ++t) {
    model->decode_step(&ids[size_t(t)], 1, t, &cp, &sp, logits.data());
    EXPECT_LE(test::max_abs_diff(logits.data(), ref.data() + size_t(t) * size_t(V), size_t(V)), tol) << "step " << t;
  }
}

TEST_P(M2M100Golden, GreedyIdsIdentical) {
  EXPECT_EQ(ids_of(translate(*model, sources, options(1))), ids_list(golden["greedy"]));
}

TEST_P(M2M100Golden, GreedyNoRepeatNgramIdsIdentical) {
  SearchOptions o = options(1);
  o.no_repeat_ngram = 2;
  EXPECT_EQ(ids_of(translate(*model, sources, o)), ids_list(golden["greedy_no_repeat_2"]));
}

TEST_P(M2M100Golden, Beam4IdsAndScoresIdentical) {
  const auto got = translate(*model, sources, options(4));
  EXPECT_EQ(ids_of(got), ids_list(golden["beam4"]));
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i].score, golden["beam4_scores"][i].get<double>(), 1e-4) << "sentence " << i;
}

TEST_P(M2M100Golden, Beam4LengthPenaltyEarlyStoppingIdsIdentical) {
  SearchOptions o = options(4);
  o.length_penalty = 2.0f;
  o.early_stopping = true;
  const auto got = translate(*model, sources, o);
  EXPECT_EQ(ids_of(got), ids_list(golden["beam4_lp2_early"]));
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i].score, golden["beam4_lp2_early_scores"][i].get<double>(), 1e-4) << "sentence " << i;
}

INSTANTIATE_TEST_SUITE_P(Variants, M2M100Golden, ::testing::Values("tiny-f32", "tiny-f16", "tiny-bf16"),
                         [](const auto& info) { return info.param.substr(5); });

// Batching is an implementation detail: one sentence at a time gives the same ids.
TEST(M2M100, ResultsDoNotDependOnBatching) {
  auto model = Model::load(data("tiny-f32"));
  const Json g = load_json(data("golden/tiny-f32.json"));
  SearchOptions o;
  o.max_length = g["max_length"].get<int>();
  o.forced_bos = g["tgt_lang"].get<int32_t>();
  o.beam = 4;
  o.max_batch = 4;  // one sentence per batch
  auto ids_of = [](const std::vector<Translation>& t) {
    std::vector<std::vector<int32_t>> out;
    for (const auto& x : t) out.push_back(x.ids);
    return out;
  };
  EXPECT_EQ(ids_of(translate(*model, ids_list(g["sources"]), o)), ids_list(g["beam4"]));
  o.beam = 1;
  o.max_batch = 2;
  EXPECT_EQ(ids_of(translate(*model, ids_list(g["sources"]), o)), ids_list(g["greedy"]));
}

TEST(M2M100, ConfigAndGenerationConfig) {
  const Config c = load_config(data("tiny-f32"));
  EXPECT_EQ(c.d_model, 32);
  EXPECT_EQ(c.encoder_layers, 2);
  EXPECT_EQ(c.decoder_heads, 4);
  EXPECT_EQ(c.decoder_start_id, 2);
  EXPECT_TRUE(c.scale_embedding);
  EXPECT_EQ(load_generation_config(data("tiny-f32")).max_length, 20);
}

TEST(M2M100, AliasesAndPlainNamesGiveTheSameTable) {
  // tiny-f32 carries model.shared.weight plus the three tied aliases; the loader takes
  // model.shared.weight. tiny-f16 has no aliases. Both resolve to a [vocab, d_model] table.
  auto a = Model::load(data("tiny-f32"));
  auto b = Model::load(data("tiny-f16"));
  EXPECT_EQ(a->weights().shared.shape_str(), b->weights().shared.shape_str());
}

TEST(M2M100, SinusoidalPositionsFollowHF) {
  auto m = Model::load(data("tiny-f32"));
  const int D = m->config().d_model;
  std::vector<float> row(static_cast<size_t>(D));
  m->position(1, row.data());  // the padding row is zero
  for (float x : row) EXPECT_EQ(x, 0.f);
  m->position(2, row.data());  // first real position: sin(2 f_i) | cos(2 f_i)
  EXPECT_NEAR(row[0], std::sin(2.0), 1e-6);
  EXPECT_NEAR(row[D / 2], std::cos(2.0), 1e-6);
  const double f1 = std::exp(-std::log(10000.0) / (D / 2 - 1));
  EXPECT_NEAR(row[1], std::sin(2.0 * f1), 1e-6);
  // Past the precomputed table, rows are computed the same way.
  std::vector<float> far(static_cast<size_t>(D));
  m->position(5000, far.data());
  EXPECT_NEAR(far[D / 2 - 1], std::sin(5000.0 * std::exp(-std::log(10000.0))), 1e-4);
}

TEST(M2M100, NoRepeatNgramBansLikeHF) {
  // prefix 2 5 7 5: bigram (5,7) seen -> after a trailing 5, 7 is banned.
  EXPECT_EQ(banned_ngram_tokens({2, 5, 7, 5}, 2), (std::vector<int32_t>{7}));
  EXPECT_EQ(banned_ngram_tokens({2, 5, 7, 5, 7}, 3), (std::vector<int32_t>{5}));
  EXPECT_TRUE(banned_ngram_tokens({2}, 3).empty());
  EXPECT_TRUE(banned_ngram_tokens({2, 5, 7}, 0).empty());
}

TEST(M2M100, BadInputIsAnError) {
  auto m = Model::load(data("tiny-f32"));
  SearchOptions o;
  o.max_length = 5;
  EXPECT_THROW(translate(*m, {{3, 99999, 2}}, o), Error);           // source id outside the vocabulary
  o.forced_bos = m->config().vocab_size;
  EXPECT_THROW(translate(*m, {{3, 4, 2}}, o), Error);               // forced token outside
  EXPECT_THROW(Model::load(data("golden")), Error);                 // not a model directory
  EXPECT_THROW(Model::load(data("does-not-exist")), Error);
}

// int8 conversion at load (q8_0 and per-row int8): the graph still tracks the f32
// reference closely. q8_0 rounds weights and activations to 8 bits, so the bound is
// loose (5% of max|logit|) and ids are not required to be identical.
TEST(M2M100, Int8WeightsTrackTheReference) {
  const auto ref = read_f32(data("golden/tiny-f32.greedy_logits.f32"));
  const Json g = load_json(data("golden/tiny-f32.json"));
  const auto ids = ids_list(g["greedy"])[0];
  for (DType t : {DType::q8_0, DType::i8_row}) {
    LoadOptions lo;
    lo.convert = true;
    lo.matrix_type = t;
    auto m = Model::load(data("tiny-f32"), lo);
    EXPECT_EQ(m->weights().shared.dtype, t);
    const int V = m->config().vocab_size;
    std::vector<Source> srcs(1);
    srcs[0].ids = ids_list(g["sources"])[0];
    m->encode(srcs);
    HypCache cache;
    HypCache* cp = &cache;
    const Source* sp = &srcs[0];
    std::vector<float> logits(static_cast<size_t>(V));
    float worst = 0;
    for (int s = 0; s < 5; ++s) {
      m->decode_step(&ids[size_t(s)], 1, s, &cp, &sp, logits.data());
      worst = std::max(worst, test::max_abs_diff(logits.data(), ref.data() + size_t(s) * size_t(V), size_t(V)));
    }
    EXPECT_LE(worst, 0.05f * max_abs(ref)) << dtype_name(t);
    EXPECT_GT(worst, 0.f) << dtype_name(t);  // the conversion really happened
  }
}

}  // namespace
}  // namespace sprout::m2m100
