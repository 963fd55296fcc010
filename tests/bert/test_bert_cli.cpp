// `sprout embed` and `sprout similar` end to end: exit codes, the error line format, output
// shape, and vectors equal to the reference goldens (cosine >= 0.99999).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "bert_golden.h"

namespace sprout::test {
namespace {

struct CliRun {
  int code;
  std::string out, err;
};

// Runs the sprout binary with `args`, feeding `input` on stdin.
CliRun sprout(const std::string& args, const std::string& input = "") {
  const std::string base = "/tmp/sprout_bert_cli_" + std::to_string(::getpid());
  std::ofstream(base + ".in", std::ios::binary) << input;
  const std::string cmd = std::string(SPROUT_BINARY_DIR) + "/sprout " + args + " <" + base + ".in >" + base +
                          ".out 2>" + base + ".err";
  const int status = std::system(cmd.c_str());
  auto slurp = [](const std::string& p) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  };
  CliRun r{WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(base + ".out"), slurp(base + ".err")};
  for (const char* ext : {".in", ".out", ".err"}) std::remove((base + ext).c_str());
  return r;
}

std::vector<std::vector<float>> parse_rows(const std::string& out, bool json) {
  std::vector<std::vector<float>> rows;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    if (json) {
      EXPECT_EQ(line.front(), '[');
      EXPECT_EQ(line.back(), ']');
      for (char& c : line)
        if (c == '[' || c == ']' || c == ',') c = ' ';
    }
    std::istringstream ls(line);
    std::vector<float> row;
    for (float v; ls >> v;) row.push_back(v);
    rows.push_back(row);
  }
  return rows;
}

std::string model(const std::string& name) { return repo_path("tests/data/bert/" + name); }

std::string join_ids(const std::vector<std::vector<int32_t>>& ids) {
  std::string s;
  for (const auto& row : ids) {
    for (size_t i = 0; i < row.size(); ++i) s += (i ? " " : "") + std::to_string(row[i]);
    s += "\n";
  }
  return s;
}

TEST(BertCli, EmbedIdsMatchesGoldens) {
  BertGolden g("tiny-wp");
  // tiny-wp-noprefix has no tokenizer files: ids only; its configured pooling is CLS.
  CliRun r = sprout("embed --model " + model("tiny-wp-noprefix") + " --ids", join_ids(g.input_ids));
  ASSERT_EQ(r.code, 0) << r.err;
  auto rows = parse_rows(r.out, false);
  ASSERT_EQ(rows.size(), g.ids.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), 32u);
    EXPECT_GE(cosine(rows[i].data(), g.normalized_cls[i].data(), 32), 0.99999) << i;
  }
}

TEST(BertCli, EmbedTextJsonAndNoNormalize) {
  BertGolden g("tiny-xlmr");
  std::string text;
  for (auto& s : g.sentences) text += s + "\n";
  CliRun r = sprout("embed --model " + model("tiny-xlmr") + " --json --no-normalize", text);
  ASSERT_EQ(r.code, 0) << r.err;
  auto rows = parse_rows(r.out, true);
  ASSERT_EQ(rows.size(), g.sentences.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), 48u);
    EXPECT_LE(max_abs_diff(rows[i].data(), g.pooled_max[i].data(), 48), 1e-4f * max_abs(g.pooled_max[i])) << i;
  }
}

TEST(BertCli, SimilarRanksTheMatchingLineFirst) {
  BertGolden g("tiny-wp");
  const std::string file = "/tmp/sprout_bert_similar_" + std::to_string(::getpid()) + ".txt";
  {
    std::ofstream f(file);
    for (auto& s : g.sentences) f << s << "\n";
  }
  CliRun r = sprout("similar --model " + model("tiny-wp") + " --query 'Hello, world!' -k 3 " + file);
  std::remove(file.c_str());
  ASSERT_EQ(r.code, 0) << r.err;
  std::istringstream in(r.out);
  std::string line;
  std::vector<std::string> lines;
  while (std::getline(in, line)) lines.push_back(line);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].substr(0, 8), "1.000000");
  EXPECT_NE(lines[0].find("\t2\tHello, world!"), std::string::npos) << lines[0];
  EXPECT_GE(std::stod(lines[0]), std::stod(lines[1]));
  EXPECT_GE(std::stod(lines[1]), std::stod(lines[2]));
}

void expect_error(const CliRun& r, int code, const std::string& subject) {
  EXPECT_EQ(r.code, code) << r.err;
  EXPECT_EQ(r.err.rfind("sprout: error: " + subject + ": ", 0), 0u) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(BertCli, ErrorsAndExitCodes) {
  expect_error(sprout("embed"), 2, "--model");
  expect_error(sprout("embed --model " + model("tiny-wp") + " --bogus"), 2, "--bogus");
  expect_error(sprout("embed --model " + model("tiny-wp") + " --pooling sum"), 2, "--pooling");
  expect_error(sprout("embed --model /nonexistent/model --ids", "1 2\n"), 1, "/nonexistent/model");
  expect_error(sprout("embed --model " + model("tiny-wp") + " --ids", "101 x 102\n"), 1, "stdin");
  expect_error(sprout("embed --model " + model("tiny-wp") + " --ids", "101 99999 102\n"), 1, "input");
  expect_error(sprout("embed --model " + model("tiny-wp-noprefix"), "hello\n"), 1, "model");
  expect_error(sprout("similar --model " + model("tiny-wp") + " /nonexistent.txt"), 2, "--query");
  expect_error(sprout("similar --model " + model("tiny-wp") + " --query hi /nonexistent.txt"), 1, "/nonexistent.txt");
  CliRun help = sprout("embed --help");
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("--no-normalize"), std::string::npos);
  EXPECT_EQ(sprout("similar --help").code, 0);
}

}  // namespace
}  // namespace sprout::test
