// Broken tokenizer files: each must give one clear error naming the file and the cause
// (sprout::Error), never a crash or a huge allocation.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "tests/tokenizers/tok_util.h"

namespace sprout::test {
namespace {

namespace fs = std::filesystem;

std::string fresh_dir(const std::string& tag) {
  fs::path d = fs::path(::testing::TempDir()) / ("tok_hostile_" + tag + "_" + std::to_string(getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d.string();
}

// Loads `dir` and returns the error text ("" if it loaded).
std::string load_error(const std::string& path) {
  try {
    Tokenizer::load(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::string tokenizer_json(const std::string& model, const std::string& extra = "") {
  return R"({"normalizer":null,"pre_tokenizer":{"type":"ByteLevel","add_prefix_space":false,"use_regex":true},)" + extra +
         R"("model":)" + model + "}";
}

struct Case { const char* name; std::string json; const char* error; };

TEST(HostileTokenizers, TokenizerJson) {
  const std::string ok_model = R"({"type":"BPE","vocab":{"a":0,"b":1,"ab":2},"merges":["a b"]})";
  std::string deep(10000, '[');
  std::vector<Case> cases = {
      {"deep", deep + std::string(10000, ']'), "JSON nested deeper than 64 levels"},
      {"truncated", tokenizer_json(ok_model).substr(0, 60), "invalid JSON"},
      {"not_utf8", "{\"model\": \"\xff\xfe\"}", "invalid JSON"},
      {"no_model", R"({"normalizer":null})", "missing key 'model'"},
      {"wordlevel", tokenizer_json(R"({"type":"WordLevel","vocab":{}})"), "model type 'WordLevel' is not BPE"},
      {"unknown_merge", tokenizer_json(R"({"type":"BPE","vocab":{"a":0},"merges":["a zz"]})"), "unknown token"},
      {"bad_merge", tokenizer_json(R"({"type":"BPE","vocab":{"a":0},"merges":["abc"]})"), "expected 'left right'"},
      {"string_id", tokenizer_json(R"({"type":"BPE","vocab":{"a":"0"},"merges":[]})"), "is not an integer"},
      {"huge_id", tokenizer_json(R"({"type":"BPE","vocab":{"a":4000000000},"merges":[]})"), "out of range"},
      {"dup_id", tokenizer_json(R"({"type":"BPE","vocab":{"a":0,"b":0},"merges":[]})"), "used twice"},
      {"normalizer", tokenizer_json(ok_model, R"("normalizer":{"type":"Lowercase"},)"), "unsupported normalizer type 'Lowercase'"},
      {"bad_regex", R"({"pre_tokenizer":{"type":"Sequence","pretokenizers":[{"type":"Split","pattern":{"Regex":"(unclosed"},"behavior":"Isolated"},{"type":"ByteLevel","use_regex":false}]},"model":)" + ok_model + "}",
       "bad pre-tokenizer regex"},
      {"no_bytelevel", R"({"pre_tokenizer":null,"model":)" + ok_model + "}", "only byte-level BPE"},
      {"post_id", tokenizer_json(ok_model, R"("post_processor":{"type":"TemplateProcessing","single":[{"SpecialToken":{"id":"X"}}],"special_tokens":{"X":{"ids":[99999]}}},)"),
       "post_processor: token id 99999 out of range"},
      {"added_bad", tokenizer_json(ok_model, R"("added_tokens":[{"id":-5,"content":"<x>"}],)"), "bad id"},
      // Fields of another JSON type than the format's (found by the tokenizer_json fuzz target).
      {"type_false", R"({"pre_tokenizer":{"type":"Sequence","pretokenizers":[{"type":false,"use_regex":false}]},"model":)" + ok_model + "}",
       "unexpected JSON value"},
      {"lstrip_string", tokenizer_json(ok_model, R"("added_tokens":[{"id":2,"content":"<x>","lstrip":"yes"}],)"),
       "unexpected JSON value"},
      {"use_regex_number", R"({"pre_tokenizer":{"type":"ByteLevel","use_regex":7},"model":)" + ok_model + "}",
       "unexpected JSON value"},
      {"post_not_object", tokenizer_json(ok_model, R"("post_processor":[1,2],)"), "unexpected JSON value"},
  };
  for (const auto& c : cases) {
    std::string dir = fresh_dir(c.name);
    std::ofstream(dir + "/tokenizer.json", std::ios::binary) << c.json;
    std::string err = load_error(dir);
    EXPECT_NE(err.find(dir + "/tokenizer.json: "), std::string::npos) << c.name << ": " << err;
    EXPECT_NE(err.find(c.error), std::string::npos) << c.name << ": " << err;
  }
}

TEST(HostileTokenizers, VocabMergesAndVocabTxt) {
  std::string dir = fresh_dir("vm");
  std::ofstream(dir + "/vocab.json") << R"({"a": 0, "b": 1})";
  std::ofstream(dir + "/merges.txt") << "#version: 0.2\na c\n";
  EXPECT_NE(load_error(dir).find("merges.txt: merge 1 ('a c'): unknown token"), std::string::npos) << load_error(dir);
  std::ofstream(dir + "/vocab.json") << R"({"a": {"nested": 1}})";
  EXPECT_NE(load_error(dir).find("vocab.json: vocab: expected a flat object"), std::string::npos) << load_error(dir);
  std::ofstream(dir + "/vocab.json") << R"([1, 2])";
  EXPECT_NE(load_error(dir).find("vocab.json"), std::string::npos);

  // tokenizer_config.json fields of another type than the format's.
  std::ofstream(dir + "/merges.txt") << "#version: 0.2\na b\n";
  std::ofstream(dir + "/vocab.json") << R"({"a": 0, "b": 1, "ab": 2})";
  std::ofstream(dir + "/tokenizer_config.json") << R"({"add_prefix_space": "no"})";
  EXPECT_NE(load_error(dir).find("tokenizer_config.json: unexpected JSON value"), std::string::npos) << load_error(dir);
  std::ofstream(dir + "/tokenizer_config.json") << R"({"chat_template": [{"name": 3, "template": "x"}]})";
  EXPECT_NE(load_error(dir).find("tokenizer_config.json: unexpected JSON value"), std::string::npos) << load_error(dir);

  std::string wp = fresh_dir("wp");
  std::ofstream(wp + "/vocab.txt") << "hello\nworld\n";  // no [UNK]
  EXPECT_NE(load_error(wp).find("no unknown token"), std::string::npos) << load_error(wp);
}

TEST(HostileTokenizers, SentencePieceAndNllb) {
  std::string dir = fresh_dir("spm");
  std::ofstream(dir + "/tokenizer.model", std::ios::binary) << std::string("\x0a\x05hello garbage");
  EXPECT_NE(load_error(dir).find("tokenizer.model: not a SentencePiece model"), std::string::npos) << load_error(dir);
  // NLLB without its language codes.
  std::string nllb = fresh_dir("nllb");
  fs::copy_file(tok_data("barthez/sentencepiece.bpe.model"), nllb + "/sentencepiece.bpe.model");
  std::ofstream(nllb + "/tokenizer_config.json") << R"({"tokenizer_class": "NllbTokenizer"})";
  EXPECT_NE(load_error(nllb).find("special_tokens_map.json"), std::string::npos) << load_error(nllb);
  std::ofstream(nllb + "/special_tokens_map.json") << R"({"additional_special_tokens": ["eng_Latn"]})";
  std::ofstream(nllb + "/tokenizer_config.json") << R"({"tokenizer_class": "NllbTokenizer", "src_lang": "zzz_Zzzz"})";
  EXPECT_NE(load_error(nllb).find("src_lang 'zzz_Zzzz'"), std::string::npos) << load_error(nllb);
}

TEST(HostileTokenizers, Llama2cTruncatedEverywhere) {
  // Cut the real file at every byte of its first tokens: each prefix is an error or a
  // smaller valid tokenizer, never a crash.
  std::string good = slurp(tok_data("llama2c/tok512.bin"));
  std::string dir = fresh_dir("l2c");
  int errors = 0;
  for (size_t n = 0; n < 200; ++n) {
    std::ofstream(dir + "/t.bin", std::ios::binary) << good.substr(0, n);
    errors += !load_error(dir + "/t.bin").empty();
  }
  EXPECT_EQ(errors, 200);  // fewer than 259 tokens is always an error
  std::string neg = good;
  neg[3] = '\x80';  // max_token_length < 0
  std::ofstream(dir + "/t.bin", std::ios::binary) << neg;
  EXPECT_NE(load_error(dir + "/t.bin").find("bad max_token_length"), std::string::npos);
}

}  // namespace
}  // namespace sprout::test
