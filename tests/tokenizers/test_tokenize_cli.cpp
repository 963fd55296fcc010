// `sprout tokenize` per the command-line contract, run as a user would.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "tests/tokenizers/tok_util.h"

namespace sprout::test {
namespace {

struct CliRun { int rc; std::string out, err; };

CliRun tokenize(const std::string& args, const std::string& stdin_text) {
  // Per-test file names: ctest runs the tests of this binary in parallel.
  static int n = 0;
  std::string tag = std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" +
                    std::to_string(getpid()) + "_" + std::to_string(n++);
  std::string in = ::testing::TempDir() + "/tok_cli_in_" + tag, err = ::testing::TempDir() + "/tok_cli_err_" + tag;
  std::ofstream(in, std::ios::binary) << stdin_text;
  std::string cmd = std::string(SPROUT_BINARY_DIR) + "/sprout tokenize " + args + " < " + in + " 2> " + err;
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  int st = pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out, slurp(err)};
}

TEST(TokenizeCli, QwenDirectoryTrailingNewlineIncluded) {
  auto tk = Tokenizer::load(tok_data("qwen"));
  CliRun r = tokenize("--model " + tok_data("qwen"), "Hello world\n");
  ASSERT_EQ(r.rc, 0) << r.err;
  std::string want;
  for (int32_t id : tk->encode("Hello world\n")) want += (want.empty() ? "" : " ") + std::to_string(id);
  EXPECT_EQ(r.out, want + "\n");
  EXPECT_EQ(tk->encode("Hello world\n").back(), 198);  // "\n" is its own token
}

TEST(TokenizeCli, Llama2cBinAddsBosUnlessNoSpecial) {
  CliRun r = tokenize("--model " + tok_data("llama2c/tok512.bin"), "Once upon a time");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "1 403 407 261 378\n");
  r = tokenize("--model " + tok_data("llama2c/tok512.bin") + " --no-special", "Once upon a time");
  EXPECT_EQ(r.out, "403 407 261 378\n");
}

TEST(TokenizeCli, EmptyInputPrintsEmptyLine) {
  CliRun r = tokenize("--model " + tok_data("qwen"), "");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "\n");
}

TEST(TokenizeCli, Errors) {
  CliRun r = tokenize("--model /nonexistent/dir", "x");
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err.rfind("sprout: error: /nonexistent/dir: ", 0), 0u) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1);
  r = tokenize("", "x");
  EXPECT_EQ(r.rc, 2);
  r = tokenize("--model " + tok_data("llamacpp"), "x");  // a directory without tokenizer files
  EXPECT_EQ(r.rc, 1);
}

}  // namespace
}  // namespace sprout::test

namespace sprout::test {
namespace {

TEST(TokenizeCli, GgufAndSentencePieceDirs) {
  CliRun r = tokenize("--model " + tok_data("gguf/ggml-vocab-llama-spm.gguf"), "Hello world");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "1 15043 3186\n");
  r = tokenize("--model " + tok_data("llama2"), "Hello world");
  EXPECT_EQ(r.out, "1 15043 3186\n");
  r = tokenize("--model " + tok_data("bert-uncased"), "Hello world\n");
  EXPECT_EQ(r.out, "101 7592 2088 102\n");
  r = tokenize("--model " + tok_data("bert-uncased") + " --no-special", "Hello world\n");
  EXPECT_EQ(r.out, "7592 2088\n");
}

TEST(TokenizeCli, Llama2cCheckpointNeedsTokenizerFlag) {
  // A llama2.c checkpoint as MODEL: its tokenizer .bin comes with --tokenizer.
  std::string ckpt = repo_path("app/assets/stories260K.bin");
  CliRun r = tokenize("--model " + ckpt + " --tokenizer " + tok_data("llama2c/tok512.bin"), "Once upon a time");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "1 403 407 261 378\n");
  r = tokenize("--model " + ckpt, "Once upon a time");
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("--tokenizer FILE"), std::string::npos) << r.err;
}

TEST(TokenizeCli, RegistryNameUsesItsTokenizer) {
  // "stories260K" is the registry's llama2.c checkpoint; its entry names tok512.bin.
  auto tk = Tokenizer::load(repo_path("app/assets/tok512.bin"));
  std::string want;
  for (int32_t id : tk->encode("Once upon a time", true)) want += (want.empty() ? "" : " ") + std::to_string(id);
  CliRun r = tokenize("--model stories260K", "Once upon a time");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, want + "\n");
}

TEST(TokenizeCli, InvalidUtf8IsReplacedNotFatal) {
  CliRun r = tokenize("--model " + tok_data("qwen"), "a\xff\xfe b");
  ASSERT_EQ(r.rc, 0) << r.err;
  auto tk = Tokenizer::load(tok_data("qwen"));
  std::string want;
  for (int32_t id : tk->encode("a\xEF\xBF\xBD\xEF\xBF\xBD b")) want += (want.empty() ? "" : " ") + std::to_string(id);
  EXPECT_EQ(r.out, want + "\n");
}

}  // namespace
}  // namespace sprout::test
