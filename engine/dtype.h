// Element types a tensor can hold. Block-quantized types use GGUF's block
// layouts (kernels/common/quant_blocks.h); a row of such a tensor is a whole
// number of blocks. i8_row is per-row symmetric int8: int8 values plus one f32
// scale per row held beside the tensor (Tensor::row_scale).
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace sprout {

enum class DType : uint8_t {
  f32, f16, bf16,
  q8_0, q4_0, q4_1, q5_0, q5_1, q4_k, q5_k, q6_k, q8_k,
  i8_row,
  i8, u8, i16, i32, i64, f64,
};

struct DTypeInfo {
  const char* name;     // "f32", "q4_k", ...
  int block_elems;      // values per block (1 for plain types)
  int block_bytes;      // bytes per block
  int gguf_id;          // ggml_type id in GGUF, -1 if GGUF has none
};

const DTypeInfo& dtype_info(DType t);
inline const char* dtype_name(DType t) { return dtype_info(t).name; }
inline bool is_quantized(DType t) { return dtype_info(t).block_elems > 1; }
std::optional<DType> dtype_from_name(std::string_view name);
std::optional<DType> dtype_from_gguf(uint32_t gguf_id);

// Bytes of a row of n elements; nullopt when n is not a whole number of blocks
// or the size overflows.
std::optional<uint64_t> row_bytes(DType t, uint64_t n);

}  // namespace sprout
