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
#include <string_view>
#include <vector>

#include "loaders/tokenizer.h"
#include "loaders/tokenizer/added_tokens.h"
#include "loaders/tokenizer/common.h"
#include "loaders/tokenizer/regex.h"

namespace sprout::tok {

// GPT-2's reversible byte <-> unicode alphabet.
std::string byte_level_encode(std::string_view bytes);  // raw bytes -> printable form
bool byte_level_decode(std::string_view printable, std::string* bytes);  // false: not in the alphabet

// The vocabulary, the merge table and the per-word merge loop.
// Loading a 150k-token vocabulary with 150k merges must cost milliseconds, not a third of a
// second: all token bytes live in one buffer (an offset per id), and both indexes are
// open-addressing tables of plain integers sized once. No heap node per entry, so building
// is a few large allocations and destruction a few frees.
class BpeModel {
 public:
  // Vocabulary, id by id: the raw bytes of each token (empty for a hole, which no merge
  // produces and find() never returns). Call index_vocab() after the last one.
  void reserve_vocab(size_t tokens, size_t bytes);
  bool add_token(std::string_view bytes);  // false: the vocabulary would exceed 4 GiB
  void index_vocab();  // builds the bytes -> id index; the first of equal tokens wins
  bool set_vocab(const std::vector<std::string>& id_to_bytes);  // all three steps at once
  // Adds a merge (left + right bytes) with the next rank; returns false if a side or their
  // concatenation is not a token. A repeated pair keeps its first rank.
  void reserve_merges(size_t n);
  bool add_merge(std::string_view left, std::string_view right);
  bool ignore_merges = false;  // HF option: a word that is itself a token skips the merges

  int32_t size() const { return int32_t(offsets_.size()) - 1; }
  std::string_view bytes(int32_t id) const {
    return std::string_view(blob_.data() + offsets_[size_t(id)], offsets_[size_t(id) + 1] - offsets_[size_t(id)]);
  }
  int32_t find(std::string_view bytes) const;  // -1 when absent

  // Appends the ids of one pre-tokenized word. Bytes without a single-byte token are dropped
  // (byte-level vocabularies always have all 256).
  void encode_word(std::string_view word, std::vector<int32_t>& out) const;

 private:
  // Vocabulary index slot: the id plus 32 bits of the hash, so most probes that miss never
  // touch the token bytes.
  struct VocabSlot { uint32_t tag; int32_t id; };
  // Merge slot: key = left id << 32 | right id (kEmpty when free).
  struct MergeSlot { uint64_t key; int32_t rank, id; };
  static constexpr uint64_t kEmpty = ~uint64_t(0);

  std::string blob_;
  std::vector<uint32_t> offsets_ = {0};  // token i is blob_[offsets_[i], offsets_[i + 1])
  std::vector<VocabSlot> vocab_index_;
  std::vector<MergeSlot> merges_;
  int32_t n_merges_ = 0;
  int32_t byte_id_[256];

  static uint64_t key(int32_t a, int32_t b) { return (uint64_t(uint32_t(a)) << 32) | uint32_t(b); }
  const MergeSlot* find_merge(int32_t a, int32_t b) const;
  void grow_merges(size_t capacity);
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
  uint64_t serial_;  // identifies this tokenizer's entries in the per-thread word cache
  void encode_text(std::string_view text, std::vector<int32_t>& out) const;
};

}  // namespace sprout::tok
