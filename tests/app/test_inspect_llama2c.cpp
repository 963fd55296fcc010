// sprout inspect on a llama2.c checkpoint: the arrays its header implies.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/cli_util.h"
#include "tests/test_util.h"

using sprout::test::repo_path;
using sprout::test::run_sprout;

TEST(InspectLlama2c, TensorTableAccountsForEveryByte) {
  const auto r = run_sprout("inspect " + repo_path("app/assets/stories260K.bin") + " --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["format"], "llama2c");
  EXPECT_EQ(j["config"]["n_layers"], 5);
  EXPECT_EQ(j["tensor_count"], 1 + 5 * 9 + 1);  // shared classifier: no wcls
  uint64_t sum = 0;
  for (const auto& t : j["tensors"]) sum += t["bytes"].get<uint64_t>();
  EXPECT_EQ(sum, j["tensor_bytes"].get<uint64_t>());
  // File = 28-byte header + the tensors + the unused freq_cis tables (seq_len x head_dim floats).
  const uint64_t freq = 512ull * (64 / 8) * 4;
  EXPECT_EQ(j["file_bytes"].get<uint64_t>(), 28 + sum + freq);
}

TEST(InspectLlama2c, ATokenizerBinIsNotACheckpoint) {
  const auto r = run_sprout("inspect " + repo_path("app/assets/tok512.bin"));
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.rfind("sprout: error: " + repo_path("app/assets/tok512.bin") + ": ", 0), 0u) << r.err;
}
