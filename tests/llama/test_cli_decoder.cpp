// `sprout generate` / `chat` / `bench` as users script them: exit codes, the one-line
// error format, --print-ids, greedy output equal to the references, seeded sampling.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include "kernels/common/dispatch.h"
#include "loaders/gguf.h"
#include "loaders/json_util.h"
#include "tests/test_util.h"

namespace {

using sprout::test::repo_path;

struct CliRun {
  int code;
  std::string out, err;
};

// Runs the built sprout binary with `args` (shell syntax), stdin from `input`.
CliRun sprout(const std::string& args, const std::string& input = "") {
  // Unique file names: ctest runs tests of this binary in parallel processes.
  static int counter = 0;
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string base = ::testing::TempDir() + "/sprout_cli_" + info->test_suite_name() + "_" + info->name() + "_" +
                           std::to_string(getpid()) + "_" + std::to_string(counter++);
  const std::string in = base + ".in", out = base + ".out", err = base + ".err";
  std::ofstream(in) << input;
  const std::string cmd = std::string(SPROUT_BINARY_DIR) + "/sprout " + args + " <" + in + " >" + out + " 2>" + err;
  const int status = std::system(cmd.c_str());
  auto slurp = [](const std::string& p) {
    std::ifstream f(p);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
  };
  CliRun r{WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
  std::remove(in.c_str());
  std::remove(out.c_str());
  std::remove(err.c_str());
  return r;
}

std::string stories() {
  return "--model " + repo_path("app/assets/stories260K.bin") + " --tokenizer " + repo_path("app/assets/tok512.bin");
}

std::string ids_line(const std::string& path, size_t from, size_t n) {
  std::ifstream f(path);
  std::string line, s;
  int x;
  for (size_t i = 0; f >> x; ++i)
    if (i >= from && i < from + n) s += (s.empty() ? "" : " ") + std::to_string(x);
  return s;
}

TEST(CliGenerate, GreedyTextEqualsLlama2cReference) {
  CliRun r = sprout("generate " + stories() + " --prompt '' --temp 0 -n 256");
  ASSERT_EQ(r.code, 0) << r.err;
  std::ifstream f(repo_path("tests/data/llama/stories260K/greedy_bos.txt"));
  std::stringstream gold;
  gold << f.rdbuf();
  EXPECT_EQ(r.out, gold.str());
}

TEST(CliGenerate, PrintIdsWithoutTokenizer) {
  // --ids + --print-ids need no tokenizer; greedy ids after BOS equal run.c's.
  CliRun r = sprout("generate --model " + repo_path("app/assets/stories260K.bin") + " --ids 1 --temp 0 -n 20 --print-ids");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, ids_line(repo_path("tests/data/llama/stories260K/greedy_bos.ids.txt"), 1, 20) + "\n");
}

TEST(CliGenerate, TinyQwen2GreedyIdsEqualPyTorch) {
  // HF directory without tokenizer files: ids in, ids out; the 16 greedy ids of the reference.
  for (const std::string form : {"", ".gguf"}) {
    const sprout::Json g = sprout::load_json(repo_path("tests/data/llama/qwen2_gqa_untied_f32.golden.json"));
    std::string prompt, greedy;
    for (int x : g["prompt_ids"]) prompt += (prompt.empty() ? "" : " ") + std::to_string(x);
    for (int x : g["greedy_ids"]) greedy += (greedy.empty() ? "" : " ") + std::to_string(x);
    CliRun r = sprout("generate --model " + repo_path("tests/data/llama/qwen2_gqa_untied_f32" + form) + " --ids '" +
                      prompt + "' --temp 0 -n 16 --print-ids");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, greedy + "\n") << form;
  }
}

TEST(CliGenerate, SameSeedSameOutput) {
  const std::string a = "generate " + stories() + " --prompt 'Once upon a time' --temp 1 --seed 42 -n 40";
  CliRun r1 = sprout(a), r2 = sprout(a), r3 = sprout(a + "0");  // seed 420
  ASSERT_EQ(r1.code, 0) << r1.err;
  EXPECT_EQ(r1.out, r2.out);
  EXPECT_NE(r1.out, r3.out);
}

