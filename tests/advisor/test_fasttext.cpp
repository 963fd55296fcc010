// The fastText wrapper against goldens written by Debian's `fasttext
// predict-prob` CLI (tools/fasttext_goldens/make_goldens.sh): same labels in
// the same order, probabilities within 1e-5 absolute (the CLI prints 6
// significant digits, so 1e-5 also covers its rounding). Then hostile files:
// every malformed model must raise sprout::Error naming the file, never crash
// or hang (the suite also runs under ASan+UBSan).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>

#include "engine/error.h"
#include "models/fasttext/fasttext.h"
#include "tests/advisor/advisor_util.h"

namespace sprout {
namespace {

constexpr double kProbTol = 1e-5;

void expect_matches_golden(const std::string& model, const std::string& text, const std::string& golden, int k,
                           size_t want_lines) {
  const fasttext::Classifier clf(model);
  const auto lines = test::read_lines(text);
  const auto gold = test::read_lines(golden);
  ASSERT_EQ(lines.size(), want_lines);
  ASSERT_EQ(gold.size(), lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    SCOPED_TRACE("line " + std::to_string(i + 1) + ": " + lines[i]);
    std::istringstream g(gold[i]);
    std::vector<std::pair<std::string, double>> want;
    std::string label;
    double p;
    while (g >> label >> p) want.push_back({label, p});
    const auto got = clf.predict(lines[i], k);
    ASSERT_EQ(got.size(), want.size());
    for (size_t j = 0; j < got.size(); ++j) {
      EXPECT_EQ(got[j].label, want[j].first) << "rank " << j;
      EXPECT_NEAR(got[j].prob, want[j].second, kProbTol) << "rank " << j;
    }
  }
}

TEST(FastText, LangIdMatchesCliGolden) {
  expect_matches_golden(test::lid_model(), test::fixture("lid_test_sentences.txt"),
                        test::fixture("lid176ftz_predict-prob_k5.txt"), 5, 22);
}

TEST(FastText, IntentMatchesCliGolden) {
  expect_matches_golden(test::intent_model(), test::fixture("clinc150_test300_text.txt"),
                        test::fixture("clinc150_ft_ftz_pred300_k3.txt"), 3, 300);
}

TEST(FastText, InfoAndAllLabels) {
  const fasttext::Classifier clf(test::lid_model());
  EXPECT_EQ(clf.info().nlabels, 176);
  EXPECT_EQ(clf.info().dim, 16);
  EXPECT_TRUE(clf.info().quantized);
  const auto all = clf.predict("Bonjour tout le monde", 0);
  // Hierarchical softmax prunes hopeless branches, so "all" is at most 176.
  ASSERT_GE(all.size(), 5u);
  ASSERT_LE(all.size(), 176u);
  double sum = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    sum += all[i].prob;
    if (i) {
      EXPECT_LE(all[i].prob, all[i - 1].prob);
    }
  }
  EXPECT_LE(sum, 1.0 + 1e-4);
  EXPECT_GT(all[0].prob, 0.5);
  EXPECT_EQ(all[0].label, "__label__fr");
}

// Loading must throw sprout::Error whose message starts with the path.
void expect_rejected(const std::string& path, const char* what) {
  SCOPED_TRACE(what);
  try {
    fasttext::Classifier clf(path);
    ADD_FAILURE() << "accepted a bad model";
  } catch (const Error& e) {
    EXPECT_EQ(e.subject(), path);
    EXPECT_FALSE(e.cause().empty());
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
  }
}

TEST(FastText, HostileFilesAreRejected) {
  test::Scratch s;
  const std::string good = test::read_all(test::intent_model());
  ASSERT_GT(good.size(), 1000u);
  const std::string p = s.file("bad.ftz");
  test::write_all(p, "");
  expect_rejected(p, "empty");
  test::write_all(p, good.substr(0, 6));
  expect_rejected(p, "shorter than the header");
  std::string m = good;
  m[0] ^= 0x5a;
  test::write_all(p, m);
  expect_rejected(p, "wrong magic");
  m = good;
  m[4] = 11;
  test::write_all(p, m);
  expect_rejected(p, "version 11");
  m = good;
  const int32_t cbow = 1;
  std::memcpy(&m[8 + 7 * 4], &cbow, 4);  // args.model
  test::write_all(p, m);
  expect_rejected(p, "not supervised");
  m = good;
  const int32_t dim0 = 0;
  std::memcpy(&m[8], &dim0, 4);
  test::write_all(p, m);
  expect_rejected(p, "zero dimension");
  test::write_all(p, good + "x");
  expect_rejected(p, "trailing byte");
  std::mt19937 rng(7);
  std::string rnd(4096, '\0');
  for (char& c : rnd) c = char(rng());
  test::write_all(p, rnd);
  expect_rejected(p, "random bytes");
  std::memcpy(&rnd[0], good.data(), 8);  // valid magic + version, garbage after
  test::write_all(p, rnd);
  expect_rejected(p, "random bytes after a valid header");
  expect_rejected(s.file("missing.ftz"), "missing file");
  expect_rejected(s.dir, "a directory");
}

TEST(FastText, EveryTruncationIsRejected) {
  test::Scratch s;
  const std::string good = test::read_all(test::intent_model());
  const std::string p = s.file("cut.ftz");
  // Every length through the header, then a stride through dictionary and matrices.
  for (size_t n = 0; n < good.size(); n += n < 400 ? 1 : 263) {
    test::write_all(p, good.substr(0, n));
    expect_rejected(p, ("truncated to " + std::to_string(n)).c_str());
  }
}

TEST(FastText, CorruptHeaderFieldsAreRejected) {
  // Overwrite 32-bit fields of the args and dictionary header with values that
  // would make libfasttext divide by zero, index out of bounds or allocate
  // wildly; each must be caught before the library sees the file.
  test::Scratch s;
  const std::string good = test::read_all(test::intent_model());
  const std::string p = s.file("mut.ftz");
  struct Field { const char* name; size_t off; std::vector<int32_t> bad; };
  const size_t args = 8, dict = 8 + 12 * 4 + 8;
  const std::vector<Field> fields = {
      {"dim", args + 0, {-1, 0, 15, 17, 0x7fffffff}},
      {"wordNgrams", args + 5 * 4, {0, -3, 1000000}},
      {"loss", args + 6 * 4, {0, 5, -1}},
      {"model", args + 7 * 4, {1, 2, 0, 9}},
      {"bucket", args + 8 * 4, {0, -1}},
      {"minn", args + 9 * 4, {-1, 100}},
      {"maxn", args + 10 * 4, {-1, 1000}},
      {"dict size", dict, {-1, 0, 0x7fffffff, 1}},
      {"nwords", dict + 4, {-1, 0, 0x7fffffff}},
      {"nlabels", dict + 8, {-1, 0, 149, 151}},
  };
  for (const Field& f : fields) {
    for (int32_t v : f.bad) {
      std::string m = good;
      std::memcpy(&m[f.off], &v, 4);
      test::write_all(p, m);
      expect_rejected(p, (std::string(f.name) + " = " + std::to_string(v)).c_str());
    }
  }
}

TEST(FastText, HugeMatrixRowCountsAreRejected) {
  // Find the input matrix header by walking the dictionary, then claim huge
  // row counts: the size checks must neither overflow nor allocate.
  const std::string good = test::read_all(test::intent_model());
  int32_t n;
  int64_t prune;
  std::memcpy(&n, &good[64], 4);
  std::memcpy(&prune, &good[64 + 20], 8);
  size_t off = 64 + 28;
  for (int32_t i = 0; i < n; ++i) off += std::strlen(&good[off]) + 1 + 8 + 1;
  off += size_t(std::max<int64_t>(prune, 0)) * 8;
  ASSERT_EQ(good[off], 1);  // quantized input
  const size_t rows_at = off + 2;  // after quant_in and qnorm
  test::Scratch s;
  const std::string p = s.file("rows.ftz");
  for (int64_t v : {int64_t(-1), int64_t(0), int64_t(1) << 40, INT64_MAX, INT64_MIN}) {
    std::string m = good;
    std::memcpy(&m[rows_at], &v, 8);
    test::write_all(p, m);
    expect_rejected(p, ("input rows = " + std::to_string(v)).c_str());
  }
}

}  // namespace
}  // namespace sprout
