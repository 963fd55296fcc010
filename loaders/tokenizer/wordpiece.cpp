// WordPiece (BERT) from vocab.txt + tokenizer_config.json, as HF's BertTokenizer(Fast):
//   clean text (drop NUL, U+FFFD and control characters; whitespace -> ' ')
//   -> spaces around CJK ideographs -> lower-case (do_lower_case) and strip accents
//   (NFD, drop Mn; strip_accents null follows do_lower_case) -> split on whitespace and
//   on every punctuation character -> greedy longest-match-first pieces with "##"
//   continuations; a word longer than 100 characters, or one that cannot be covered, is [UNK].
// Special tokens written in the text ([CLS], [MASK] ...) are matched first, as HF does.
#include <utf8proc.h>

#include <unordered_map>

#include "engine/error.h"
#include "loaders/tokenizer/added_tokens.h"
#include "loaders/tokenizer/loaders.h"
#include "loaders/tokenizer/normalize.h"
#include "loaders/tokenizer/utf8.h"

namespace sprout::tok {

namespace {

constexpr size_t kMaxCharsPerWord = 100;

bool is_cjk(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
         (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}
int category(char32_t c) { return utf8proc_category(utf8proc_int32_t(c)); }
bool is_whitespace(char32_t c) {
  if (c == ' ' || c == '\t' || c == '\n' || c == '\r') return true;
  int k = category(c);
  return k == UTF8PROC_CATEGORY_ZS || k == UTF8PROC_CATEGORY_ZL || k == UTF8PROC_CATEGORY_ZP;
}
bool is_control(char32_t c) {
  if (c == '\t' || c == '\n' || c == '\r') return false;
  int k = category(c);
  return k == UTF8PROC_CATEGORY_CC || k == UTF8PROC_CATEGORY_CF || k == UTF8PROC_CATEGORY_CN ||
         k == UTF8PROC_CATEGORY_CO || k == UTF8PROC_CATEGORY_CS;
}
bool is_punct(char32_t c) {
  if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) return true;
  int k = category(c);
  return k >= UTF8PROC_CATEGORY_PC && k <= UTF8PROC_CATEGORY_PO;
}

class WordPieceTokenizer : public Tokenizer {
 public:
  WordPieceTokenizer(std::vector<std::string> vocab, const TokenizerConfig& cfg, const std::string& subject)
      : vocab_(std::move(vocab)) {
    kind = "wordpiece";
    for (size_t i = 0; i < vocab_.size(); ++i) index_.emplace(vocab_[i], int32_t(i));  // first wins
    lower_ = cfg.has_lower ? cfg.do_lower_case : true;  // BertTokenizer's default
    strip_accents_ = cfg.strip_accents < 0 ? lower_ : cfg.strip_accents == 1;
    chinese_ = cfg.tokenize_chinese_chars;
    chat_template = cfg.chat_template;
    model_max_length = cfg.model_max_length;
    auto special = [&](std::string s, const char* dflt) -> int32_t {
      if (s.empty()) s = dflt;
      auto it = index_.find(s);
      if (it == index_.end()) return -1;
      added_.add({s, it->second, true});
      return it->second;
    };
    unk_id = special(cfg.unk, "[UNK]");
    cls_ = special(token_string(cfg.raw, "cls_token"), "[CLS]");
    sep_ = special(token_string(cfg.raw, "sep_token"), "[SEP]");
    pad_id = special(cfg.pad, "[PAD]");
    special(token_string(cfg.raw, "mask_token"), "[MASK]");
    if (unk_id < 0) fail(subject, "vocabulary has no unknown token ([UNK])");
    bos_id = cls_;
    eos_id = sep_;
  }

  std::vector<int32_t> encode(std::string_view raw, bool add_special) const override {
    std::string text = utf8_sanitize(raw);
    std::vector<int32_t> out;
    if (add_special && cls_ >= 0) out.push_back(cls_);
    for (const auto& piece : added_.split(text)) {
      if (piece.id >= 0) out.push_back(piece.id);
      else encode_text(piece.text, out);
    }
    if (add_special && sep_ >= 0) out.push_back(sep_);
    return out;
  }

