// Output-vocabulary shortlist (models/m2m100/shortlist.h) against the PyTorch
// reference restricted to the same shortlist (tools/m2m100_reference/m2m100_ref.py
// `restrict`, goldens from make_tiny_m2m100.py): ids identical, scores within 1e-4
// (the bound of the full-vocabulary tests); a shortlist of the whole vocabulary
// reproduces the full-vocabulary search exactly; hostile shortlist files are errors.
#include <gtest/gtest.h>

#include <numeric>

#include "engine/error.h"
#include "loaders/json_util.h"
#include "models/m2m100/model.h"
#include "models/m2m100/search.h"
#include "models/m2m100/shortlist.h"
#include "tests/test_util.h"

namespace sprout::m2m100 {
namespace {

std::string data(const std::string& rel) { return test::repo_path("tests/data/m2m100/" + rel); }

std::vector<std::vector<int32_t>> ids_list(const Json& j) {
  std::vector<std::vector<int32_t>> out;
  for (const auto& row : j) out.push_back(row.get<std::vector<int32_t>>());
  return out;
}

std::vector<std::vector<int32_t>> ids_of(const std::vector<Translation>& t) {
  std::vector<std::vector<int32_t>> out;
  for (const auto& x : t) out.push_back(x.ids);
  return out;
}

std::vector<int32_t> required(const Model& m, int32_t tgt) {
  const Config& c = m.config();
  return {c.bos_id, c.pad_id, c.eos_id, c.decoder_start_id, tgt};
}

class ShortlistGolden : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    g = load_json(data("golden/shortlist.json"));
    v = g["variants"][GetParam()];
    model = Model::load(data(GetParam()));
    tgt = g["tgt_lang"].get<int32_t>();
    sl = std::make_unique<Shortlist>(*model, read_shortlist(data(g["shortlist"].get<std::string>()),
                                                            model->config().vocab_size),
                                     required(*model, tgt));
    sources = ids_list(g["sources"]);
  }
  SearchOptions options(int beam) const {
    SearchOptions o;
    o.beam = beam;
    o.max_length = g["max_length"].get<int>();
    o.forced_bos = tgt;
    o.shortlist = sl.get();
    return o;
  }
  void check(const std::vector<Translation>& got, const std::string& key) const {
    EXPECT_EQ(ids_of(got), ids_list(v[key])) << key;
    for (size_t i = 0; i < got.size(); ++i)
      EXPECT_NEAR(got[i].score, v[key + "_scores"][i].get<double>(), 1e-4) << key << " sentence " << i;
    for (const auto& t : got)
      for (int32_t id : t.ids) EXPECT_GE(sl->index_of(id), 0) << key << ": " << id << " is not shortlisted";
  }
  Json g, v;
  std::unique_ptr<Model> model;
  std::unique_ptr<Shortlist> sl;
  std::vector<std::vector<int32_t>> sources;
  int32_t tgt = 0;
};

TEST_P(ShortlistGolden, Size) { EXPECT_EQ(sl->size(), g["size"].get<int>()); }

TEST_P(ShortlistGolden, GreedyIdsAndScores) { check(translate(*model, sources, options(1)), "greedy"); }

TEST_P(ShortlistGolden, Beam4IdsAndScores) { check(translate(*model, sources, options(4)), "beam4"); }

TEST_P(ShortlistGolden, Beam4NoRepeatIdsAndScores) {
  SearchOptions o = options(4);
  o.no_repeat_ngram = 2;
  check(translate(*model, sources, o), "beam4_no_repeat_2");
}

INSTANTIATE_TEST_SUITE_P(Variants, ShortlistGolden, ::testing::Values("tiny-f32", "tiny-f16"),
                         [](const auto& info) { return info.param.substr(5); });

// The shortlist really restricts: the golden differs from the full-vocabulary search.
TEST(Shortlist, GoldenDiffersFromFullVocabulary) {
  const Json s = load_json(data("golden/shortlist.json"));
  const Json f = load_json(data("golden/tiny-f32.json"));
  EXPECT_NE(s["variants"]["tiny-f32"]["greedy"], f["greedy"]);
  EXPECT_NE(s["variants"]["tiny-f32"]["beam4_scores"], f["beam4_scores"]);
}

// Every id: the same logits, ids and scores bit for bit, for float and int8 rows
// (i8_row also gathers the row scales).
TEST(Shortlist, WholeVocabularyReproducesFullSearchExactly) {
  const Json g = load_json(data("golden/tiny-f32.json"));
  for (DType t : {DType::f32, DType::i8_row, DType::q8_0}) {
    LoadOptions lo;
    lo.convert = t != DType::f32;
    lo.matrix_type = t;
    auto m = Model::load(data("tiny-f32"), lo);
    const int V = m->config().vocab_size;
    std::vector<int32_t> all(static_cast<size_t>(V));
    std::iota(all.begin(), all.end(), 0);
    const Shortlist sl(*m, all, {});
    SearchOptions o;
    o.max_length = g["max_length"].get<int>();
    o.forced_bos = g["tgt_lang"].get<int32_t>();
    for (int beam : {1, 4}) {
      o.beam = beam;
      o.shortlist = nullptr;
      const auto full = translate(*m, ids_list(g["sources"]), o);
      o.shortlist = &sl;
      const auto got = translate(*m, ids_list(g["sources"]), o);
      EXPECT_EQ(ids_of(got), ids_of(full)) << dtype_name(t) << " beam " << beam;
      for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i].score, full[i].score) << dtype_name(t);
    }
  }
}

