// Tokenizer::load: picks the loader from what the path holds.
#include <algorithm>

#include "engine/error.h"
#include "loaders/tokenizer/loaders.h"

namespace sprout {

namespace {
bool ends_with(const std::string& s, const std::string& suf) {
  return s.size() >= suf.size() && s.compare(s.size() - suf.size(), suf.size(), suf) == 0;
}
}  // namespace

std::unique_ptr<Tokenizer> Tokenizer::load(const std::string& path) {
  using namespace tok;
  if (is_directory(path)) {
    std::string dir = path;
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    TokenizerConfig cfg = load_tokenizer_config(dir);
    auto has = [&](const char* f) { return file_exists(dir + "/" + f); };
    // The SentencePiece model and vocab.txt are what the HF tokenizer classes of those
    // models read; tokenizer.json is preferred for BPE (the fast tokenizer is HF's default).

    for (const char* f : {"sentencepiece.bpe.model", "tokenizer.model", "spiece.model"})
      if (has(f)) return load_sentencepiece(dir + "/" + f, dir, cfg);

    if (has("vocab.txt")) return load_wordpiece(dir, cfg);
    if (has("tokenizer.json")) {
      std::string p = dir + "/tokenizer.json";
      return load_bpe_tokenizer_json(p, load_json_file(p, 256ull << 20), cfg);
    }
    if (has("vocab.json") && has("merges.txt")) return load_bpe_vocab_merges(dir, cfg);
    fail(path, "no tokenizer files (tokenizer.json, vocab.json + merges.txt, vocab.txt, "
               "sentencepiece.bpe.model or tokenizer.model)");
  }
  if (!file_exists(path)) fail(path, "no such file or directory");

  if (ends_with(path, ".gguf")) return load_gguf_tokenizer(path);

  if (ends_with(path, ".model")) return load_sentencepiece(path, path.substr(0, path.find_last_of('/') + 1) + ".", {});
  if (ends_with(path, ".json")) {
    TokenizerConfig none;
    return load_bpe_tokenizer_json(path, load_json_file(path, 256ull << 20), none);
  }
  return load_llama2c(path);
}

std::vector<int32_t> Tokenizer::encode_truncated(std::string_view text, int max_length, bool add_special) const {
  std::vector<int32_t> ids = encode(text, add_special);
  if (max_length < 0 || ids.size() <= size_t(max_length)) return ids;
  auto [pre, post] = add_special ? special_added() : std::pair<int, int>{0, 0};
  int body = std::max(0, max_length - pre - post);
  std::vector<int32_t> out(ids.begin(), ids.begin() + pre);
  out.insert(out.end(), ids.begin() + pre, ids.begin() + pre + body);
  out.insert(out.end(), ids.end() - post, ids.end());
  return out;
}

}  // namespace sprout
