// Fuzzes tokenizer.json loading (JSON limits, vocabulary, merges, added tokens,
// normalizer / pre-tokenizer / post-processor sections) and, when a file is accepted,
// encoding and decoding with it. A sprout::Error is the expected outcome for bad input;
// any other exception, crash or sanitizer report is a bug.
// Built and run by tools/fuzz.sh (clang-14 libFuzzer, ASan+UBSan); seeds in seeds/tokenizer_json/.
#include <cstdlib>
#include <string_view>

#include "engine/error.h"
#include "loaders/tokenizer/loaders.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    auto j = sprout::tok::parse_json(text, "tokenizer.json");
    auto tk = sprout::tok::load_bpe_tokenizer_json("tokenizer.json", j, {});
    for (std::string_view s : {"Hello world! 你好 \xF0\x9F\x8C\xB1 <|im_start|>", "", "   \n\t", "\xff\xfe"}) {
      auto ids = tk->encode(s, true);
      for (int32_t id : ids)
        if (id < 0 || id >= tk->vocab_size()) std::abort();  // ids must always be in range
      (void)tk->decode(ids, false);
    }
  } catch (const sprout::Error&) {
  } catch (...) {
    std::abort();
  }
  return 0;
}
