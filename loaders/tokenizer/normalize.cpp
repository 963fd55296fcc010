#include "loaders/tokenizer/normalize.h"

#include <utf8proc.h>

#include <cstdlib>

namespace sprout::tok {

namespace {

bool is_ascii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

std::string run(std::string_view s, int options) {
  if (s.empty() || is_ascii(s)) return std::string(s);  // ASCII is invariant under NFC/NFD/NFKC
  utf8proc_uint8_t* out = nullptr;
  utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(s.data()), utf8proc_ssize_t(s.size()),
                                    &out, utf8proc_option_t(options | UTF8PROC_STABLE));
  if (n < 0) return std::string(s);  // only on invalid UTF-8, which callers have already replaced
  std::string r(reinterpret_cast<char*>(out), size_t(n));
  std::free(out);
  return r;
}

}  // namespace

std::string nfc(std::string_view s) { return run(s, UTF8PROC_COMPOSE); }
std::string nfd(std::string_view s) { return run(s, UTF8PROC_DECOMPOSE); }
std::string nfkc(std::string_view s) { return run(s, UTF8PROC_COMPOSE | UTF8PROC_COMPAT); }

}  // namespace sprout::tok
