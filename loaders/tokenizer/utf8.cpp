#include "loaders/tokenizer/utf8.h"

#include "loaders/tokenizer.h"

namespace sprout::tok {

bool utf8_valid(std::string_view s) {
  auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t len;
  char32_t cp;
  for (size_t i = 0; i < s.size(); i += len) {
    if (p[i] < 0x80) { len = 1; continue; }
    if (utf8_scan(p, s.size(), i, &len, &cp) != Utf8Scan::ok) return false;
  }
  return true;
}

std::string utf8_sanitize(std::string_view s) {
  if (utf8_valid(s)) return std::string(s);
  std::string out;
  out.reserve(s.size() + 8);
  auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t len;
  char32_t cp;
  for (size_t i = 0; i < s.size(); i += len) {
    if (utf8_scan(p, s.size(), i, &len, &cp) == Utf8Scan::ok) out.append(s.data() + i, len);
    else out += kReplacement;  // invalid subpart, or a sequence cut off by the end
  }
  return out;
}

std::u32string utf8_decode(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t len;
  char32_t cp;
  for (size_t i = 0; i < s.size(); i += len)
    out += utf8_scan(p, s.size(), i, &len, &cp) == Utf8Scan::ok ? cp : char32_t(0xFFFD);
  return out;
}

std::string utf8_encode(std::u32string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char32_t c : s) utf8_append(out, c);
  return out;
}

}  // namespace sprout::tok

namespace sprout {

std::string Utf8Stream::push(std::string_view bytes) {
  pending_.append(bytes);
  std::string out;
  auto* p = reinterpret_cast<const unsigned char*>(pending_.data());
  size_t n = pending_.size(), i = 0, len;
  char32_t cp;
  while (i < n) {
    auto r = tok::utf8_scan(p, n, i, &len, &cp);
    if (r == tok::Utf8Scan::incomplete) break;  // wait for the rest of the character
    if (r == tok::Utf8Scan::ok) out.append(pending_, i, len);
    else out += tok::kReplacement;
    i += len;
  }
  pending_.erase(0, i);
  return out;
}

std::string Utf8Stream::flush() {
  std::string out = pending_.empty() ? "" : std::string(tok::kReplacement);
  pending_.clear();
  return out;
}

}  // namespace sprout
