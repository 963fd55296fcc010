// UTF-8 scanning shared by the tokenizers: validation with U+FFFD replacement of
// "maximal subparts" (Unicode ch. 3, the rule Python's bytes.decode(errors="replace")
// follows), code point iteration, and encoding.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sprout::tok {

enum class Utf8Scan { ok, invalid, incomplete };

// Looks at the sequence starting at s[i] (i < n). ok: *len bytes form a valid character,
// *cp is its code point. invalid: *len (>= 1) bytes are one maximal ill-formed subpart.
// incomplete: the s[i..n) bytes are a valid prefix cut off by the end of the buffer.
inline Utf8Scan utf8_scan(const unsigned char* s, size_t n, size_t i, size_t* len, char32_t* cp) {
  unsigned char b = s[i];
  if (b < 0x80) { *len = 1; *cp = b; return Utf8Scan::ok; }
  int need;
  char32_t c;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b >= 0xC2 && b <= 0xDF) { need = 1; c = b & 0x1F; }
  else if (b >= 0xE0 && b <= 0xEF) { need = 2; c = b & 0x0F; if (b == 0xE0) lo = 0xA0; if (b == 0xED) hi = 0x9F; }
  else if (b >= 0xF0 && b <= 0xF4) { need = 3; c = b & 0x07; if (b == 0xF0) lo = 0x90; if (b == 0xF4) hi = 0x8F; }
  else { *len = 1; return Utf8Scan::invalid; }
  size_t k = 1;
  for (; k <= size_t(need); ++k) {
    if (i + k >= n) { *len = k; return Utf8Scan::incomplete; }
    unsigned char t = s[i + k];
    unsigned char l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
    if (t < l || t > h) { *len = k; return Utf8Scan::invalid; }
    c = (c << 6) | (t & 0x3F);
  }
  *len = k;
  *cp = c;
  return Utf8Scan::ok;
}

inline void utf8_append(std::string& out, char32_t c) {
  if (c < 0x80) out += char(c);
  else if (c < 0x800) { out += char(0xC0 | (c >> 6)); out += char(0x80 | (c & 0x3F)); }
  else if (c < 0x10000) {
    out += char(0xE0 | (c >> 12)); out += char(0x80 | ((c >> 6) & 0x3F)); out += char(0x80 | (c & 0x3F));
  } else {
    out += char(0xF0 | (c >> 18)); out += char(0x80 | ((c >> 12) & 0x3F));
    out += char(0x80 | ((c >> 6) & 0x3F)); out += char(0x80 | (c & 0x3F));
  }
}

inline constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// True when s is entirely well-formed UTF-8.
bool utf8_valid(std::string_view s);
// s with every ill-formed subpart (and a truncated tail) replaced by U+FFFD.
std::string utf8_sanitize(std::string_view s);

// Decodes well-formed UTF-8 (call utf8_sanitize first) into code points.
std::u32string utf8_decode(std::string_view s);
std::string utf8_encode(std::u32string_view s);

}  // namespace sprout::tok
