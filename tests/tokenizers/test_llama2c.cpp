// llama2.c tokenizer .bin files.
#include <gtest/gtest.h>
#include <unistd.h>

#include "tests/tokenizers/tok_util.h"

namespace sprout::test {
namespace {

TEST(Llama2c, DecodesReferenceGeneration) {
  // karpathy run.c's greedy stories260K run: the ids it fed the model and the text it printed.
  auto tk = Tokenizer::load(tok_data("llama2c/tok512.bin"));
  ASSERT_EQ(tk->vocab_size(), 512);
  std::vector<int32_t> ids;
  std::istringstream in(slurp(tok_data("llama2c/greedy_bos.ids.txt")));
  for (int32_t v; in >> v;) ids.push_back(v);
  ASSERT_EQ(ids.size(), 256u);
  ASSERT_EQ(ids[0], 1);
  std::string text = slurp(tok_data("llama2c/greedy_bos.txt"));
  std::string dec = tk->decode(ids);
  ASSERT_FALSE(dec.empty());
  // run.c printed the pieces of ids[1..255] and one more generated token, then "\n".
  EXPECT_EQ(text.compare(0, dec.size(), dec), 0) << dec;
  EXPECT_LT(text.size() - dec.size(), 12u);
}

TEST(Llama2c, EncodeStartsWithBosAndDummyPrefix) {
  auto tk = Tokenizer::load(tok_data("llama2c/tok512.bin"));
  auto ids = tk->encode("Once upon a time", true);
  EXPECT_EQ(ids, (std::vector<int32_t>{1, 403, 407, 261, 378}));  // run.c's first ids for this story
  EXPECT_EQ(tk->encode("", true), std::vector<int32_t>{1});
  EXPECT_EQ(tk->decode(ids), "Once upon a time");
  // Characters outside the 512-piece vocabulary fall back to byte tokens <0xXX> = byte + 3.
  auto cjk = tk->encode("你", false);
  EXPECT_EQ(tk->decode(cjk), " 你");
}

TEST(Llama2c, RejectsBrokenFiles) {
  std::string good = slurp(tok_data("llama2c/tok512.bin"));
  auto load = [](const std::string& bytes) {
    std::string p = ::testing::TempDir() + "/broken_tok_" + std::to_string(getpid()) + ".bin";
    std::ofstream(p, std::ios::binary) << bytes;
    return Tokenizer::load(p);
  };
  EXPECT_THROW(load(good.substr(0, 2)), Error);
  EXPECT_THROW(load(good.substr(0, good.size() - 3)), Error);
  std::string bad_len = good;
  bad_len[8] = '\x7f';  // first token's length byte
  EXPECT_THROW(load(bad_len), Error);
}

}  // namespace
}  // namespace sprout::test

#include <nlohmann/json.hpp>

namespace sprout::test {
namespace {

TEST(Llama2c, Llama2ExportMatchesSentencePiece) {
  // llama2.c's tokenizer.bin is an export of Llama 2's tokenizer.model and run.c's encode is
  // meant to reproduce SentencePiece's; check it on the SentencePiece goldens.
  auto tk = Tokenizer::load(tok_data("llama2c/tokenizer.bin"));
  auto j = nlohmann::json::parse(slurp(tok_data("golden/llama2_spm.json")));
  int checked = 0;
  for (const auto& c : j["cases"]) {
    std::string text = c["text"];
    EXPECT_EQ(tk->encode(text, true), c["ids"].get<std::vector<int32_t>>()) << show(text);
    ++checked;
  }
  EXPECT_GE(checked, 25);
}

}  // namespace
}  // namespace sprout::test
