// `sprout perplexity` as users script it: --ids-file and --kl-base figures equal to the
// float64 reference (tests/data/llama/perplexity.golden.json, tolerances as in
// test_perplexity.cpp), a text through the llama2.c tokenizer, a q8_0 GGUF written by
// `sprout quantize` from the llama2.c checkpoint, and the errors of the CLI contract.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <unistd.h>

#include "loaders/json_util.h"
#include "tests/cli_util.h"
#include "tests/test_util.h"

namespace {

using sprout::Json;
using sprout::test::repo_path;
using sprout::test::run_sprout;

std::string data(const std::string& rel) { return repo_path("tests/data/llama/" + rel); }
std::string stories() {
  return "--model " + repo_path("app/assets/stories260K.bin") + " --tokenizer " + repo_path("app/assets/tok512.bin");
}
std::string text_file() { return data("perplexity/stories.txt"); }

// A temp file holding `text`, removed when the test ends.
struct TempFile {
  std::string path;
  explicit TempFile(const std::string& text, const std::string& ext = ".txt") {
    static int n = 0;
    path = ::testing::TempDir() + "/sprout_ppl_" + std::to_string(getpid()) + "_" + std::to_string(n++) + ext;
    std::ofstream(path) << text;
  }
  ~TempFile() { std::remove(path.c_str()); }
};

Json golden() { return sprout::load_json(data("perplexity.golden.json")); }

std::string ids_text(const Json& g) {
  std::string s;
  for (const Json& id : g["ids"]) s += std::to_string(id.get<int>()) + " ";
  return s + "\n";
}

Json run_json(const std::string& args) {
  // One thread: these models are tiny, and a thread team only waits on a loaded machine.
  const auto r = run_sprout("perplexity " + args + " --json --threads 1");
  EXPECT_EQ(r.code, 0) << r.err;
  return sprout::parse_json(r.out, "stdout");
}

TEST(CliPerplexity, IdsFileMatchesReference) {
  const Json g = golden();
  const Json& c = g["cases"][2];  // f32 model alone, windows of 16, second half scored
  ASSERT_TRUE(c["base"].is_null());
  TempFile ids(ids_text(g));
  const Json j = run_json("--model " + data("qwen2_gqa_untied_f32.gguf") + " --ids-file " + ids.path +
                          " --ctx 16 --kv-type f32");
  EXPECT_EQ(j["windows"].get<int>(), c["windows"].get<int>());
  EXPECT_EQ(j["scored"].get<int>(), c["scored"].get<int>());
  EXPECT_EQ(j["first_scored"].get<int>(), 8);
  EXPECT_NEAR(j["ppl"].get<double>(), c["ppl"].get<double>(), 1e-4 * c["ppl"].get<double>());
  EXPECT_FALSE(j.contains("kl_mean"));
}

TEST(CliPerplexity, KlBaseMatchesReference) {
  const Json g = golden();
  const Json& c = g["cases"][0];  // bf16 weights against the f32 original
  TempFile ids(ids_text(g));
  const Json j = run_json("--model " + data(c["model"].get<std::string>()) + " --kl-base " +
                          data(c["base"].get<std::string>()) + " --ids-file " + ids.path + " --ctx 32 --kv-type f32");
  EXPECT_NEAR(j["ppl"].get<double>(), c["ppl"].get<double>(), 1e-4 * c["ppl"].get<double>());
  EXPECT_NEAR(j["base_ppl"].get<double>(), c["base_ppl"].get<double>(), 1e-4 * c["base_ppl"].get<double>());
  EXPECT_NEAR(j["kl_mean"].get<double>(), c["kl_mean"].get<double>(), 1e-3 * c["kl_mean"].get<double>() + 1e-6);
  EXPECT_NEAR(j["top1"].get<double>(), c["top1"].get<double>(), 1.0 / c["scored"].get<double>() + 1e-9);
  EXPECT_NEAR(j["ln_ppl_ratio"].get<double>(), c["ln_ppl_ratio"].get<double>(), 1e-4);
}

TEST(CliPerplexity, TextOnStories260K) {
  const auto r = run_sprout("perplexity " + stories() + " --file " + text_file() + " --ctx 128 --quiet --threads 1");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("perplexity: "), std::string::npos) << r.out;
  // The same model as its own base: no divergence at all.
  const Json j = run_json(stories() + " --file " + text_file() + " --ctx 128 --kl-base " +
                          repo_path("app/assets/stories260K.bin"));
  EXPECT_GT(j["windows"].get<int>(), 1);
  EXPECT_EQ(j["scored"].get<int>(), j["windows"].get<int>() * 63);
  EXPECT_GT(j["ppl"].get<double>(), 1.0);
  EXPECT_LT(j["ppl"].get<double>(), 512.0);  // far better than uniform over the 512-token vocabulary
  EXPECT_EQ(j["kl_mean"].get<double>(), 0.0);
  EXPECT_EQ(j["top1"].get<double>(), 1.0);
  EXPECT_EQ(j["delta_ppl"].get<double>(), 0.0);
}

