// Fuzzes JSON loading (depth limit, UTF-8, duplicate keys) and the HF
// config.json / generation_config.json readers on whatever parses.
#include <string_view>

#include "loaders/config_bert.h"
#include "loaders/config_llama.h"
#include "loaders/config_m2m100.h"
#include "loaders/fuzz/fuzz_common.h"
#include "loaders/json_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  SPROUT_FUZZ_GUARD({
    const sprout::Json j = sprout::parse_json(text, "config.json", sprout::kMaxJsonDepth, size % 2 == 0);
    SPROUT_FUZZ_GUARD(sprout::llama_config_from_json(j, "config.json"));
    SPROUT_FUZZ_GUARD(sprout::bert_config_from_json(j, "config.json"));
    SPROUT_FUZZ_GUARD(sprout::m2m100_config_from_json(j, "config.json"));
  });
  return 0;
}
