// WordPiece (BERT) against independent references.
#include <gtest/gtest.h>

#include "tests/tokenizers/tok_util.h"

namespace sprout::test {
namespace {

const Tokenizer& bert_uncased() {
  static auto tk = Tokenizer::load(tok_data("bert-uncased"));
  return *tk;
}

TEST(WordPiece, LlamaCppPairs) {
  // llama.cpp's pairs for bge-small-en-v1.5 (same bert-base-uncased vocabulary), made with
  // the HF tokenizer; they exclude [CLS]/[SEP].
  auto pairs = llamacpp_pairs("ggml-vocab-bert-bge.gguf");
  ASSERT_GT(pairs.size(), 40u);
  for (const auto& p : pairs) EXPECT_EQ(bert_uncased().encode(p.text, false), p.ids) << show(p.text);
}

TEST(WordPiece, ClsSepAndTruncation) {
  const Tokenizer& tk = bert_uncased();
  EXPECT_EQ(tk.kind, "wordpiece");
  auto ids = tk.encode("Hello world", true);
  ASSERT_EQ(ids.size(), 4u);
  EXPECT_EQ(ids.front(), 101);  // [CLS]
  EXPECT_EQ(ids.back(), 102);   // [SEP]
  EXPECT_EQ(tk.encode("", true), (std::vector<int32_t>{101, 102}));
  auto t = tk.encode_truncated("one two three four five six seven", 5);
  ASSERT_EQ(t.size(), 5u);
  EXPECT_EQ(t.front(), 101);
  EXPECT_EQ(t.back(), 102);
  EXPECT_EQ(tk.model_max_length, 512);
}

TEST(WordPiece, OverlongWordIsUnk) {
  const Tokenizer& tk = bert_uncased();
  EXPECT_EQ(tk.encode(std::string(101, 'a'), false), std::vector<int32_t>{100});  // [UNK]
  EXPECT_NE(tk.encode(std::string(100, 'a'), false), std::vector<int32_t>{100});
}

TEST(WordPiece, SpecialTokensInTextAndDecode) {
  const Tokenizer& tk = bert_uncased();
  auto ids = tk.encode("[CLS] hello [MASK].", false);
  ASSERT_EQ(ids.size(), 4u);
  EXPECT_EQ(ids[0], 101);
  EXPECT_EQ(ids[2], 103);
  EXPECT_EQ(tk.decode(tk.encode("Hello, World! it's unaffable.")), "hello, world! it's unaffable.");
}

}  // namespace
}  // namespace sprout::test
