#include "loaders/tokenizer/bpe.h"

#include <algorithm>
#include <queue>

#include "engine/error.h"
#include "loaders/tokenizer/normalize.h"
#include "loaders/tokenizer/utf8.h"

namespace sprout::tok {

// ---- GPT-2 byte alphabet ----------------------------------------------------------------
// Printable Latin-1 bytes stand for themselves; the other 68 bytes map to U+0100.. in order.
namespace {
struct ByteAlphabet {
  char32_t to_cp[256];
  int16_t from_cp[512];
  ByteAlphabet() {
    std::fill(std::begin(from_cp), std::end(from_cp), int16_t(-1));
    int n = 0;
    for (int b = 0; b < 256; ++b) {
      bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
      to_cp[b] = printable ? char32_t(b) : char32_t(256 + n++);
      from_cp[to_cp[b]] = int16_t(b);
    }
  }
};
const ByteAlphabet& alphabet() {
  static const ByteAlphabet a;
  return a;
}
}  // namespace

std::string byte_level_encode(std::string_view bytes) {
  std::string out;
  for (unsigned char b : bytes) utf8_append(out, alphabet().to_cp[b]);
  return out;
}

bool byte_level_decode(std::string_view printable, std::string* bytes) {
  bytes->clear();
  auto* p = reinterpret_cast<const unsigned char*>(printable.data());
  size_t len;
  char32_t cp;
  for (size_t i = 0; i < printable.size(); i += len) {
    if (utf8_scan(p, printable.size(), i, &len, &cp) != Utf8Scan::ok || cp >= 512) return false;
    int b = alphabet().from_cp[cp];
    if (b < 0) return false;
    *bytes += char(b);
  }
  return true;
}

// ---- BpeModel -------------------------------------------------------------------------------
void BpeModel::set_vocab(std::vector<std::string> id_to_bytes) {
  id_to_bytes_ = std::move(id_to_bytes);
  bytes_to_id_.clear();
  bytes_to_id_.reserve(id_to_bytes_.size());
  for (size_t i = 0; i < id_to_bytes_.size(); ++i)
    if (!id_to_bytes_[i].empty()) bytes_to_id_.emplace(id_to_bytes_[i], int32_t(i));
  for (int b = 0; b < 256; ++b) byte_id_[b] = find(std::string(1, char(b)));
}

int32_t BpeModel::find(std::string_view bytes) const {
  auto it = bytes_to_id_.find(bytes);
  return it == bytes_to_id_.end() ? -1 : it->second;
}

bool BpeModel::add_merge(const std::string& left, const std::string& right) {
  int32_t a = find(left), b = find(right), m = find(left + right);
  if (a < 0 || b < 0 || m < 0) return false;
  merges_.emplace(key(a, b), Merge{int32_t(merges_.size()), m});  // first occurrence keeps its rank
  return true;
}

void BpeModel::encode_word(std::string_view word, std::vector<int32_t>& out) const {
  if (word.empty()) return;
  if (ignore_merges || word.size() == 1) {
    int32_t id = word.size() == 1 ? byte_id_[static_cast<unsigned char>(word[0])] : find(word);
    if (id >= 0) { out.push_back(id); return; }
  }
  // Symbols as a doubly linked list over an array; a min-heap of candidate merges ordered
  // by (rank, position) - the lowest rank first, the leftmost among equals, as HF does.
  struct Sym { int32_t id, prev, next; };
  thread_local std::vector<Sym> sym;
  sym.clear();
  for (unsigned char b : word) {
    int32_t id = byte_id_[b];
    if (id < 0) continue;
    int32_t i = int32_t(sym.size());
    sym.push_back({id, i - 1, i + 1});
  }
  if (sym.empty()) return;
  sym.back().next = -1;
  struct Cand { int32_t rank, pos, left_id, right_id; };
  auto worse = [](const Cand& x, const Cand& y) { return x.rank != y.rank ? x.rank > y.rank : x.pos > y.pos; };
  thread_local std::vector<Cand> heap;
  heap.clear();
  auto push = [&](int32_t pos) {
    int32_t nx = sym[pos].next;
    if (nx < 0) return;
    auto it = merges_.find(key(sym[pos].id, sym[nx].id));
    if (it == merges_.end()) return;
    heap.push_back({it->second.rank, pos, sym[pos].id, sym[nx].id});
    std::push_heap(heap.begin(), heap.end(), worse);
  };
  for (int32_t i = 0; i + 1 < int32_t(sym.size()); ++i) push(i);
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), worse);
    Cand c = heap.back();
    heap.pop_back();
    Sym& s = sym[c.pos];
    // Stale entry: this symbol was merged away or its neighbour changed since the push.
    if (s.id != c.left_id || s.next < 0 || sym[s.next].id != c.right_id) continue;
    int32_t nx = s.next;
    s.id = merges_.find(key(c.left_id, c.right_id))->second.id;
    s.next = sym[nx].next;
    if (s.next >= 0) sym[s.next].prev = c.pos;
    sym[nx].id = -1;  // removed
    if (s.prev >= 0) push(s.prev);
    push(c.pos);
  }
  for (int32_t i = 0; i >= 0; i = sym[i].next) out.push_back(sym[i].id);
}

