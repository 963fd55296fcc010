// Fuzzes the llama2.c tokenizer .bin reader, then encode/decode with what it accepts.
// Built and run by tools/fuzz.sh; seeds in seeds/tokenizer_llama2c/.
#include <string>

#include "loaders/fuzz/fuzz_common.h"
#include "loaders/tokenizer/loaders.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  SPROUT_FUZZ_GUARD({
    auto tk = sprout::tok::load_llama2c_bytes(bytes, "tokenizer.bin");
    fuzz_encode_decode(*tk, "Once upon a time, \xE4\xBD\xA0 \xff");
  });
  return 0;
}