TEST(CliPerplexity, QuantizedLlama2cCheckpoint) {
  TempFile q8("", ".gguf");
  const auto qr = run_sprout("quantize " + repo_path("app/assets/stories260K.bin") + " " + q8.path + " --type q8_0 --threads 1");
  ASSERT_EQ(qr.code, 0) << qr.err;
  const Json j = run_json("--model " + q8.path + " --tokenizer " + repo_path("app/assets/tok512.bin") + " --file " +
                          text_file() + " --ctx 128 --kl-base " + repo_path("app/assets/stories260K.bin"));
  // q8_0 on this 260K-parameter model: small but nonzero divergence (see docs/performance.md).
  EXPECT_GT(j["kl_mean"].get<double>(), 0.0);
  EXPECT_LT(j["kl_mean"].get<double>(), 0.01);
  EXPECT_GT(j["top1"].get<double>(), 0.95);
  EXPECT_LT(std::abs(j["ln_ppl_ratio"].get<double>()), 0.02);
}

void expect_error(const std::string& args, int code, const std::string& subject) {
  SCOPED_TRACE(args);
  const auto r = run_sprout("perplexity " + args);
  EXPECT_EQ(r.code, code) << r.err;
  EXPECT_EQ(r.err.rfind("sprout: error: " + subject + ": ", 0), 0u) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(CliPerplexity, Errors) {
  const std::string tiny = "--model " + data("qwen2_gqa_untied_f32");
  TempFile short_ids("1 5 6 7 8\n");
  TempFile bad_ids("1 5 600 7 8 9 10 11 12\n");
  TempFile not_ids("1 2 three\n");
  expect_error("--file " + text_file(), 2, "--model");
  expect_error(tiny, 2, "--file");
  expect_error(tiny + " --file " + text_file() + " --ids-file " + short_ids.path, 2, "--file");
  expect_error(tiny + " --ids-file " + short_ids.path + " --ctx 1", 2, "--ctx");
  expect_error(tiny + " --ids-file " + short_ids.path + " --kv-type q4_0", 2, "--kv-type");
  expect_error(tiny + " --ids-file " + short_ids.path + " --kl-base-kv-type bf16", 2, "--kl-base-kv-type");
  expect_error(tiny + " --ids-file " + short_ids.path + " --ctx 4 --kv-type q8_0", 1,
               data("qwen2_gqa_untied_f32"));  // head_dim 16: no q8_0 cache
  expect_error(tiny + " --ids-file /nonexistent/ids.txt", 1, "/nonexistent/ids.txt");
  expect_error(tiny + " --ids-file " + short_ids.path + " --ctx 8", 1, short_ids.path);     // too short
  expect_error(tiny + " --ids-file " + bad_ids.path + " --ctx 4", 1, bad_ids.path);         // id >= vocab
  expect_error(tiny + " --ids-file " + not_ids.path + " --ctx 2", 1, not_ids.path);         // not ids
  expect_error(tiny + " --file " + text_file(), 1, data("qwen2_gqa_untied_f32"));           // no tokenizer
  expect_error(tiny + " --ids-file " + short_ids.path + " --ctx 4 --kl-base " + repo_path("app/assets/stories260K.bin"),
               1, repo_path("app/assets/stories260K.bin"));                                 // vocab 192 vs 512
}

TEST(CliPerplexity, Help) {
  const auto r = run_sprout("perplexity --help");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("--kl-base"), std::string::npos);
}

}  // namespace
