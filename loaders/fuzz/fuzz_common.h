// libFuzzer targets for every parser of untrusted files. Each target is one
// file loaders/fuzz/fuzz_<name>.cpp defining LLVMFuzzerTestOneInput; it must
// accept anything: a sprout::Error is the expected outcome for bad input, any
// other exception, crash, leak or sanitizer report is a bug.
//
// Adding a target (e.g. for tokenizer.json): create fuzz_<name>.cpp here using
// SPROUT_FUZZ_GUARD, optionally put seed files in loaders/fuzz/seeds/<name>/;
// tools/fuzz.sh builds and runs every fuzz_* target it finds.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <string_view>
#include <vector>

#include "engine/error.h"
#include "loaders/tokenizer.h"

// Runs `body`; swallows sprout::Error (rejected input), aborts on anything else.
#define SPROUT_FUZZ_GUARD(body)          \
  try {                                  \
    body;                                \
  } catch (const sprout::Error&) {       \
  } catch (...) {                        \
    std::abort();                        \
  }

// For the tokenizer targets, on a tokenizer its loader accepted: encodes `text`
// (special tokens added; every id must be inside the vocabulary) and decodes the ids.
inline void fuzz_encode_decode(const sprout::Tokenizer& tk, std::string_view text) {
  const std::vector<int32_t> ids = tk.encode(text, true);
  for (int32_t id : ids)
    if (id < 0 || id >= tk.vocab_size()) std::abort();
  (void)tk.decode(ids, false);
}
