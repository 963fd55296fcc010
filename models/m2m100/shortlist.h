// Output-vocabulary shortlist for one target language.
//
// NLLB's tied output projection has 256206 rows (~60% of a decoder step's
// multiply-adds at the 600M shapes), yet a sentence in one language only ever
// uses a fraction of them. A shortlist is the set of token ids allowed in the
// output: decode_step then projects onto those rows only ([M, K] logits instead
// of [M, V]) and the search normalizes log-probs over the shortlist, so beam
// scores are sums of shortlist-normalized log-probs and differ from
// full-vocabulary scores (ids differ only where the full search would pick a
// token outside the shortlist).
//
// File format (text, hostile input): one decimal token id per line; blank lines
// and lines starting with '#' are ignored. Every id must lie in [0, vocab) and
// appear once; a file without ids is an error. The ids the decoder cannot do
// without (<s>, <pad>, </s>, the decoder start and the forced target-language
// token) are added when missing; tools/m2m100_reference/make_shortlist.py also
// writes <unk> and every language code.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/tensor.h"

namespace sprout::m2m100 {

class Model;

// Parses a shortlist file's text; Error(subject, "line N: ...") on anything invalid.
std::vector<int32_t> parse_shortlist(const std::string& text, const std::string& subject, int vocab);
// Reads and parses FILE (Error naming the file; files over 64 MiB are refused).
std::vector<int32_t> read_shortlist(const std::string& path, int vocab);

class Shortlist {
 public:
  // ids: token ids (validated against the vocabulary); `required` are added when absent.
  // Gathers the shortlisted rows of the tied output projection into one compact
  // [K, D] matrix in the weight's dtype (row scales included for i8_row).
  Shortlist(const Model& m, std::vector<int32_t> ids, const std::vector<int32_t>& required);

  int size() const { return int(ids_.size()); }
  const std::vector<int32_t>& ids() const { return ids_; }  // ascending
  const Tensor& rows() const { return rows_; }               // {K, d_model}
  int32_t token(int i) const { return ids_[size_t(i)]; }
  int index_of(int32_t token) const;                          // -1 when not shortlisted

 private:
  std::vector<int32_t> ids_;
  std::vector<int32_t> index_;  // [vocab] position in ids_ or -1
  std::unique_ptr<uint8_t[]> data_;
  std::vector<float> scales_;
  Tensor rows_;
};

}  // namespace sprout::m2m100
