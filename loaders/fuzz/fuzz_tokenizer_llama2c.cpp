// Fuzzes the llama2.c tokenizer .bin reader, then encode/decode with what it accepts.
// Built and run by tools/fuzz.sh; seeds in seeds/tokenizer_llama2c/.
#include <cstdlib>
#include <string>

#include "engine/error.h"
#include "loaders/tokenizer/loaders.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    auto tk = sprout::tok::load_llama2c_bytes(bytes, "tokenizer.bin");
    auto ids = tk->encode("Once upon a time, \xE4\xBD\xA0 \xff", true);
    for (int32_t id : ids)
      if (id < 0 || id >= tk->vocab_size()) std::abort();
    (void)tk->decode(ids, false);
  } catch (const sprout::Error&) {
  } catch (...) {
    std::abort();
  }
  return 0;
}
