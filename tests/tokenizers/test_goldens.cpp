// Every tokenizer against golden ids made by independent implementations
// (tools/tokenizer_goldens/make_goldens.sh): Hugging Face's tokenizers as ported to
// transformers.js, and the official SentencePiece library. Exact match required.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/tokenizers/tok_util.h"

namespace sprout::test {
namespace {

namespace fs = std::filesystem;

// A fresh directory holding copies of `files` (destination name -> source path in the repo).
std::string make_dir(const std::string& tag, const std::vector<std::pair<std::string, std::string>>& files) {
  fs::path d = fs::path(::testing::TempDir()) / ("tok_" + tag + "_" + std::to_string(getpid()));
  fs::create_directories(d);
  for (const auto& [name, src] : files) fs::copy_file(src, d / name, fs::copy_options::overwrite_existing);
  return d.string();
}

void check_golden(const Tokenizer& tk, const std::string& golden, const std::vector<std::string>& skip = {}) {
  auto j = nlohmann::json::parse(slurp(tok_data("golden/" + golden)));
  int checked = 0;
  for (const auto& c : j["cases"]) {
    std::string name = c["name"], text = c["text"];
    if (std::find(skip.begin(), skip.end(), name) != skip.end()) continue;
    EXPECT_EQ(tk.encode(text, true), c["ids"].get<std::vector<int32_t>>()) << golden << " " << name << ": " << show(text);
    EXPECT_EQ(tk.encode(text, false), c["ids_no_special"].get<std::vector<int32_t>>()) << golden << " " << name;
    ++checked;
  }
  EXPECT_GE(checked, 25) << golden;
}

TEST(Goldens, QwenVocabMerges) {
  // Qwen1.5 files (3 added tokens) against the Qwen3 tokenizer.json reference: the same
  // vocabulary, merges, regex and NFC; the texts use no Qwen3-only added token.
  check_golden(*Tokenizer::load(tok_data("qwen")), "qwen_hf.json");
}

TEST(Goldens, QwenTokenizerJson) {
  // The real Qwen3 tokenizer.json, rebuilt from its skeleton + vocab.json + merges.txt.
  auto j = nlohmann::json::parse(slurp(tok_data("qwen3-json/tokenizer.skeleton.json")));
  j["model"]["vocab"] = nlohmann::json::parse(slurp(tok_data("qwen/vocab.json")));
  auto& merges = j["model"]["merges"];
  std::istringstream in(slurp(tok_data("qwen/merges.txt")));
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line.rfind("#version", 0) == 0) continue;
    size_t sp = line.find(' ');
    merges.push_back({line.substr(0, sp), line.substr(sp + 1)});
  }
  std::string dir = make_dir("qwen3json", {{"tokenizer_config.json", tok_data("qwen3-json/tokenizer_config.json")}});
  std::ofstream(dir + "/tokenizer.json") << j.dump();
  auto tk = Tokenizer::load(dir);
  check_golden(*tk, "qwen_hf.json");
  EXPECT_EQ(tk->token_id("<think>"), 151667);
  EXPECT_EQ(tk->encode("<think>", false), std::vector<int32_t>{151667});
}

TEST(Goldens, BertUncased) { check_golden(*Tokenizer::load(tok_data("bert-uncased")), "bert_uncased_hf.json"); }

TEST(Goldens, BertCased) {
  std::string dir = make_dir("bertcased", {{"vocab.txt", tok_data("bert-uncased/vocab.txt")}});
  std::ofstream(dir + "/tokenizer_config.json") << R"({"do_lower_case": false, "tokenizer_class": "BertTokenizer"})";
  check_golden(*Tokenizer::load(dir), "bert_cased_hf.json");
}

TEST(Goldens, Llama2SentencePiece) { check_golden(*Tokenizer::load(tok_data("llama2")), "llama2_spm.json"); }

TEST(Goldens, UnigramSentencePiece) { check_golden(*Tokenizer::load(tok_data("unigram")), "unigram_spm.json"); }

TEST(Goldens, XlmrConventions) {
  std::string dir = make_dir("xlmr", {{"sentencepiece.bpe.model", tok_data("barthez/sentencepiece.bpe.model")},
                                      {"tokenizer_config.json", tok_data("configs/xlmr/tokenizer_config.json")},
                                      {"special_tokens_map.json", tok_data("configs/xlmr/special_tokens_map.json")}});
  auto tk = Tokenizer::load(dir);
  check_golden(*tk, "barthez_as_xlmr.json");
  EXPECT_EQ(tk->token_id("<mask>"), 50003);  // after the 50002 pieces shifted by one
  EXPECT_EQ(tk->vocab_size(), 50004);
  EXPECT_EQ(tk->bos_id, 0);
  EXPECT_EQ(tk->eos_id, 2);
  EXPECT_EQ(tk->pad_id, 1);
  EXPECT_EQ(tk->unk_id, 3);
}

TEST(Goldens, NllbConventions) {
  std::string dir = make_dir("nllb", {{"sentencepiece.bpe.model", tok_data("barthez/sentencepiece.bpe.model")},
                                      {"tokenizer_config.json", tok_data("configs/nllb/tokenizer_config.json")},
                                      {"special_tokens_map.json", tok_data("configs/nllb/special_tokens_map.json")}});
  auto tk = Tokenizer::load(dir);
  check_golden(*tk, "barthez_as_nllb.json");
  // Language codes follow the pieces in special_tokens_map.json order; <mask> is last.
  int32_t ace_Arab = 50002 + 1;
  EXPECT_EQ(tk->token_id("ace_Arab"), ace_Arab);
  EXPECT_EQ(tk->token_id("eng_Latn"), ace_Arab + 46);
  EXPECT_EQ(tk->token_id("<mask>"), ace_Arab + 202);
  EXPECT_EQ(tk->vocab_size(), ace_Arab + 203);
  // Another source language: [yor_Latn] pieces </s>.
  ASSERT_TRUE(tk->set_src_lang("yor_Latn"));
  auto ids = tk->encode("Ẹ kú àárọ̀", true);
  EXPECT_EQ(ids.front(), *tk->token_id("yor_Latn"));
  EXPECT_EQ(ids.back(), 2);
  EXPECT_FALSE(tk->set_src_lang("xx_Nope"));
  // Language codes in the text are matched as special tokens.
  auto t = tk->encode("hau_Latn hello", false);
  EXPECT_EQ(t.front(), *tk->token_id("hau_Latn"));
  EXPECT_EQ(tk->decode(tk->encode("Bonjour le monde", true)), "Bonjour le monde");
}

}  // namespace
}  // namespace sprout::test
