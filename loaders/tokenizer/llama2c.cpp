// llama2.c tokenizer .bin (karpathy/llama2.c export.py / tokenizer.py):
//   int32 max_token_length, then per token: float32 score, int32 length, bytes.
// The file does not store the vocabulary size; the tokens run to the end of the file.
// Encoding reproduces run.c's encode(): BOS=1, a dummy-prefix " " token, one token per
// UTF-8 character (byte fallback <0xXX> = byte + 3), then repeatedly merge the adjacent pair
// whose concatenation is a token with the highest score (the leftmost among equals).
// run.c rescans every pair after each merge (quadratic); a heap gives the same result.
#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "engine/error.h"
#include "loaders/tokenizer/loaders.h"
#include "loaders/tokenizer/utf8.h"

namespace sprout::tok {

namespace {

class Llama2cTokenizer : public Tokenizer {
 public:
  Llama2cTokenizer(std::vector<std::string> pieces, std::vector<float> scores)
      : pieces_(std::move(pieces)), scores_(std::move(scores)) {
    kind = "llama2c";
    for (size_t i = 0; i < pieces_.size(); ++i) index_.emplace(pieces_[i], int32_t(i));  // first wins, as bsearch ~
    bos_id = 1;
    eos_id = 2;
    unk_id = 0;
    auto sp = index_.find(" ");
    space_id_ = sp == index_.end() ? -1 : sp->second;
  }

  std::vector<int32_t> encode(std::string_view raw, bool add_special) const override {
    std::string text = utf8_sanitize(raw);
    if (auto nul = text.find('\0'); nul != std::string::npos) text.resize(nul);  // run.c reads a C string
    std::vector<int32_t> t;
    if (add_special) t.push_back(bos_id);
    if (!text.empty() && space_id_ >= 0) t.push_back(space_id_);
    auto* p = reinterpret_cast<const unsigned char*>(text.data());
    size_t len;
    char32_t cp;
    for (size_t i = 0; i < text.size(); i += len) {
      utf8_scan(p, text.size(), i, &len, &cp);  // well-formed after sanitizing
      int32_t id = find(text.substr(i, len));
      if (id >= 0) t.push_back(id);
      else for (size_t k = 0; k < len; ++k) t.push_back(int32_t(p[i + k]) + 3);
    }
    merge(t);
    return t;
  }

  std::string decode(const std::vector<int32_t>& ids, bool skip_special) const override {
    std::string out;
    int32_t prev = -1;
    for (int32_t id : ids) {
      std::string piece = piece_bytes(id);
      if (prev == bos_id && !piece.empty() && piece[0] == ' ') piece = piece.substr(1);  // as run.c's decode
      prev = id;
      if (skip_special && is_special(id)) continue;
      out += piece;
    }
    return utf8_sanitize(out);
  }

  std::string piece_bytes(int32_t id) const override {
    if (id < 0 || id >= vocab_size()) return "";
    const std::string& s = pieces_[size_t(id)];
    unsigned v;
    char tail;
    if (s.size() == 6 && std::sscanf(s.c_str(), "<0x%02X>%c", &v, &tail) == 1) return std::string(1, char(v));
    return s;
  }

  std::optional<int32_t> token_id(std::string_view token) const override {
    if (token == "<unk>") return 0;
    if (token == "<s>") return 1;
    if (token == "</s>") return 2;
    int32_t id = find(token);
    if (id < 0) return std::nullopt;
    return id;
  }
  int32_t vocab_size() const override { return int32_t(pieces_.size()); }
  bool is_special(int32_t id) const override { return id >= 0 && id <= 2; }

 protected:
  std::pair<int, int> special_added() const override { return {1, 0}; }

 private:
  std::vector<std::string> pieces_;
  std::vector<float> scores_;
  StringMap<int32_t> index_;
  int32_t space_id_ = -1;

  int32_t find(std::string_view s) const {
    auto it = index_.find(s);
    return it == index_.end() ? -1 : it->second;
  }

  void merge(std::vector<int32_t>& t) const {
    if (t.size() < 2) return;
    int32_t n = int32_t(t.size());
    std::vector<int32_t> next(static_cast<size_t>(n)), prev(static_cast<size_t>(n));
    for (int32_t i = 0; i < n; ++i) { next[i] = i + 1 < n ? i + 1 : -1; prev[i] = i - 1; }
    struct Cand { float score; int32_t pos, left, right, id; };
    auto worse = [](const Cand& a, const Cand& b) { return a.score != b.score ? a.score < b.score : a.pos > b.pos; };
    std::vector<Cand> heap;
    std::string buf;
    auto push = [&](int32_t i) {
      if (i < 0) return;
      int32_t j = next[i];
      if (j < 0) return;
      // run.c joins the C strings, so a piece ends at its first NUL.
      buf.assign(pieces_[t[i]].c_str());
      buf.append(pieces_[t[j]].c_str());
      int32_t id = find(buf);
      if (id < 0 || !(scores_[id] > -1e10f)) return;
      heap.push_back({scores_[id], i, t[i], t[j], id});
      std::push_heap(heap.begin(), heap.end(), worse);
    };
    for (int32_t i = 0; i + 1 < n; ++i) push(i);
    while (!heap.empty()) {
      std::pop_heap(heap.begin(), heap.end(), worse);
      Cand c = heap.back();
      heap.pop_back();
      int32_t j = next[c.pos];
      if (t[c.pos] != c.left || j < 0 || t[j] != c.right) continue;  // stale
      t[c.pos] = c.id;
      t[j] = -1;
      next[c.pos] = next[j];
      if (next[j] >= 0) prev[next[j]] = c.pos;
      push(prev[c.pos]);
      push(c.pos);
    }
    std::vector<int32_t> out;
    for (int32_t i = 0; i >= 0; i = next[i]) out.push_back(t[i]);
    t.swap(out);
  }
};

}  // namespace

std::unique_ptr<Tokenizer> load_llama2c_bytes(const std::string& d, const std::string& subject) {
  auto rd = [&](size_t off, void* dst, size_t n) {
    if (off + n > d.size()) fail(subject, "truncated llama2.c tokenizer at byte " + std::to_string(off));
    std::memcpy(dst, d.data() + off, n);
  };
  int32_t max_len;
  rd(0, &max_len, 4);
  if (max_len <= 0 || max_len > 4096) fail(subject, "bad max_token_length " + std::to_string(max_len));
  std::vector<std::string> pieces;
  std::vector<float> scores;
  size_t off = 4;
  while (off < d.size()) {
    float score;
    int32_t len;
    rd(off, &score, 4);
    rd(off + 4, &len, 4);
    if (len < 0 || len > max_len)
      fail(subject, "token " + std::to_string(pieces.size()) + ": length " + std::to_string(len) +
                        " outside 0.." + std::to_string(max_len));
    std::string s(size_t(len), '\0');
    rd(off + 8, s.data(), size_t(len));
    off += 8 + size_t(len);
    pieces.push_back(std::move(s));
    scores.push_back(score);
  }
  if (pieces.size() < 259) fail(subject, "only " + std::to_string(pieces.size()) + " tokens; need <unk> <s> </s> and 256 byte tokens");
  return std::make_unique<Llama2cTokenizer>(std::move(pieces), std::move(scores));
}

std::unique_ptr<Tokenizer> load_llama2c(const std::string& path) {
  return load_llama2c_bytes(read_file(path, 64ull << 20), path);
}

}  // namespace sprout::tok