  std::string decode(const std::vector<int32_t>& ids, bool skip_special) const override {
    std::string s;
    for (int32_t id : ids) {
      if (id < 0 || id >= vocab_size() || (skip_special && is_special(id))) continue;
      const std::string& t = vocab_[size_t(id)];
      if (t.rfind("##", 0) == 0 && !s.empty()) s += t.substr(2);
      else { if (!s.empty()) s += ' '; s += t; }
    }
    // HF clean_up_tokenization_spaces.
    static const std::pair<const char*, const char*> kFix[] = {
        {" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"}, {" n't", "n't"},
        {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
    for (auto [from, to] : kFix)
      for (size_t p; (p = s.find(from)) != std::string::npos;) s.replace(p, std::strlen(from), to);
    return s;
  }

  std::string piece_bytes(int32_t id) const override {
    if (id < 0 || id >= vocab_size()) return "";
    const std::string& t = vocab_[size_t(id)];
    return t.rfind("##", 0) == 0 ? t.substr(2) : t;
  }
  std::optional<int32_t> token_id(std::string_view token) const override {
    auto it = index_.find(token);
    if (it == index_.end()) return std::nullopt;
    return it->second;
  }
  int32_t vocab_size() const override { return int32_t(vocab_.size()); }
  bool is_special(int32_t id) const override { return added_.by_id(id) != nullptr; }

 protected:
  std::pair<int, int> special_added() const override { return {cls_ >= 0 ? 1 : 0, sep_ >= 0 ? 1 : 0}; }

 private:
  std::vector<std::string> vocab_;
  StringMap<int32_t> index_;
  AddedTokens added_;
  bool lower_ = true, strip_accents_ = true, chinese_ = true;
  int32_t cls_ = -1, sep_ = -1;

  void encode_text(std::string_view text, std::vector<int32_t>& out) const {
    // Basic tokenizer: build words as code point strings.
    std::u32string cleaned;
    for (char32_t c : utf8_decode(text)) {
      if (c == 0 || c == 0xFFFD || is_control(c)) continue;
      if (is_whitespace(c)) cleaned += U' ';
      else if (chinese_ && is_cjk(c)) { cleaned += U' '; cleaned += c; cleaned += U' '; }
      else cleaned += c;
    }
    if (lower_ || strip_accents_) {
      std::u32string t;
      for (char32_t c : cleaned) {
        if (!lower_) t += c;
        else if (c == 0x130) t += U"i\u0307";  // full lower-case mapping of U+0130, as Python/Rust
        else t += char32_t(utf8proc_tolower(utf8proc_int32_t(c)));
      }
      if (strip_accents_) {
        t = utf8_decode(nfd(utf8_encode(t)));
        std::u32string k;
        for (char32_t c : t)
          if (category(c) != UTF8PROC_CATEGORY_MN) k += c;
        t = std::move(k);
      }
      cleaned = std::move(t);
    }
    std::u32string word;
    auto flush = [&] {
      if (!word.empty()) wordpiece(word, out);
      word.clear();
    };
    for (char32_t c : cleaned) {
      if (is_whitespace(c)) flush();
      else if (is_punct(c)) { flush(); word = c; flush(); }
      else word += c;
    }
    flush();
  }

  void wordpiece(const std::u32string& word, std::vector<int32_t>& out) const {
    if (word.size() > kMaxCharsPerWord) { out.push_back(unk_id); return; }
    size_t mark = out.size(), start = 0;
    std::string cand;
    while (start < word.size()) {
      int32_t found = -1;
      size_t end = word.size();
      for (; end > start; --end) {
        cand = start > 0 ? "##" : "";
        cand += utf8_encode(word.substr(start, end - start));
        auto it = index_.find(cand);
        if (it != index_.end()) { found = it->second; break; }
      }
      if (found < 0) {  // the whole word becomes [UNK]
        out.resize(mark);
        out.push_back(unk_id);
        return;
      }
      out.push_back(found);
      start = end;
    }
  }
};

}  // namespace

std::unique_ptr<Tokenizer> load_wordpiece(const std::string& dir, const TokenizerConfig& cfg) {
  std::string path = dir + "/vocab.txt";
  std::string text = read_file(path, 64ull << 20);
  std::vector<std::string> vocab;
  for (size_t p = 0; p < text.size();) {
    size_t e = text.find('\n', p);
    if (e == std::string::npos) e = text.size();
    std::string line = text.substr(p, e - p);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    vocab.push_back(utf8_sanitize(line));
    p = e + 1;
  }
  return load_wordpiece_vocab(std::move(vocab), cfg, path);
}

std::unique_ptr<Tokenizer> load_wordpiece_vocab(std::vector<std::string> vocab, const TokenizerConfig& cfg,
                                                const std::string& subject) {
  if (vocab.empty()) fail(subject, "empty vocabulary");
  if (vocab.size() > (1u << 22)) fail(subject, "too many tokens");
  return std::make_unique<WordPieceTokenizer>(std::move(vocab), cfg, subject);
}

}  // namespace sprout::tok
