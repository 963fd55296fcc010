#define PCRE2_CODE_UNIT_WIDTH 8
#include "loaders/tokenizer/regex.h"

#include <pcre2.h>

#include "engine/error.h"

namespace sprout::tok {

namespace {

// Hugging Face runs these patterns with Oniguruma (Rust: onig/fancy-regex), where \s is
// Unicode White_Space. PCRE2's UCP \s lacks U+0085 (NEXT LINE), so add it explicitly.
std::string to_pcre2(const std::string& p) {
  std::string out;
  int depth = 0;  // inside [...]
  for (size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      char n = p[i + 1];
      ++i;
      if (n == 's') out += depth ? "\\s\\x{85}" : "[\\s\\x{85}]";
      else if (n == 'S') out += depth ? "\\S" : "[^\\s\\x{85}]";  // a \S inside a class is rare; kept
      else { out += '\\'; out += n; }
      continue;
    }
    if (c == '[') ++depth;
    else if (c == ']' && depth) --depth;
    out += c;
  }
  return out;
}

}  // namespace

struct SplitRegex::Impl {
  pcre2_code* code = nullptr;
  pcre2_match_context* mctx = nullptr;
  ~Impl() {
    if (mctx) pcre2_match_context_free(mctx);
    if (code) pcre2_code_free(code);
  }
};

SplitRegex::SplitRegex(const std::string& pattern, const std::string& subject) : impl_(new Impl) {
  std::string p = to_pcre2(pattern);
  int err = 0;
  PCRE2_SIZE off = 0;
  impl_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(p.data()), p.size(), PCRE2_UTF | PCRE2_UCP, &err, &off,
                              nullptr);
  if (!impl_->code) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(err, msg, sizeof msg);
    fail(subject, "bad pre-tokenizer regex at offset " + std::to_string(off) + ": " + reinterpret_cast<char*>(msg));
  }
  pcre2_jit_compile(impl_->code, PCRE2_JIT_COMPLETE);  // falls back to the interpreter if JIT is unavailable
  // Bound backtracking so a pathological pattern from a hostile file cannot hang us.
  impl_->mctx = pcre2_match_context_create(nullptr);
  pcre2_set_match_limit(impl_->mctx, 10'000'000);
}

SplitRegex::~SplitRegex() = default;

void SplitRegex::split(std::string_view text, std::vector<std::string_view>& out) const {
  // Match data is per thread (one tokenizer may serve several threads) and shared by all
  // patterns: one ovector pair is all we read (pcre2_match then returns 0, not an error).
  struct Md {
    pcre2_match_data* p = pcre2_match_data_create(1, nullptr);
    ~Md() { pcre2_match_data_free(p); }
  };
  thread_local Md holder;
  pcre2_match_data* md = holder.p;
  auto* s = reinterpret_cast<PCRE2_SPTR>(text.data());
  size_t pos = 0, gap = 0;
  while (pos < text.size()) {
    int rc = pcre2_match(impl_->code, s, text.size(), pos, PCRE2_NO_UTF_CHECK, md, impl_->mctx);
    if (rc < 0) break;  // no further match (or a limit hit): the rest is one gap
    PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
    size_t b = ov[0], e = ov[1];
    if (e == b) {  // empty match: step one character and keep looking
      pos = b + 1;
      while (pos < text.size() && (static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80) ++pos;
      continue;
    }
    if (b > gap) out.push_back(text.substr(gap, b - gap));
    out.push_back(text.substr(b, e - b));
    pos = gap = e;
  }
  if (gap < text.size()) out.push_back(text.substr(gap));
}

}  // namespace sprout::tok
