// Fuzzes the GGUF reader: metadata of every type, tensor infos, the config
// readers that consume GGUF metadata, and every tensor view.
#include "loaders/config_bert.h"
#include "loaders/config_llama.h"
#include "loaders/fuzz/fuzz_common.h"
#include "loaders/gguf.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  SPROUT_FUZZ_GUARD({
    auto f = sprout::MappedFile::from_bytes("fuzz.gguf", data, size);
    auto g = sprout::GgufFile::parse(f);
    size_t n = 0;
    for (const auto& kv : g->metadata()) n += kv.second.to_string(4).size();
    uint64_t sum = n;
    for (const sprout::TensorInfo& t : g->tensors()) {
      const sprout::Tensor v = g->view(t);
      if (t.nbytes) sum += static_cast<const uint8_t*>(v.data)[0] + static_cast<const uint8_t*>(v.data)[t.nbytes - 1];
    }
    (void)sum;
    SPROUT_FUZZ_GUARD(sprout::llama_config_from_gguf(*g));
    SPROUT_FUZZ_GUARD(sprout::bert_config_from_gguf(*g));
  });
  return 0;
}
