// Byte-level BPE (GPT-2, Qwen1.5/Qwen2 ...): vocabulary of byte strings plus ranked merges.
//
// Pipeline of encode(), as Hugging Face tokenizers runs it:
//   added tokens split the raw text -> each ordinary run: NFC (if the model says so)
//   -> split regex (pre-tokenizer) -> bytes of each piece -> BPE merges by rank -> ids
//   -> post-processor template (BOS etc., when the model has one).
// Tokens are stored as raw bytes; the GPT-2 "byte to printable unicode" alphabet
// (Ġ for space ...) exists only at the file boundary (vocab keys, merges, token_id()).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "loaders/tokenizer.h"
#include "loaders/tokenizer/added_tokens.h"
#include "loaders/tokenizer/common.h"
#include "loaders/tokenizer/regex.h"

namespace sprout::tok {

// GPT-2's reversible byte <-> unicode alphabet.
std::string byte_level_encode(std::string_view bytes);  // raw bytes -> printable form
bool byte_level_decode(std::string_view printable, std::string* bytes);  // false: not in the alphabet

// The merge table and the per-word merge loop.
class BpeModel {
 public:
  // vocab: raw bytes of each id (ids 0..n-1, empty string for holes).
  void set_vocab(std::vector<std::string> id_to_bytes);
  // Adds a merge (left + right bytes) with the next rank; returns false if a side is unknown.
  bool add_merge(const std::string& left, const std::string& right);
  bool ignore_merges = false;  // HF option: a word that is itself a token skips the merges

  int32_t size() const { return int32_t(id_to_bytes_.size()); }
  const std::string& bytes(int32_t id) const { return id_to_bytes_[size_t(id)]; }
  int32_t find(std::string_view bytes) const;  // -1 when absent

  // Appends the ids of one pre-tokenized word. Bytes without a single-byte token are dropped
  // (byte-level vocabularies always have all 256).
  void encode_word(std::string_view word, std::vector<int32_t>& out) const;

 private:
  struct Merge { int32_t rank, id; };
  std::vector<std::string> id_to_bytes_;
  StringMap<int32_t> bytes_to_id_;
  std::unordered_map<uint64_t, Merge> merges_;
  int32_t byte_id_[256];
  static uint64_t key(int32_t a, int32_t b) { return (uint64_t(uint32_t(a)) << 32) | uint32_t(b); }
};

struct BpeOptions {
  bool nfc = false;
  std::vector<std::string> split_patterns;  // applied in sequence; empty = the whole text is one word
  bool add_prefix_space = false;
  std::vector<int32_t> prefix, suffix;      // post-processor (e.g. BOS), added with add_special
};

class ByteLevelBpeTokenizer : public Tokenizer {
 public:
  ByteLevelBpeTokenizer(BpeModel model, AddedTokens added, BpeOptions opt, const std::string& subject);

  std::vector<int32_t> encode(std::string_view text, bool add_special = true) const override;
  std::string decode(const std::vector<int32_t>& ids, bool skip_special = true) const override;
  std::string piece_bytes(int32_t id) const override;
  std::optional<int32_t> token_id(std::string_view token) const override;
  int32_t vocab_size() const override { return vocab_size_; }
  bool is_special(int32_t id) const override;

 protected:
  std::pair<int, int> special_added() const override { return {int(opt_.prefix.size()), int(opt_.suffix.size())}; }

 private:
  BpeModel model_;
  AddedTokens added_;
  BpeOptions opt_;
  std::vector<std::unique_ptr<SplitRegex>> regexes_;
  int32_t vocab_size_;
  void encode_text(std::string_view text, std::vector<int32_t>& out) const;
};

}  // namespace sprout::tok
