// The pre-tokenizer split regex (Hugging Face `Split` with behavior "Isolated"),
// run with PCRE2 in UTF + UCP mode (Unicode categories for \p{L}, \s, ...), JIT-compiled.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sprout::tok {

class SplitRegex {
 public:
  // pattern: the Oniguruma-style pattern from tokenizer.json; subject names the file for errors.
  SplitRegex(const std::string& pattern, const std::string& subject);
  ~SplitRegex();
  SplitRegex(const SplitRegex&) = delete;
  SplitRegex& operator=(const SplitRegex&) = delete;

  // Appends the pieces of `text` (well-formed UTF-8): every match, and every gap between
  // matches, in order. Together they cover the text exactly.
  void split(std::string_view text, std::vector<std::string_view>& out) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The GPT-2 pattern (ByteLevel pre-tokenizer with use_regex = true).
inline constexpr const char* kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
// Qwen2's pattern (tokenizer.json Split regex; the slow Qwen2Tokenizer uses the same).
inline constexpr const char* kQwen2Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

}  // namespace sprout::tok
