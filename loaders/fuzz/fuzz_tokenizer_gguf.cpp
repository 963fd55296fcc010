// Fuzzes tokenizers built from GGUF metadata (tokenizer.ggml.* for gpt2 / llama / bert),
// then encode/decode with what is accepted. Built and run by tools/fuzz.sh; seeds in
// seeds/tokenizer_gguf/ (tools/tokenizer_goldens/make_fuzz_seeds.py).
#include "loaders/fuzz/fuzz_common.h"
#include "loaders/gguf.h"
#include "loaders/mmap.h"
#include "loaders/tokenizer/loaders.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  SPROUT_FUZZ_GUARD({
    auto g = sprout::GgufFile::parse(sprout::MappedFile::from_bytes("fuzz.gguf", data, size));
    auto tk = sprout::tok::load_gguf_tokenizer_from(*g, "fuzz.gguf");
    fuzz_encode_decode(*tk, "Hello world! <|im_start|> \xE4\xBD\xA0 [CLS] \xff");
  });
  return 0;
}
