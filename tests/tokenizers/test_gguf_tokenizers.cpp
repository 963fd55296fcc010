// Tokenizers read from GGUF metadata (tokenizer.ggml.*), checked with llama.cpp's pairs.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "loaders/gguf.h"
#include "tests/tokenizers/tok_util.h"

namespace sprout::test {
namespace {

TEST(GgufTokenizer, LlamaSentencePiece) {
  auto tk = Tokenizer::load(tok_data("gguf/ggml-vocab-llama-spm.gguf"));
  EXPECT_EQ(tk->vocab_size(), 32000);
  for (const auto& p : llamacpp_pairs("ggml-vocab-llama-spm.gguf")) EXPECT_EQ(tk->encode(p.text, false), p.ids) << show(p.text);
  EXPECT_EQ(tk->encode("Hi", true).front(), 1);  // BOS
  EXPECT_EQ(tk->decode(tk->encode("Hello world", true)), "Hello world");
}

TEST(GgufTokenizer, BertWordPiece) {
  auto tk = Tokenizer::load(tok_data("gguf/ggml-vocab-bert-bge.gguf"));
  for (const auto& p : llamacpp_pairs("ggml-vocab-bert-bge.gguf")) EXPECT_EQ(tk->encode(p.text, false), p.ids) << show(p.text);
  auto ids = tk->encode("hello", true);
  EXPECT_EQ(ids.front(), 101);
  EXPECT_EQ(ids.back(), 102);
}

TEST(GgufTokenizer, QwenBpeWrittenByGgufWriter) {
  // A GGUF carrying the Qwen vocabulary as llama.cpp's converter stores it.
  auto vocab = nlohmann::json::parse(slurp(tok_data("qwen/vocab.json")));
  std::vector<std::string> tokens(151646);
  for (auto it = vocab.begin(); it != vocab.end(); ++it) tokens[it.value().get<size_t>()] = it.key();
  std::vector<int32_t> types(tokens.size(), 1);
  const char* specials[] = {"<|endoftext|>", "<|im_start|>", "<|im_end|>"};
  for (int i = 0; i < 3; ++i) { tokens[151643 + i] = specials[i]; types[151643 + i] = 3; }
  std::vector<std::string> merges;
  std::istringstream in(slurp(tok_data("qwen/merges.txt")));
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line.rfind("#version", 0) != 0) merges.push_back(line);
  GgufWriter w;
  w.set_string("general.architecture", "qwen2");
  w.set_string("tokenizer.ggml.model", "gpt2");
  w.set_string("tokenizer.ggml.pre", "qwen2");
  w.set_strings("tokenizer.ggml.tokens", tokens);
  w.set_array("tokenizer.ggml.token_type", GgufType::i32, types.data(), types.size());
  w.set_strings("tokenizer.ggml.merges", merges);
  w.set_u32("tokenizer.ggml.eos_token_id", 151645);
  w.set_bool("tokenizer.ggml.add_bos_token", false);
  std::string path = ::testing::TempDir() + "/qwen_vocab_" + std::to_string(getpid()) + ".gguf";
  w.write(path);
  auto tk = Tokenizer::load(path);
  for (const auto& p : llamacpp_pairs("ggml-vocab-qwen2.gguf")) EXPECT_EQ(tk->encode(p.text, false), p.ids) << show(p.text);
  EXPECT_EQ(tk->eos_id, 151645);
  EXPECT_EQ(tk->encode("<|im_start|>hi", true).front(), 151644);
  std::remove(path.c_str());
}

TEST(GgufTokenizer, Errors) {
  // A GGUF without tokenizer keys, and one with an unknown tokenizer model.
  std::string path = ::testing::TempDir() + "/no_tok_" + std::to_string(getpid()) + ".gguf";
  GgufWriter w;
  w.set_string("general.architecture", "llama");
  w.write(path);
  EXPECT_THROW(Tokenizer::load(path), Error);
  GgufWriter w2;
  w2.set_string("tokenizer.ggml.model", "rwkv");
  w2.set_strings("tokenizer.ggml.tokens", {"a", "b"});
  w2.write(path);
  try {
    Tokenizer::load(path);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("rwkv"), std::string::npos) << e.what();
  }
  std::remove(path.c_str());
}

}  // namespace
}  // namespace sprout::test