// decode_step over the compact rows gives the full logits' shortlisted columns exactly.
TEST(Shortlist, StepLogitsAreTheShortlistedColumns) {
  auto m = Model::load(data("tiny-f16"));
  const Json g = load_json(data("golden/tiny-f16.json"));
  const Shortlist sl(*m, {5, 9, 40, 200, 333}, {2});
  const int V = m->config().vocab_size;
  std::vector<Source> srcs(1);
  srcs[0].ids = ids_list(g["sources"])[0];
  m->encode(srcs);
  HypCache a, b;
  HypCache* pa = &a;
  HypCache* pb = &b;
  const Source* sp = &srcs[0];
  std::vector<float> full(static_cast<size_t>(V)), part(static_cast<size_t>(sl.size()));
  const int32_t toks[] = {2, g["tgt_lang"].get<int32_t>(), 40};
  for (int s = 0; s < 3; ++s) {
    m->decode_step(&toks[s], 1, s, &pa, &sp, full.data());
    m->decode_step(&toks[s], 1, s, &pb, &sp, part.data(), &sl.rows());
    for (int i = 0; i < sl.size(); ++i) EXPECT_EQ(part[size_t(i)], full[size_t(sl.token(i))]) << "step " << s;
  }
  EXPECT_EQ(sl.ids(), (std::vector<int32_t>{2, 5, 9, 40, 200, 333}));
  EXPECT_EQ(sl.index_of(40), 3);
  EXPECT_EQ(sl.index_of(41), -1);
  EXPECT_EQ(sl.index_of(-1), -1);
  EXPECT_EQ(sl.index_of(V), -1);
}

TEST(Shortlist, ParsesCommentsBlankLinesAndCrlf) {
  EXPECT_EQ(parse_shortlist("# a comment\n3\r\n\n  7 \n0\n# end", "f", 10), (std::vector<int32_t>{3, 7, 0}));
  EXPECT_EQ(parse_shortlist("9", "f", 10), (std::vector<int32_t>{9}));
}

TEST(Shortlist, HostileFilesAreErrorsNamingTheFile) {
  auto cause = [](const std::string& text) -> std::string {
    try {
      parse_shortlist(text, "sl.txt", 10);
    } catch (const Error& e) {
      EXPECT_EQ(e.subject(), "sl.txt");
      return e.cause();
    }
    return "no error";
  };
  EXPECT_EQ(cause(""), "no token ids (an empty shortlist)");
  EXPECT_EQ(cause("# only\n\n"), "no token ids (an empty shortlist)");
  EXPECT_EQ(cause("1\n10\n"), "line 2: token id 10 is outside the vocabulary (size 10)");
  EXPECT_EQ(cause("-1\n"), "line 1: token id -1 is outside the vocabulary (size 10)");
  EXPECT_EQ(cause("99999999999999999999999\n"),
            "line 1: token id 99999999999999999999999 is outside the vocabulary (size 10)");
  EXPECT_EQ(cause("4\n5\n4\n"), "line 3: duplicate token id 4 (first on line 1)");
  EXPECT_EQ(cause("4 5\n"), "line 1: expected one token id per line");
  EXPECT_EQ(cause("x\n"), "line 1: expected one token id per line");
  EXPECT_EQ(cause("1.5\n"), "line 1: expected one token id per line");
  EXPECT_EQ(cause(std::string("3\0", 2)), "line 1: expected one token id per line");
  EXPECT_THROW(read_shortlist(data("no-such-shortlist.txt"), 10), Error);
}

TEST(Shortlist, SearchNeedsEosAndTheForcedToken) {
  auto m = Model::load(data("tiny-f16"));
  SearchOptions o;
  o.max_length = 5;
  o.forced_bos = 326;
  const Shortlist no_eos(*m, {5, 326}, {});
  o.shortlist = &no_eos;
  EXPECT_THROW(translate(*m, {{3, 4, 2}}, o), Error);
  const Shortlist no_tgt(*m, {2, 5}, {});
  o.shortlist = &no_tgt;
  EXPECT_THROW(translate(*m, {{3, 4, 2}}, o), Error);
  EXPECT_THROW(Shortlist(*m, {334}, {}), Error);
}

}  // namespace
}  // namespace sprout::m2m100
