// Fuzzes encode() of every tokenizer algorithm on arbitrary bytes (invalid UTF-8,
// special-token fragments, huge words): the first byte picks the tokenizer, the rest is
// the text. Every id must be in range, decode() and Utf8Stream must accept the result.
// The tokenizers are the real ones in tests/data/tokenizers (tools/fuzz.sh runs from the
// repository root). Built and run by tools/fuzz.sh; seeds in seeds/tokenizer_encode/.
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "engine/error.h"
#include "loaders/tokenizer.h"

namespace {

std::vector<std::unique_ptr<sprout::Tokenizer>>& tokenizers() {
  static std::vector<std::unique_ptr<sprout::Tokenizer>> all = [] {
    const char* root = std::getenv("SPROUT_SOURCE_DIR");
    std::string base = std::string(root ? root : ".") + "/tests/data/tokenizers/";
    std::vector<std::unique_ptr<sprout::Tokenizer>> v;
    for (const char* p : {"qwen", "bert-uncased", "llama2", "unigram", "llama2c/tok512.bin", "gguf/ggml-vocab-bert-bge.gguf"})
      v.push_back(sprout::Tokenizer::load(base + p));
    return v;
  }();
  return all;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  auto& all = tokenizers();
  const sprout::Tokenizer& tk = *all[data[0] % all.size()];
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    for (bool special : {true, false}) {
      auto ids = tk.encode(text, special);
      for (int32_t id : ids)
        if (id < 0 || id >= tk.vocab_size()) std::abort();
      (void)tk.decode(ids, special);
      sprout::Utf8Stream s;
      std::string out;
      for (int32_t id : ids) out += s.push(tk.piece_bytes(id));
      out += s.flush();
    }
  } catch (...) {
    std::abort();  // encoding never fails, whatever the bytes
  }
  return 0;
}
