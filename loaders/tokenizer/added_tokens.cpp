#include "loaders/tokenizer/added_tokens.h"

#include <algorithm>
#include <cctype>

namespace sprout::tok {

namespace {
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }
bool is_word_byte(unsigned char c) { return c >= 0x80 || std::isalnum(c) || c == '_'; }
}  // namespace

void AddedTokens::add(const AddedToken& t) {
  if (t.content.empty()) return;
  auto it = by_content_.find(t.content);
  if (it != by_content_.end()) {
    by_id_.erase(tokens_[it->second].id);
    tokens_[it->second] = t;
    by_id_[t.id] = it->second;
    return;
  }
  size_t idx = tokens_.size();
  tokens_.push_back(t);
  by_content_[t.content] = idx;
  by_id_[t.id] = idx;
  auto& bucket = by_first_byte_[static_cast<unsigned char>(t.content[0])];
  bucket.push_back(idx);
  std::stable_sort(bucket.begin(), bucket.end(),
                   [&](size_t a, size_t b) { return tokens_[a].content.size() > tokens_[b].content.size(); });
}

const AddedToken* AddedTokens::by_content(std::string_view s) const {
  auto it = by_content_.find(s);
  return it == by_content_.end() ? nullptr : &tokens_[it->second];
}

const AddedToken* AddedTokens::by_id(int32_t id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &tokens_[it->second];
}

std::vector<AddedTokens::Piece> AddedTokens::split(std::string_view text) const {
  std::vector<Piece> out;
  if (tokens_.empty()) {
    if (!text.empty()) out.push_back({text, -1});
    return out;
  }
  size_t start = 0;  // start of the pending ordinary-text run
  size_t i = 0;
  while (i < text.size()) {
    const AddedToken* hit = nullptr;
    for (size_t idx : by_first_byte_[static_cast<unsigned char>(text[i])]) {
      const AddedToken& t = tokens_[idx];
      if (text.compare(i, t.content.size(), t.content) != 0) continue;
      if (t.single_word) {
        size_t end = i + t.content.size();
        if ((i > 0 && is_word_byte(text[i - 1])) || (end < text.size() && is_word_byte(text[end]))) continue;
      }
      hit = &t;
      break;  // buckets are longest first
    }
    if (!hit) { ++i; continue; }
    size_t text_end = i, next = i + hit->content.size();
    if (hit->lstrip)
      while (text_end > start && is_space(text[text_end - 1])) --text_end;
    if (hit->rstrip)
      while (next < text.size() && is_space(text[next])) ++next;
    if (text_end > start) out.push_back({text.substr(start, text_end - start), -1});
    out.push_back({text.substr(i, hit->content.size()), hit->id});
    start = i = next;
  }
  if (start < text.size()) out.push_back({text.substr(start), -1});
  return out;
}

}  // namespace sprout::tok
