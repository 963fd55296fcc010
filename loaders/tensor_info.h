// Where a tensor lives in a model file, as read (and validated) from the
// file's header. Shared by the safetensors and GGUF readers.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/dtype.h"
#include "engine/tensor.h"

namespace sprout {

struct TensorInfo {
  std::string name;
  DType dtype = DType::f32;
  std::vector<int64_t> shape;  // outermost first (GGUF's ne[] reversed)
  uint64_t offset = 0;         // absolute byte offset of the data in its file
  uint64_t nbytes = 0;
};

// Bytes of a tensor of `shape` and `dtype`, or nullopt when a dimension is
// negative, the innermost dimension is not a whole number of blocks, or the
// product overflows 64 bits.
std::optional<uint64_t> tensor_bytes(DType dtype, const std::vector<int64_t>& shape);

// "[2048, 5504]"
std::string shape_string(const std::vector<int64_t>& shape);

// A view of the tensor's bytes at base + info.offset. Error(subject, ...) when
// it has more dimensions than a Tensor holds.
Tensor tensor_view(const TensorInfo& info, const uint8_t* base, const std::string& subject);

// True when s is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool valid_utf8(const char* s, size_t n);

}  // namespace sprout
