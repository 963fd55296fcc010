// Byte-level BPE on the real Qwen vocabulary against independent references:
// llama.cpp's tokenizer test pairs (made with the HF Qwen1.5 tokenizer).
#include <gtest/gtest.h>

#include "tests/tokenizers/tok_util.h"

namespace sprout::test {
namespace {

const Tokenizer& qwen() {
  static auto tk = Tokenizer::load(tok_data("qwen"));
  return *tk;
}

TEST(BpeQwen, LlamaCppPairs) {
  auto pairs = llamacpp_pairs("ggml-vocab-qwen2.gguf");
  ASSERT_GT(pairs.size(), 40u);
  for (const auto& p : pairs) EXPECT_EQ(qwen().encode(p.text, false), p.ids) << show(p.text);
}

TEST(BpeQwen, SpecialTokensMatchedBeforeBpe) {
  const Tokenizer& tk = qwen();
  ASSERT_EQ(tk.token_id("<|im_start|>"), 151644);
  ASSERT_EQ(tk.token_id("<|im_end|>"), 151645);
  ASSERT_EQ(tk.token_id("<|endoftext|>"), 151643);
  auto ids = tk.encode("<|im_start|>user\nhi<|im_end|>", true);
  ASSERT_GE(ids.size(), 4u);
  EXPECT_EQ(ids.front(), 151644);
  EXPECT_EQ(ids.back(), 151645);
  // Qwen adds no BOS: add_special changes nothing.
  EXPECT_EQ(tk.encode("hello world", true), tk.encode("hello world", false));
  EXPECT_EQ(tk.bos_id, -1);
  EXPECT_EQ(tk.eos_id, 151645);
  EXPECT_FALSE(tk.chat_template.empty());
}

TEST(BpeQwen, DecodeRoundTrips) {
  const Tokenizer& tk = qwen();
  for (const char* s : {"Hello, world!", "Ẹ kú àárọ̀", "你好，世界", "مرحبا بالعالم", "🦙🌱 emoji", "  \n\n\t x", ""}) {
    auto ids = tk.encode(s, false);
    EXPECT_EQ(tk.decode(ids), s) << s;
  }
  auto ids = tk.encode("<|im_start|>hi", false);
  EXPECT_EQ(tk.decode(ids, true), "hi");
  EXPECT_EQ(tk.decode(ids, false), "<|im_start|>hi");
}

TEST(BpeQwen, InvalidUtf8BecomesReplacementChar) {
  const Tokenizer& tk = qwen();
  // Same ids as the text with U+FFFD written out, as Python's decode(errors="replace") gives.
  EXPECT_EQ(tk.encode("a\xff" "b", false), tk.encode("a\xEF\xBF\xBD" "b", false));
  EXPECT_EQ(tk.encode("\xe4\xbd", false), tk.encode("\xEF\xBF\xBD", false));
  EXPECT_EQ(tk.encode(std::string("x\0y", 3), false).size(), 3u);
}

TEST(BpeQwen, LongWordIsNotQuadratic) {
  // One 200k-letter pre-token: must finish quickly (heap-based merges).
  std::string s(200000, 'a');
  auto ids = qwen().encode(s, false);
  EXPECT_EQ(qwen().decode(ids), s);
}

TEST(BpeQwen, EncodeTruncated) {
  auto ids = qwen().encode_truncated("one two three four five six", 3);
  EXPECT_EQ(ids.size(), 3u);
  auto full = qwen().encode("one two three four five six");
  EXPECT_EQ(ids, std::vector<int32_t>(full.begin(), full.begin() + 3));
}

}  // namespace
}  // namespace sprout::test
