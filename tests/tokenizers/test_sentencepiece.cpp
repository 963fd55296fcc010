// SentencePiece models through libsentencepiece, with the HF conventions around them.
#include <gtest/gtest.h>

#include "tests/tokenizers/tok_util.h"

namespace sprout::test {
namespace {

const Tokenizer& llama2() {
  static auto tk = Tokenizer::load(tok_data("llama2"));
  return *tk;
}

TEST(SentencePiece, Llama2LlamaCppPairs) {
  // Made with the HF Llama 2 tokenizer; without BOS.
  auto pairs = llamacpp_pairs("ggml-vocab-llama-spm.gguf");
  ASSERT_GT(pairs.size(), 40u);
  for (const auto& p : pairs) EXPECT_EQ(llama2().encode(p.text, false), p.ids) << show(p.text);
}

TEST(SentencePiece, Llama2AddsBos) {
  auto ids = llama2().encode("Hello", true);
  ASSERT_FALSE(ids.empty());
  EXPECT_EQ(ids[0], 1);
  EXPECT_EQ(llama2().bos_id, 1);
  EXPECT_EQ(llama2().eos_id, 2);
  EXPECT_EQ(llama2().vocab_size(), 32000);
  EXPECT_EQ(llama2().decode(ids), "Hello");
  EXPECT_EQ(llama2().encode("", true), std::vector<int32_t>{1});
}

}  // namespace
}  // namespace sprout::test
