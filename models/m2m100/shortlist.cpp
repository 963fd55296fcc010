#include "models/m2m100/shortlist.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <fstream>

#include "engine/error.h"
#include "models/m2m100/model.h"

namespace sprout::m2m100 {

namespace {
constexpr uint64_t kMaxFileBytes = uint64_t(64) << 20;  // ~5M ids: far above any vocabulary
}

std::vector<int32_t> parse_shortlist(const std::string& text, const std::string& subject, int vocab) {
  std::vector<int32_t> ids;
  std::vector<int> seen_on(size_t(std::max(vocab, 0)), 0);  // line of first occurrence, 0 = unseen
  size_t pos = 0;
  int lineno = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    ++lineno;
    const char* b = text.data() + pos;
    const char* e = text.data() + end;
    pos = end + 1;
    while (b < e && (*b == ' ' || *b == '\t')) ++b;
    while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r')) --e;
    if (b == e || *b == '#') continue;
    const std::string where = "line " + std::to_string(lineno);
    long long v = 0;
    auto [q, ec] = std::from_chars(b, e, v);
    if (ec == std::errc::result_out_of_range || (ec == std::errc() && q == e && (v < 0 || v >= vocab)))
      fail(subject, where + ": token id " + std::string(b, size_t(std::min<ptrdiff_t>(e - b, 24))) +
                        " is outside the vocabulary (size " + std::to_string(vocab) + ")");
    if (ec != std::errc() || q != e) fail(subject, where + ": expected one token id per line");
    int& first = seen_on[size_t(v)];
    if (first) fail(subject, where + ": duplicate token id " + std::to_string(v) + " (first on line " + std::to_string(first) + ")");
    first = lineno;
    ids.push_back(int32_t(v));
  }
  if (ids.empty()) fail(subject, "no token ids (an empty shortlist)");
  return ids;
}

std::vector<int32_t> read_shortlist(const std::string& path, int vocab) {
  std::ifstream f(path, std::ios::binary);
  if (!f) fail(path, "cannot open shortlist file");
  f.seekg(0, std::ios::end);
  const std::streamoff n = f.tellg();
  if (n < 0) fail(path, "cannot read shortlist file");
  if (uint64_t(n) > kMaxFileBytes) fail(path, "shortlist file larger than 64 MiB");
  std::string text(size_t(n), '\0');
  f.seekg(0);
  f.read(text.data(), n);
  if (!f) fail(path, "cannot read shortlist file");
  return parse_shortlist(text, path, vocab);
}

Shortlist::Shortlist(const Model& m, std::vector<int32_t> ids, const std::vector<int32_t>& required) {
  const int V = m.config().vocab_size;
  for (int32_t t : required) ids.push_back(t);
  for (int32_t t : ids)
    if (t < 0 || t >= V) fail("shortlist", "token id " + std::to_string(t) + " is outside the vocabulary");
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  ids_ = std::move(ids);
  index_.assign(size_t(V), -1);
  for (size_t i = 0; i < ids_.size(); ++i) index_[size_t(ids_[i])] = int32_t(i);

  // Copy the rows (whole blocks: a row is a whole number of blocks in every dtype).
  const Tensor& w = m.weights().shared;  // {V, D}
  const int64_t K = int64_t(ids_.size()), D = w.dim(1);
  const uint64_t rb = w.nbytes() / uint64_t(w.dim(0));
  data_ = std::make_unique<uint8_t[]>(size_t(rb * uint64_t(K)));
  for (int64_t i = 0; i < K; ++i) std::memcpy(data_.get() + uint64_t(i) * rb, w.row_ptr(ids_[size_t(i)]), rb);
  rows_ = make_tensor(w.dtype, {K, D}, data_.get());
  if (w.row_scale) {
    scales_.resize(size_t(K));
    for (int64_t i = 0; i < K; ++i) scales_[size_t(i)] = w.row_scale[ids_[size_t(i)]];
    rows_.row_scale = scales_.data();
  }
}

int Shortlist::index_of(int32_t token) const {
  return token >= 0 && size_t(token) < index_.size() ? index_[size_t(token)] : -1;
}

}  // namespace sprout::m2m100
