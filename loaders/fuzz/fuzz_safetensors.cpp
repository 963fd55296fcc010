// Fuzzes the safetensors header parser and every tensor view it yields.
#include "loaders/fuzz/fuzz_common.h"
#include "loaders/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  SPROUT_FUZZ_GUARD({
    auto f = sprout::MappedFile::from_bytes("fuzz.safetensors", data, size);
    auto st = sprout::SafetensorsFile::parse(f);
    uint64_t sum = 0;
    for (const sprout::TensorInfo& t : st->tensors()) {
      const sprout::Tensor v = st->view(t);
      // Touch the first and last byte: must be inside the buffer (ASan checks).
      if (t.nbytes) sum += static_cast<const uint8_t*>(v.data)[0] + static_cast<const uint8_t*>(v.data)[t.nbytes - 1];
    }
    (void)sum;
  });
  return 0;
}