TEST(CliGenerate, Errors) {
  CliRun missing = sprout("generate --model /no/such/model.gguf --ids 1");
  EXPECT_EQ(missing.code, 1);
  EXPECT_EQ(missing.err.rfind("sprout: error: /no/such/model.gguf: ", 0), 0u) << missing.err;
  EXPECT_EQ(std::count(missing.err.begin(), missing.err.end(), '\n'), 1);

  CliRun usage = sprout("generate " + stories() + " --bogus");
  EXPECT_EQ(usage.code, 2);
  EXPECT_EQ(usage.err.rfind("sprout: error: --bogus: ", 0), 0u) << usage.err;

  CliRun both = sprout("generate " + stories() + " --ids 1 --prompt x");
  EXPECT_EQ(both.code, 2);

  CliRun no_tok = sprout("generate --model " + repo_path("tests/data/llama/qwen2_gqa_untied_f32") + " --prompt hi");
  EXPECT_EQ(no_tok.code, 1);
  EXPECT_NE(no_tok.err.find("tokenizer"), std::string::npos) << no_tok.err;

  CliRun bad_id = sprout("generate " + stories() + " --ids '1 9999' --print-ids");
  EXPECT_EQ(bad_id.code, 1);
  EXPECT_NE(bad_id.err.find("9999"), std::string::npos) << bad_id.err;

  CliRun too_long = sprout("generate " + stories() + " --ids '1 2 3 4 5 6 7 8 9 10' --ctx 8 --print-ids");
  EXPECT_EQ(too_long.code, 1);
  EXPECT_NE(too_long.err.find("context"), std::string::npos) << too_long.err;
  CliRun truncated = sprout("generate " + stories() + " --ids '1 2 3 4 5 6 7 8 9 10' --ctx 8 --truncate -n 2 --print-ids");
  EXPECT_EQ(truncated.code, 0) << truncated.err;
}

TEST(CliChat, DefaultModelReadsStdinLineByLine) {
  CliRun r = sprout("chat --temp 0 -n 20", "Once upon a time\n/reset\nOnce upon a time\n/exit\nnot read\n");
  ASSERT_EQ(r.code, 0) << r.err;
  // Two identical answers (the /reset in between restarts the conversation), one per line.
  std::istringstream s(r.out);
  std::string a, b, extra;
  ASSERT_TRUE(std::getline(s, a));
  ASSERT_TRUE(std::getline(s, b));
  EXPECT_FALSE(std::getline(s, extra)) << extra;
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, b);
  // Greedy continuation of the prompt, as `generate` makes it.
  CliRun g = sprout("generate " + stories() + " --prompt 'Once upon a time' --temp 0 -n 20");
  EXPECT_EQ("Once upon a time" + a + "\n", g.out);
}

// A full context keeps the most recent turns that fit in half of it (here 100 tokens:
// turns of ~25 tokens, so the last one of four), and a message that cannot fit even
// alone is an error line while the session goes on.
TEST(CliChat, FullContextKeepsRecentTurns) {
  CliRun r = sprout("chat --temp 0 -n 20 --ctx 100",
                    "Once upon a time\nThe cat sat\nLily went to the park\nTom had a ball\nThe sun was hot\n");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("(context full: kept the last 1 of 4 turns)"), std::string::npos) << r.err;
  std::string big;
  for (int i = 0; i < 40; ++i) big += "The little dog ran to the big tree. ";
  CliRun t = sprout("chat --temp 0 -n 5 --ctx 64", "Once upon a time\n" + big + "\nThe end\n");
  ASSERT_EQ(t.code, 0) << t.err;
  EXPECT_NE(t.err.find("sprout: error: message: "), std::string::npos) << t.err;
  EXPECT_NE(t.err.find("do not fit the context of 64"), std::string::npos) << t.err;
  EXPECT_GE(std::count(t.out.begin(), t.out.end(), '\n'), 2) << t.out;  // the first and last messages answered
}

TEST(CliBench, JsonHasTheContractFields) {
  CliRun r = sprout("bench --model " + repo_path("app/assets/stories260K.bin") + " -p 16 -n 8 -t 1 -r 1 --json");
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* k : {"\"prefill_tok_s\"", "\"decode_tok_s\"", "\"load_ms\"", "\"peak_rss_mb\"", "\"threads\": 1",
                        "\"model_bytes\": 1056540"})
    EXPECT_NE(r.out.find(k), std::string::npos) << k << " in " << r.out;
  // Also the kernel family that ran (kernels/common/dispatch.h).
  const std::string isa = std::string("\"isa\": \"") + sprout::kern::isa_name(sprout::kern::active_isa()) + "\"";
  EXPECT_NE(r.out.find(isa), std::string::npos) << isa << " in " << r.out;
}

