// `sprout translate` end to end on the tiny NLLB-layout models: ids in/out against
// the PyTorch goldens, text mode through the NLLB tokenizer, exit codes and
// one-line errors.
#include <gtest/gtest.h>

#include <cstdio>
#include <algorithm>
#include <fstream>
#include <sys/wait.h>
#include <unistd.h>

#include "loaders/json_util.h"
#include "tests/test_util.h"

namespace {

using sprout::Json;

std::string data(const std::string& rel) { return sprout::test::repo_path("tests/data/m2m100/" + rel); }

struct CliRun {
  int code;
  std::string out, err;
};

// Runs the sprout binary with `stdin_text` on stdin.
CliRun run(const std::string& args, const std::string& stdin_text) {
  // ctest runs tests as parallel processes: file names carry the pid and a counter.
  static int counter = 0;
  const std::string base = ::testing::TempDir() + "/m2m100_cli_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  const std::string in = base + ".in", err = base + ".err";
  std::ofstream(in) << stdin_text;
  const std::string cmd = std::string(SPROUT_BINARY_DIR) + "/sprout translate " + args + " < " + in + " 2> " + err;
  FILE* p = popen(cmd.c_str(), "r");
  CliRun r{-1, "", ""};
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int st = pclose(p);
  r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  std::ifstream e(err);
  r.err.assign(std::istreambuf_iterator<char>(e), {});
  std::remove(in.c_str());
  std::remove(err.c_str());
  return r;
}

std::string lines_of(const Json& rows) {
  std::string s;
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) s += (i ? " " : "") + std::to_string(row[i].get<int>());
    s += "\n";
  }
  return s;
}

class TranslateCli : public ::testing::Test {
 protected:
  void SetUp() override {
    g = sprout::load_json(data("golden/tiny-f16.json"));
    src = lines_of(g["sources"]);
    tgt = std::to_string(g["tgt_lang"].get<int>());
  }
  Json g;
  std::string src, tgt;
};

// A directory without tokenizer files works with --ids and --print-ids; max_length comes
// from generation_config.json.
TEST_F(TranslateCli, IdsGreedyMatchesGolden) {
  const CliRun r = run("--model " + data("tiny-f16") + " --ids --tgt " + tgt + " --print-ids", src);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, lines_of(g["greedy"]));
}

TEST_F(TranslateCli, IdsBeam4MatchesGolden) {
  const CliRun r = run("--model " + data("tiny-f16") + " --ids --tgt " + tgt + " --print-ids --beam 4", src);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, lines_of(g["beam4"]));
}

TEST_F(TranslateCli, MaxLenAndNoRepeatFlags) {
  CliRun r = run("--model " + data("tiny-f16") + " --ids --tgt " + tgt + " --print-ids --no-repeat-ngram 2", src);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, lines_of(g["greedy_no_repeat_2"]));
  r = run("--model " + data("tiny-f16") + " --ids --tgt " + tgt + " --print-ids --max-len 4", src);
  EXPECT_EQ(r.code, 0) << r.err;
  Json cut = Json::array();
  for (const auto& row : g["greedy"]) cut.push_back(Json(std::vector<int>(row.begin(), row.begin() + 4)));
  EXPECT_EQ(r.out, lines_of(cut));
}

// Text in, text out through the NLLB tokenizer (language codes after the pieces).
TEST_F(TranslateCli, TextModeMatchesGolden) {
  const Json t = sprout::load_json(data("golden/text.json"));
  for (const auto& ex : t["examples"]) {
    const std::string args = "--model " + data("tiny-f32") + " --src " + ex["src_lang"].get<std::string>() +
                             " --tgt " + ex["tgt_lang"].get<std::string>();
    CliRun r = run(args, ex["text"].get<std::string>() + "\n");
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, ex["translation"].get<std::string>() + "\n");
    r = run(args + " --print-ids", ex["text"].get<std::string>() + "\n");
    EXPECT_EQ(r.out, lines_of(Json::array({ex["output_ids"]})));
    r = run(args + " --json", ex["text"].get<std::string>() + "\n");
    const Json j = Json::parse(r.out);
    EXPECT_EQ(j["source"], ex["text"]);
    EXPECT_EQ(j["translation"], ex["translation"]);
    EXPECT_EQ(j["ids"], ex["output_ids"]);
    EXPECT_TRUE(j["score"].is_number());
  }
}