// ---- ByteLevelBpeTokenizer ----------------------------------------------------------------
ByteLevelBpeTokenizer::ByteLevelBpeTokenizer(BpeModel model, AddedTokens added, BpeOptions opt,
                                             const std::string& subject)
    : model_(std::move(model)), added_(std::move(added)), opt_(std::move(opt)) {
  kind = "bpe";
  for (const auto& p : opt_.split_patterns) regexes_.push_back(std::make_unique<SplitRegex>(p, subject));
  vocab_size_ = model_.size();
  for (const auto& t : added_.all()) vocab_size_ = std::max(vocab_size_, t.id + 1);
  for (const auto* ids : {&opt_.prefix, &opt_.suffix})
    for (int32_t id : *ids)
      if (id < 0 || id >= vocab_size_) fail(subject, "post_processor: token id " + std::to_string(id) + " out of range");
}

void ByteLevelBpeTokenizer::encode_text(std::string_view text, std::vector<int32_t>& out) const {
  std::string norm;
  if (opt_.nfc) { norm = nfc(text); text = norm; }
  std::string prefixed;
  if (opt_.add_prefix_space && !text.empty() && text[0] != ' ') { prefixed = " " + std::string(text); text = prefixed; }
  thread_local std::vector<std::string_view> a, b;
  a.clear();
  a.push_back(text);
  for (const auto& re : regexes_) {
    b.clear();
    for (auto piece : a) re->split(piece, b);
    std::swap(a, b);
  }
  // Copy out: a nested call (none today) must not see our thread_local buffers change.
  std::vector<std::string_view> words(a.begin(), a.end());
  for (auto w : words) model_.encode_word(w, out);
}

std::vector<int32_t> ByteLevelBpeTokenizer::encode(std::string_view text, bool add_special) const {
  std::string clean = utf8_sanitize(text);
  std::vector<int32_t> out;
  out.reserve(clean.size() / 3 + 4);
  if (add_special) out.insert(out.end(), opt_.prefix.begin(), opt_.prefix.end());
  for (const auto& piece : added_.split(clean)) {
    if (piece.id >= 0) out.push_back(piece.id);
    else encode_text(piece.text, out);
  }
  if (add_special) out.insert(out.end(), opt_.suffix.begin(), opt_.suffix.end());
  return out;
}

std::string ByteLevelBpeTokenizer::piece_bytes(int32_t id) const {
  if (const AddedToken* t = added_.by_id(id)) return t->content;
  if (id >= 0 && id < model_.size()) return model_.bytes(id);
  return "";
}

bool ByteLevelBpeTokenizer::is_special(int32_t id) const {
  const AddedToken* t = added_.by_id(id);
  return t && t->special;
}

std::string ByteLevelBpeTokenizer::decode(const std::vector<int32_t>& ids, bool skip_special) const {
  std::string bytes;
  for (int32_t id : ids) {
    if (skip_special && is_special(id)) continue;
    bytes += piece_bytes(id);
  }
  return utf8_sanitize(bytes);  // HF decodes the byte string lossily
}

std::optional<int32_t> ByteLevelBpeTokenizer::token_id(std::string_view token) const {
  if (const AddedToken* t = added_.by_content(token)) return t->id;
  std::string bytes;
  if (!byte_level_decode(token, &bytes)) return std::nullopt;
  int32_t id = model_.find(bytes);
  if (id < 0) return std::nullopt;
  return id;
}

}  // namespace sprout::tok
