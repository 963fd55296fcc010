// Added tokens (<|im_start|>, [CLS], eng_Latn, <mask> ...): matched in the raw text
// before any normalization or model runs, as Hugging Face's AddedVocabulary does:
// leftmost match wins, the longest token among those starting there.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "loaders/tokenizer/common.h"

namespace sprout::tok {

struct AddedToken {
  std::string content;
  int32_t id = -1;
  bool special = true;
  bool lstrip = false, rstrip = false;  // swallow whitespace on that side
  bool single_word = false;             // only match when not inside a word
};

class AddedTokens {
 public:
  // Replaces an earlier entry with the same content.
  void add(const AddedToken& t);
  bool empty() const { return tokens_.empty(); }
  const std::vector<AddedToken>& all() const { return tokens_; }
  const AddedToken* by_content(std::string_view s) const;
  const AddedToken* by_id(int32_t id) const;

  // Splits text into runs of ordinary text (id -1) and matched added tokens.
  struct Piece { std::string_view text; int32_t id; };
  std::vector<Piece> split(std::string_view text) const;

 private:
  std::vector<AddedToken> tokens_;
  StringMap<size_t> by_content_;
  std::unordered_map<int32_t, size_t> by_id_;
  std::vector<std::vector<size_t>> by_first_byte_ = std::vector<std::vector<size_t>>(256);  // longest first
};

}  // namespace sprout::tok
