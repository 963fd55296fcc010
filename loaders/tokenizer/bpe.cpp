#include "loaders/tokenizer/bpe.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <functional>

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
  // Every code point of the alphabet is below U+0200, so it is one or two UTF-8 bytes;
  // anything longer or malformed is outside it. Runs once per token and merge at load.
  const ByteAlphabet& a = alphabet();
  bytes->clear();
  const auto* p = reinterpret_cast<const unsigned char*>(printable.data());
  const size_t n = printable.size();
  for (size_t i = 0; i < n;) {
    unsigned cp = p[i];
    if (cp >= 0x80) {
      if ((cp & 0xE0) != 0xC0 || i + 1 >= n || (p[i + 1] & 0xC0) != 0x80) return false;
      cp = ((cp & 0x1F) << 6) | (p[i + 1] & 0x3F);
      if (cp < 0x80 || cp >= 512) return false;  // overlong, or beyond the alphabet
      i += 2;
    } else {
      i += 1;
    }
    int b = a.from_cp[cp];
    if (b < 0) return false;
    bytes->push_back(char(b));
  }
  return true;
}

// ---- BpeModel -------------------------------------------------------------------------------
namespace {
size_t table_size(size_t entries) {  // power of two, load factor <= 2/3
  size_t n = 16;
  while (n < entries + entries / 2) n *= 2;
  return n;
}
uint64_t hash_bytes(std::string_view s) { return std::hash<std::string_view>{}(s); }
size_t hash_pair(uint64_t key) { return size_t((key * 0x9E3779B97F4A7C15ull) >> 32); }
}  // namespace

void BpeModel::reserve_vocab(size_t tokens, size_t bytes) {
  offsets_.reserve(tokens + 1);
  blob_.reserve(bytes);
}

bool BpeModel::add_token(std::string_view bytes) {
  if (bytes.size() > UINT32_MAX - blob_.size()) return false;
  blob_.append(bytes);
  offsets_.push_back(uint32_t(blob_.size()));
  return true;
}

bool BpeModel::set_vocab(const std::vector<std::string>& id_to_bytes) {
  blob_.clear();
  offsets_.assign(1, 0);
  size_t total = 0;
  for (const auto& t : id_to_bytes) total += t.size();
  reserve_vocab(id_to_bytes.size(), total);
  for (const auto& t : id_to_bytes)
    if (!add_token(t)) return false;
  index_vocab();
  return true;
}

void BpeModel::index_vocab() {
  vocab_index_.assign(table_size(size_t(size())), VocabSlot{0, -1});
  const size_t mask = vocab_index_.size() - 1;
  for (int32_t id = 0; id < size(); ++id) {
    std::string_view t = bytes(id);
    if (t.empty()) continue;
    uint64_t h = hash_bytes(t);
    for (size_t i = size_t(h) & mask;; i = (i + 1) & mask) {
      VocabSlot& s = vocab_index_[i];
      if (s.id < 0) { s = {uint32_t(h >> 32), id}; break; }
      if (s.tag == uint32_t(h >> 32) && bytes(s.id) == t) break;  // duplicate: the first id stays
    }
  }
  for (int b = 0; b < 256; ++b) {
    char c = char(b);
    byte_id_[b] = find(std::string_view(&c, 1));
  }
}

int32_t BpeModel::find(std::string_view t) const {
  if (t.empty() || vocab_index_.empty()) return -1;
  const size_t mask = vocab_index_.size() - 1;
  uint64_t h = hash_bytes(t);
  for (size_t i = size_t(h) & mask;; i = (i + 1) & mask) {
    const VocabSlot& s = vocab_index_[i];
    if (s.id < 0) return -1;
    if (s.tag == uint32_t(h >> 32) && bytes(s.id) == t) return s.id;
  }
}

void BpeModel::reserve_merges(size_t n) {
  // A hint from the file: capped by the vocabulary size (real files have about one merge per
  // token), so a hostile count cannot force a huge table; add_merge still grows it if needed.
  n = std::min(n, size_t(size()));
  if (table_size(n) > merges_.size()) grow_merges(table_size(n));
}

void BpeModel::grow_merges(size_t capacity) {
  std::vector<MergeSlot> old = std::move(merges_);
  merges_.assign(capacity, MergeSlot{kEmpty, 0, 0});
  const size_t mask = merges_.size() - 1;
  for (const MergeSlot& m : old) {
    if (m.key == kEmpty) continue;
    size_t i = hash_pair(m.key) & mask;
    while (merges_[i].key != kEmpty) i = (i + 1) & mask;
    merges_[i] = m;
  }
}

