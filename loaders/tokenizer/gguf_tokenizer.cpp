// Tokenizers stored in GGUF metadata (llama.cpp's tokenizer.ggml.* keys):
//   model "gpt2"  byte-level BPE: tokens (GPT-2 byte alphabet) + merges; the split regex is
//                 chosen by tokenizer.ggml.pre (qwen2, llama-bpe, gpt2/default).
//   model "llama" SentencePiece BPE: tokens + scores + token types, rebuilt as a SentencePiece
//                 ModelProto and run by libsentencepiece (identity normalizer, as Llama's).
//   model "bert"  WordPiece in llama.cpp's form (word-initial tokens carry U+2581, continuations
//                 have no "##"), turned back into a vocab.txt vocabulary; lower-cased.
// Token types (llama.cpp): 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte.
#include <cstring>

#include "engine/error.h"
#include "loaders/gguf.h"
#include "loaders/tokenizer/bpe.h"
#include "loaders/tokenizer/loaders.h"

namespace sprout::tok {

namespace {

constexpr const char* kLlama3Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

// Views into the GGUF file's metadata (valid while the GgufFile lives): no copy per string.
std::vector<std::string_view> string_array(const GgufFile& g, const char* key, const std::string& path, bool required) {
  const GgufValue* v = g.find(key);
  if (!v) {
    if (required) fail(path, std::string("missing key '") + key + "'");
    return {};
  }
  if (!v->is_array() || v->elem != GgufType::string) fail(path, std::string("key '") + key + "': expected an array of strings");
  return v->strs;
}

template <class T, class Get>
std::vector<T> scalar_array(const GgufFile& g, const char* key, size_t n, const std::string& path, Get get, T def) {
  const GgufValue* v = g.find(key);
  std::vector<T> out(n, def);
  if (!v) return out;
  if (!v->is_array() || v->count != n)
    fail(path, std::string("key '") + key + "': expected an array of " + std::to_string(n) + " numbers");
  for (size_t i = 0; i < n; ++i) {
    auto x = get(*v, i);
    if (!x) fail(path, std::string("key '") + key + "': element " + std::to_string(i) + " is not a number");
    out[i] = T(*x);
  }
  return out;
}

// Protocol-buffer wire format, just enough for a SentencePiece ModelProto.
struct Proto {
  std::string b;
  void varint(uint64_t v) {
    while (v >= 0x80) { b += char((v & 0x7F) | 0x80); v >>= 7; }
    b += char(v);
  }
  void key(int field, int wire) { varint(uint64_t(field) << 3 | unsigned(wire)); }
  void bytes(int field, std::string_view s) { key(field, 2); varint(s.size()); b.append(s); }
  void u(int field, uint64_t v) { key(field, 0); varint(v); }
  void f32(int field, float f) {
    key(field, 5);
    char c[4];
    std::memcpy(c, &f, 4);
    b.append(c, 4);
  }
};

std::unique_ptr<Tokenizer> spm_from_gguf(const GgufFile& g, const std::vector<std::string_view>& tokens, const std::string& path) {
  size_t n = tokens.size();
  auto scores = scalar_array<float>(g, "tokenizer.ggml.scores", n, path,
                                    [](const GgufValue& v, uint64_t i) { return v.float_at(i); }, 0.f);
  auto types = scalar_array<int>(g, "tokenizer.ggml.token_type", n, path,
                                 [](const GgufValue& v, uint64_t i) { return v.int_at(i); }, 1);
  Proto model;
  bool byte_fallback = false;
  for (size_t i = 0; i < n; ++i) {
    int t = types[i];
    if (t < 1 || t > 6) t = 1;
    byte_fallback |= t == 6;
    Proto piece;
    piece.bytes(1, tokens[i]);
    piece.f32(2, scores[i]);
    piece.u(3, uint64_t(t));  // SentencePiece's Type enum has the same numbers
    model.bytes(1, piece.b);
  }
  Proto trainer;
  trainer.u(3, 2);  // model_type BPE
  if (byte_fallback) trainer.u(35, 1);
  Proto norm;
  norm.bytes(1, "identity");
  norm.u(3, g.get_int("tokenizer.ggml.add_space_prefix", 1) ? 1 : 0);  // add_dummy_prefix
  norm.u(4, 0);  // remove_extra_whitespaces: off, as in Llama's model
  norm.u(5, 1);  // escape_whitespaces
  model.bytes(2, trainer.b);
  model.bytes(3, norm.b);
  TokenizerConfig cfg;
  cfg.has_add_bos = cfg.has_add_eos = true;
  cfg.add_bos = g.get_int("tokenizer.ggml.add_bos_token", 1) != 0;
  cfg.add_eos = g.get_int("tokenizer.ggml.add_eos_token", 0) != 0;
  return load_sentencepiece_proto(model.b, path, cfg);
}

std::unique_ptr<Tokenizer> bpe_from_gguf(const GgufFile& g, const std::vector<std::string_view>& tokens, const std::string& path) {
  auto merges = string_array(g, "tokenizer.ggml.merges", path, true);
  auto types = scalar_array<int>(g, "tokenizer.ggml.token_type", tokens.size(), path,
                                 [](const GgufValue& v, uint64_t i) { return v.int_at(i); }, 1);
  std::string pre = g.get_string("tokenizer.ggml.pre", "default");
  BpeOptions opt;
  if (pre == "qwen2") {
    opt.nfc = true;
    opt.split_patterns.push_back(kQwen2Pattern);
  } else if (pre == "llama-bpe" || pre == "llama3") {
    opt.split_patterns.push_back(kLlama3Pattern);
  } else if (pre == "default" || pre == "gpt2" || pre == "gpt-2") {
    opt.split_patterns.push_back(kGpt2Pattern);
  } else {
    fail(path, "unsupported tokenizer.ggml.pre '" + pre + "'");
  }
  AddedTokens added;
  for (size_t i = 0; i < tokens.size(); ++i)
    if (types[i] == 3 || types[i] == 4) added.add({std::string(tokens[i]), int32_t(i), types[i] == 3});
  int64_t bos = g.get_int("tokenizer.ggml.bos_token_id", -1), eos = g.get_int("tokenizer.ggml.eos_token_id", -1);
  if (g.get_int("tokenizer.ggml.add_bos_token", 0) && bos >= 0 && bos < int64_t(tokens.size())) opt.prefix.push_back(int32_t(bos));
  if (g.get_int("tokenizer.ggml.add_eos_token", 0) && eos >= 0 && eos < int64_t(tokens.size())) opt.suffix.push_back(int32_t(eos));
  TokenizerConfig cfg;
  auto tk = load_bpe_parts(tokens, merges, std::move(added), std::move(opt), cfg, path);
  return tk;
}

std::unique_ptr<Tokenizer> wordpiece_from_gguf(const std::vector<std::string_view>& tokens, const std::vector<int>& types,
                                               const std::string& path) {
  std::vector<std::string> vocab;
  vocab.reserve(tokens.size());
  const std::string phantom = "\xE2\x96\x81";  // U+2581
  for (size_t i = 0; i < tokens.size(); ++i) {
    std::string_view t = tokens[i];
    if (types[i] == 3 || (t.size() > 2 && t.front() == '[' && t.back() == ']')) vocab.emplace_back(t);
    else if (t.rfind(phantom, 0) == 0) vocab.emplace_back(t.substr(phantom.size()));
    else vocab.push_back(std::string("##").append(t));
  }
  TokenizerConfig cfg;
  cfg.has_lower = true;
  cfg.do_lower_case = true;
  return load_wordpiece_vocab(std::move(vocab), cfg, path);
}

}  // namespace

std::unique_ptr<Tokenizer> load_gguf_tokenizer(const std::string& path) {
  auto g = GgufFile::open(path);
  return load_gguf_tokenizer_from(*g, path);
}

std::unique_ptr<Tokenizer> load_gguf_tokenizer_from(const GgufFile& gguf, const std::string& path) {
  const GgufFile* g = &gguf;
  std::string model = g->get_string("tokenizer.ggml.model");
  auto tokens = string_array(*g, "tokenizer.ggml.tokens", path, true);
  if (tokens.empty()) fail(path, "tokenizer.ggml.tokens is empty");
  std::unique_ptr<Tokenizer> tk;
  if (model == "gpt2") tk = bpe_from_gguf(*g, tokens, path);
  else if (model == "llama") tk = spm_from_gguf(*g, tokens, path);
  else if (model == "bert") {
    auto types = scalar_array<int>(*g, "tokenizer.ggml.token_type", tokens.size(), path,
                                   [](const GgufValue& v, uint64_t i) { return v.int_at(i); }, 1);
    tk = wordpiece_from_gguf(tokens, types, path);
  } else {
    fail(path, "unsupported tokenizer.ggml.model '" + model + "'");
  }
  auto id = [&](const char* key, int32_t cur) {
    int64_t v = g->get_int(key, cur);
    return v >= 0 && v < tk->vocab_size() ? int32_t(v) : cur;
  };
  tk->bos_id = id("tokenizer.ggml.bos_token_id", tk->bos_id);
  tk->eos_id = id("tokenizer.ggml.eos_token_id", tk->eos_id);
  tk->unk_id = id("tokenizer.ggml.unknown_token_id", tk->unk_id);
  tk->pad_id = id("tokenizer.ggml.padding_token_id", tk->pad_id);
  tk->chat_template = g->get_string("tokenizer.chat_template", tk->chat_template);
  return tk;
}

}  // namespace sprout::tok
