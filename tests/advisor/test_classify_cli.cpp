// `sprout langid` / `sprout intent` end to end: the binary's output equals the
// fastText CLI goldens line for line (labels exact, probabilities within 1e-5),
// --json carries the same values, and bad models or flags give one stderr line
// with exit 1 (runtime) or 2 (usage).
#include <gtest/gtest.h>

#include <sstream>

#include "tests/advisor/advisor_util.h"

namespace sprout {
namespace {

std::string lines_of(const std::vector<std::string>& v, size_t n) {
  std::string s;
  for (size_t i = 0; i < n && i < v.size(); ++i) s += v[i] + "\n";
  return s;
}

void expect_same_predictions(const std::string& got, const std::string& want) {
  std::istringstream g(got), w(want);
  std::string lg, lw;
  int n = 0;
  while (std::getline(w, lw)) {
    ASSERT_TRUE(std::getline(g, lg)) << "missing line " << n;
    std::istringstream a(lg), b(lw);
    std::string la, lb;
    double pa, pb;
    while (b >> lb >> pb) {
      ASSERT_TRUE(a >> la >> pa) << lg;
      EXPECT_EQ(la, lb);
      EXPECT_NEAR(pa, pb, 1e-5);
    }
    ++n;
  }
  EXPECT_FALSE(std::getline(g, lg)) << "extra output";
}

TEST(ClassifyCli, LangIdDefaultModelMatchesGolden) {
  const auto text = test::read_lines(test::fixture("lid_test_sentences.txt"));
  const auto gold = test::read_lines(test::fixture("lid176ftz_predict-prob_k5.txt"));
  const auto r = test::run_sprout("langid -k 5", lines_of(text, text.size()));
  ASSERT_EQ(r.code, 0) << r.err;
  expect_same_predictions(r.out, lines_of(gold, gold.size()));
}

TEST(ClassifyCli, IntentMatchesGolden) {
  const auto text = test::read_lines(test::fixture("clinc150_test300_text.txt"));
  const auto gold = test::read_lines(test::fixture("clinc150_ft_ftz_pred300_k3.txt"));
  const auto r = test::run_sprout("intent -k 3 --model " + test::q(test::intent_model()), lines_of(text, 40));
  ASSERT_EQ(r.code, 0) << r.err;
  expect_same_predictions(r.out, lines_of(gold, 40));
}

TEST(ClassifyCli, JsonOutput) {
  const auto r = test::run_sprout("langid --json -k 2", "Bonjour tout le monde\nGuten Morgen, wie geht es dir?\n");
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(test::count_lines(r.out), 2);
  EXPECT_EQ(r.out.rfind("{\"predictions\":[{\"label\":\"__label__fr\",\"prob\":0.", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\n{\"predictions\":[{\"label\":\"__label__de\""), std::string::npos) << r.out;
}

TEST(ClassifyCli, ErrorsAreOneLine) {
  test::Scratch s;
  test::write_all(s.file("bad.ftz"), "not a model at all");
  auto r = test::run_sprout("intent --model " + test::q(s.file("bad.ftz")), "hello\n");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.rfind("sprout: error: " + s.file("bad.ftz") + ": ", 0), 0u) << r.err;
  EXPECT_EQ(test::count_lines(r.err), 1);
  r = test::run_sprout("langid --model " + test::q(s.file("missing.ftz")), "hello\n");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(test::count_lines(r.err), 1);
  r = test::run_sprout("intent", "hello\n");  // --model is required
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(test::count_lines(r.err), 1);
  r = test::run_sprout("langid -k -1", "hello\n");
  EXPECT_EQ(r.code, 2);
  r = test::run_sprout("langid --help");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("--model"), std::string::npos);
}

}  // namespace
}  // namespace sprout

namespace sprout {
namespace {

TEST(AdviseCli, TextAndJson) {
  const std::string m = "advise --intent " + test::q(test::intent_model());
  auto r = test::run_sprout(m, "what is the weather like today\nJe voudrais connaître le prix du maïs\n");
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(test::count_lines(r.out), 2) << r.out;
  EXPECT_EQ(r.out.rfind("en\t", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\nfr\t"), std::string::npos) << r.out;
  r = test::run_sprout(m + " --json --mem-budget 1"  /* lid.176 alone is 1.3 MB */, "what is the weather like today\n");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("{\"question\":\"what is the weather like today\",\"lang\":\"en\"", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\"evictions\":1}"), std::string::npos) << r.out;
}

TEST(AdviseCli, Errors) {
  auto r = test::run_sprout("advise --intent /nonexistent/x.ftz", "hi\n");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.rfind("sprout: error: /nonexistent/x.ftz: ", 0), 0u) << r.err;
  EXPECT_EQ(test::count_lines(r.err), 1);
  r = test::run_sprout("advise", "hi\n");
  EXPECT_EQ(r.code, 2);
  r = test::run_sprout("advise --intent " + test::q(test::intent_model()) + " --knowledge x.txt", "hi\n");
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(test::count_lines(r.err), 1);
}

}  // namespace
}  // namespace sprout