const BpeModel::MergeSlot* BpeModel::find_merge(int32_t a, int32_t b) const {
  if (merges_.empty()) return nullptr;
  const uint64_t k = key(a, b);
  const size_t mask = merges_.size() - 1;
  for (size_t i = hash_pair(k) & mask;; i = (i + 1) & mask) {
    const MergeSlot& s = merges_[i];
    if (s.key == k) return &s;
    if (s.key == kEmpty) return nullptr;
  }
}

bool BpeModel::add_merge(std::string_view left, std::string_view right) {
  int32_t a = find(left), b = find(right);
  if (a < 0 || b < 0) return false;
  // The merged token, looked up without a heap string for the usual short tokens.
  int32_t m;
  char buf[256];
  if (left.size() + right.size() <= sizeof buf) {
    std::memcpy(buf, left.data(), left.size());
    std::memcpy(buf + left.size(), right.data(), right.size());
    m = find(std::string_view(buf, left.size() + right.size()));
  } else {
    m = find(std::string(left).append(right));
  }
  if (m < 0) return false;
  if (size_t(n_merges_ + 1) * 3 > merges_.size() * 2) grow_merges(table_size(size_t(n_merges_) + 1) * 2);
  const uint64_t k = key(a, b);
  const size_t mask = merges_.size() - 1;
  size_t i = hash_pair(k) & mask;
  for (; merges_[i].key != kEmpty; i = (i + 1) & mask)
    if (merges_[i].key == k) return true;  // first occurrence keeps its rank
  merges_[i] = {k, n_merges_++, m};
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
  struct Cand { int32_t rank, pos, left_id, right_id, merged_id; };
  auto worse = [](const Cand& x, const Cand& y) { return x.rank != y.rank ? x.rank > y.rank : x.pos > y.pos; };
  thread_local std::vector<Cand> heap;
  heap.clear();
  auto push = [&](int32_t pos) {
    int32_t nx = sym[pos].next;
    if (nx < 0) return;
    const MergeSlot* m = find_merge(sym[pos].id, sym[nx].id);
    if (!m) return;
    heap.push_back({m->rank, pos, sym[pos].id, sym[nx].id, m->id});
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
    s.id = c.merged_id;
    s.next = sym[nx].next;
    if (s.next >= 0) sym[s.next].prev = c.pos;
    sym[nx].id = -1;  // removed
    if (s.prev >= 0) push(s.prev);
    push(c.pos);
  }
  for (int32_t i = 0; i >= 0; i = sym[i].next) out.push_back(sym[i].id);
}

// ---- ByteLevelBpeTokenizer ----------------------------------------------------------------
namespace {
// Per-thread cache of encoded words. Most words of a text repeat (" the", ",", " and"), and a
// hit costs one hash and one compare instead of the merge loop. Direct-mapped (a colliding word
// simply replaces the entry); entries carry the serial number of the tokenizer that made them,
// and serials are never reused, so tokenizers cannot see each other's words.
struct WordCache {
  static constexpr size_t kSlots = 4096, kMaxWord = 22, kMaxIds = 6;
  struct Slot {
    uint64_t serial = 0;
    uint8_t len = 0, n = 0;
    char word[kMaxWord];
    int32_t ids[kMaxIds];
  };
  Slot slots[kSlots];
  Slot& slot(std::string_view w) { return slots[std::hash<std::string_view>{}(w) & (kSlots - 1)]; }
};

std::atomic<uint64_t> next_serial{1};
}  // namespace

ByteLevelBpeTokenizer::ByteLevelBpeTokenizer(BpeModel model, AddedTokens added, BpeOptions opt,
                                             const std::string& subject)
    : model_(std::move(model)), added_(std::move(added)), opt_(std::move(opt)) {
  kind = "bpe";
  serial_ = next_serial.fetch_add(1);
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
  thread_local std::unique_ptr<WordCache> cache;
  if (!cache) cache = std::make_unique<WordCache>();
  for (auto w : words) {
    if (w.size() > WordCache::kMaxWord) { model_.encode_word(w, out); continue; }
    WordCache::Slot& s = cache->slot(w);
    if (s.serial == serial_ && s.len == w.size() && std::memcmp(s.word, w.data(), w.size()) == 0) {
      out.insert(out.end(), s.ids, s.ids + s.n);
      continue;
    }
    const size_t start = out.size();
    model_.encode_word(w, out);
    const size_t n = out.size() - start;
    if (n > WordCache::kMaxIds) continue;
    s.serial = serial_;
    s.len = uint8_t(w.size());
    s.n = uint8_t(n);
    std::memcpy(s.word, w.data(), w.size());
    std::copy(out.begin() + ptrdiff_t(start), out.end(), s.ids);
  }
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
  if (id >= 0 && id < model_.size()) return std::string(model_.bytes(id));
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