TEST(CliBench, DepthPrefillsBeforeEachTest) {
  // -d 500 with -p 16 needs a 517-token cache; decode alone at depth 0 needs 9.
  CliRun r = sprout("bench --model " + repo_path("app/assets/stories260K.bin") + " -p 16 -n 8 -d 500 -t 1 -r 1 --json");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\"depth\": 500"), std::string::npos) << r.out;
  CliRun bad = sprout("bench --model " + repo_path("app/assets/stories260K.bin") + " -p 4 -n 4 -d -1");
  EXPECT_EQ(bad.code, 2) << bad.err;
}

// A one-layer "llama" GGUF with seeded weights and 32-wide heads (dim 64, 2 heads,
// vocab 32), so a q8_0 KV cache applies; returns its path.
std::string tiny_gguf_head32() {
  const std::string path = ::testing::TempDir() + "/tiny_head32_" + std::to_string(getpid()) + ".gguf";
  sprout::GgufWriter w;
  w.set_string("general.architecture", "llama");
  w.set_u32("llama.context_length", 64);
  w.set_u32("llama.embedding_length", 64);
  w.set_u32("llama.block_count", 1);
  w.set_u32("llama.feed_forward_length", 96);
  w.set_u32("llama.attention.head_count", 2);
  w.set_u32("llama.vocab_size", 32);
  static std::vector<std::vector<float>> keep;
  keep.clear();
  uint32_t seed = 1;
  auto add = [&](const std::string& name, std::vector<int64_t> shape, bool norm) {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    keep.push_back(norm ? std::vector<float>(size_t(n), 1.f) : sprout::test::random_floats(size_t(n), seed++, -0.3f, 0.3f));
    w.add_tensor(name, sprout::DType::f32, shape, keep.back().data());
  };
  add("token_embd.weight", {32, 64}, false);
  add("blk.0.attn_norm.weight", {64}, true);
  for (const char* t : {"attn_q", "attn_k", "attn_v", "attn_output"}) add(std::string("blk.0.") + t + ".weight", {64, 64}, false);
  add("blk.0.ffn_norm.weight", {64}, true);
  add("blk.0.ffn_gate.weight", {96, 64}, false);
  add("blk.0.ffn_up.weight", {96, 64}, false);
  add("blk.0.ffn_down.weight", {64, 96}, false);
  add("output_norm.weight", {64}, true);
  add("output.weight", {32, 64}, false);
  w.write(path);
  return path;
}

// --kv-type on generate and bench: q8_0 runs where head_dim allows it (its bytes in
// bench's JSON: 34 per 32 values), is refused by name where it does not, and any
// other name is a usage error.
TEST(CliKvType, Q8_0CacheWhereHeadDimAllows) {
  const std::string m = tiny_gguf_head32();
  CliRun g = sprout("generate --model " + m + " --ids '1 2 3' --temp 0 -n 8 --print-ids --kv-type q8_0");
  ASSERT_EQ(g.code, 0) << g.err;
  EXPECT_EQ(std::count(g.out.begin(), g.out.end(), ' '), 7) << g.out;  // 8 ids
  CliRun b = sprout("bench --model " + m + " -p 16 -n 8 -t 1 -r 1 --json --kv-type q8_0");
  ASSERT_EQ(b.code, 0) << b.err;
  EXPECT_NE(b.out.find("\"kv_type\": \"q8_0\""), std::string::npos) << b.out;
  // 17 positions (16 + 1) x (k, v) x 1 layer x 64 values / 32 x 34 bytes.
  EXPECT_NE(b.out.find("\"kv_cache_bytes\": 2312,"), std::string::npos) << b.out;
  CliRun f = sprout("bench --model " + m + " -p 16 -n 8 -t 1 -r 1 --json");
  EXPECT_NE(f.out.find("\"kv_cache_bytes\": 4352,"), std::string::npos) << f.out;  // f16: 2 bytes per value
  std::remove(m.c_str());

  CliRun refused = sprout("generate " + stories() + " --ids 1 -n 2 --kv-type q8_0");
  EXPECT_EQ(refused.code, 1);
  EXPECT_NE(refused.err.find(repo_path("app/assets/stories260K.bin") + ": a q8_0 KV cache needs head_dim a multiple "
                                                                       "of 32; this model's is 8"),
            std::string::npos)
      << refused.err;
  CliRun usage = sprout("bench --model " + repo_path("app/assets/stories260K.bin") + " -p 4 -n 4 --kv-type q4_0");
  EXPECT_EQ(usage.code, 2);
  EXPECT_NE(usage.err.find("--kv-type: 'q4_0': expected f16, f32 or q8_0"), std::string::npos) << usage.err;
}

}  // namespace
