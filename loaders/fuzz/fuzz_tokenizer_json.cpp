// Fuzzes tokenizer.json loading (JSON limits, vocabulary, merges, added tokens,
// normalizer / pre-tokenizer / post-processor sections) and, when a file is accepted,
// encoding and decoding with it. A sprout::Error is the expected outcome for bad input;
// any other exception, crash or sanitizer report is a bug.
// Built and run by tools/fuzz.sh (clang-14 libFuzzer, ASan+UBSan); seeds in seeds/tokenizer_json/.
#include <string_view>

#include "loaders/fuzz/fuzz_common.h"
#include "loaders/tokenizer/loaders.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  SPROUT_FUZZ_GUARD({
    auto j = sprout::tok::parse_json(text, "tokenizer.json");
    auto tk = sprout::tok::load_bpe_tokenizer_json("tokenizer.json", j, {});
    for (std::string_view s : {"Hello world! 你好 \xF0\x9F\x8C\xB1 <|im_start|>", "", "   \n\t", "\xff\xfe"})
      fuzz_encode_decode(*tk, s);
  });
  return 0;
}
