// Helpers shared by the tokenizer loaders: bounded file reads, JSON with limits,
// tokenizer_config.json fields, and the base class that holds added tokens.
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "engine/error.h"

namespace sprout::tok {

// Hash for unordered maps keyed by std::string that are searched with string_views
// (no temporary std::string per lookup).
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <class V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

// Whole file, at most max_bytes (else Error(path, "file too large ...")).
std::string read_file(const std::string& path, uint64_t max_bytes = 256ull << 20);
bool file_exists(const std::string& path);
bool is_directory(const std::string& path);

// Parses JSON text from `subject` (a file name, for errors), rejecting nesting deeper than 64.
nlohmann::json parse_json(std::string_view text, const std::string& subject);
nlohmann::json load_json_file(const std::string& path, uint64_t max_bytes = 64ull << 20);

// Runs f() and reports a JSON value of an unexpected type as an error naming `subject`.
// The loaders check the shape of what they rely on, but nlohmann's accessors (value(),
// operator[] on a const object, get<T>()) throw their own type_error on a field of another
// type (e.g. "type": false); this turns any such throw into the one-line sprout::Error.
template <class F>
auto json_guard(const std::string& subject, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const nlohmann::json::exception& e) {
    fail(subject, std::string("unexpected JSON value: ") + e.what());
  }
}

// tokenizer_config.json token fields are a string, {"content": "..."} or null.
std::string token_string(const nlohmann::json& j, const char* key);

// Everything a tokenizer takes from tokenizer_config.json (absent file -> defaults).
struct TokenizerConfig {
  nlohmann::json raw = nlohmann::json::object();
  std::string path;                 // for error messages
  std::string tokenizer_class;
  std::string bos, eos, pad, unk;   // token strings, empty when null/absent
  std::string chat_template;
  int32_t model_max_length = 0;
  bool has_add_bos = false, add_bos = false, has_add_eos = false, add_eos = false;
  bool has_lower = false, do_lower_case = false;
  int strip_accents = -1;           // -1 null (follows lower-casing), 0 false, 1 true
  bool tokenize_chinese_chars = true;
};
TokenizerConfig load_tokenizer_config(const std::string& dir);

}  // namespace sprout::tok