TEST_F(TranslateCli, ErrorsAreOneLineWithExitCodes) {
  auto one_line = [](const CliRun& r, const std::string& needle) {
    EXPECT_EQ(r.err.rfind("sprout: error: ", 0), 0u) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty());
  };
  CliRun r = run("--model " + data("tiny-f32") + " --src eng_Latn --tgt xxx_Latn", "hello\n");
  EXPECT_EQ(r.code, 2);
  one_line(r, "unknown language code 'xxx_Latn'");
  r = run("--model " + data("tiny-f32") + " --src nope --tgt yor_Latn", "hello\n");
  EXPECT_EQ(r.code, 2);
  one_line(r, "--src");
  r = run("--model " + data("tiny-f16") + " --ids --tgt " + tgt + " --print-ids", "326 5 99999 2\n");
  EXPECT_EQ(r.code, 1);
  one_line(r, "token id 99999 is outside the vocabulary");
  r = run("--model " + data("tiny-f16") + " --ids --tgt 100000 --print-ids", "326 5 2\n");
  EXPECT_EQ(r.code, 2);
  one_line(r, "outside the vocabulary");
  r = run("--model " + data("no-such-model") + " --ids --tgt 5 --print-ids", "3 2\n");
  EXPECT_EQ(r.code, 1);
  one_line(r, "no-such-model");
  r = run("--model " + data("tiny-f16") + " --ids --print-ids", "3 2\n");
  EXPECT_EQ(r.code, 2);
  one_line(r, "--tgt");
  r = run("--model " + data("tiny-f16") + " --src eng_Latn --tgt 326", "hello\n");
  EXPECT_EQ(r.code, 1);  // text needs tokenizer files
  one_line(r, "no tokenizer files");
  r = run("--model " + data("tiny-f16") + " --ids --tgt 326 --print-ids", "3 x 2\n");
  EXPECT_EQ(r.code, 1);
  one_line(r, "stdin line 1");
}

// --shortlist FILE and --shortlist auto against the restricted PyTorch goldens; bad
// shortlist files exit 1 with one line naming the file.
TEST_F(TranslateCli, ShortlistMatchesRestrictedGolden) {
  const Json s = sprout::load_json(data("golden/shortlist.json"));
  const std::string file = data(s["shortlist"].get<std::string>());
  const std::string base = "--model " + data("tiny-f16") + " --ids --tgt " + tgt + " --print-ids --shortlist " + file;
  CliRun r = run(base, src);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, lines_of(s["variants"]["tiny-f16"]["greedy"]));
  r = run(base + " --beam 4", src);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, lines_of(s["variants"]["tiny-f16"]["beam4"]));
  // auto: MODEL/shortlist/<tgt>.txt, text mode
  const Json& t = s["text"];
  r = run("--model " + data("tiny-f32") + " --src " + t["src_lang"].get<std::string>() + " --tgt " +
              t["tgt_lang"].get<std::string>() + " --shortlist auto --print-ids",
          t["text"].get<std::string>() + "\n");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, lines_of(Json::array({t["output_ids"]})));
}

TEST_F(TranslateCli, BadShortlistIsOneLineExitOne) {
  const std::string dir = ::testing::TempDir() + "/m2m100_sl_" + std::to_string(getpid());
  auto attempt = [&](const std::string& name, const std::string& content, const std::string& needle) {
    const std::string f = dir + "_" + name + ".txt";
    std::ofstream(f) << content;
    const CliRun r = run("--model " + data("tiny-f16") + " --ids --tgt " + tgt + " --print-ids --shortlist " + f, src);
    EXPECT_EQ(r.code, 1) << name;
    EXPECT_EQ(r.err.rfind("sprout: error: " + f + ": ", 0), 0u) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << name;
    std::remove(f.c_str());
  };
  attempt("range", "2\n334\n", "line 2: token id 334 is outside the vocabulary (size 334)");
  attempt("dup", "2\n5\n5\n", "line 3: duplicate token id 5");
  attempt("empty", "# nothing\n", "no token ids");
  attempt("junk", "2\nfive\n", "line 2: expected one token id per line");
  CliRun r = run("--model " + data("tiny-f16") + " --ids --tgt " + tgt + " --print-ids --shortlist " + dir + "_missing.txt", src);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("cannot open shortlist file"), std::string::npos) << r.err;
  r = run("--model " + data("tiny-f16") + " --ids --tgt " + tgt + " --print-ids --shortlist auto", src);
  EXPECT_EQ(r.code, 1);  // tiny-f16 has no shortlist directory
  EXPECT_NE(r.err.find("no shortlist for --tgt " + tgt), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

}  // namespace
