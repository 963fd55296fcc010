#include "engine/dtype.h"

#include <cstring>

#include "kernels/common/quant_blocks.h"

namespace sprout {
namespace {
using namespace sprout::kern;
const DTypeInfo kInfo[] = {
    {"f32", 1, 4, 0},
    {"f16", 1, 2, 1},
    {"bf16", 1, 2, 30},
    {"q8_0", QK8_0, sizeof(block_q8_0), 8},
    {"q4_0", QK4_0, sizeof(block_q4_0), 2},
    {"q4_1", QK4_1, sizeof(block_q4_1), 3},
    {"q5_0", QK5_0, sizeof(block_q5_0), 6},
    {"q5_1", QK5_1, sizeof(block_q5_1), 7},
    {"q4_k", QK_K, sizeof(block_q4_K), 12},
    {"q5_k", QK_K, sizeof(block_q5_K), 13},
    {"q6_k", QK_K, sizeof(block_q6_K), 14},
    {"q8_k", QK_K, sizeof(block_q8_K), 15},
    {"i8_row", 1, 1, -1},
    {"i8", 1, 1, 24},
    {"u8", 1, 1, -1},
    {"i16", 1, 2, 25},
    {"i32", 1, 4, 26},
    {"i64", 1, 8, 27},
    {"f64", 1, 8, 28},
};
constexpr size_t kCount = sizeof(kInfo) / sizeof(kInfo[0]);
static_assert(kCount == size_t(DType::f64) + 1, "dtype table out of step with enum");
}  // namespace

const DTypeInfo& dtype_info(DType t) { return kInfo[size_t(t)]; }

std::optional<DType> dtype_from_name(std::string_view name) {
  for (size_t i = 0; i < kCount; ++i)
    if (name == kInfo[i].name) return DType(i);
  return std::nullopt;
}

std::optional<DType> dtype_from_gguf(uint32_t id) {
  for (size_t i = 0; i < kCount; ++i)
    if (kInfo[i].gguf_id >= 0 && uint32_t(kInfo[i].gguf_id) == id) return DType(i);
  return std::nullopt;
}

std::optional<uint64_t> row_bytes(DType t, uint64_t n) {
  const DTypeInfo& in = dtype_info(t);
  if (n % uint64_t(in.block_elems) != 0) return std::nullopt;
  const uint64_t blocks = n / uint64_t(in.block_elems);
  if (blocks > UINT64_MAX / uint64_t(in.block_bytes)) return std::nullopt;
  return blocks * uint64_t(in.block_bytes);
}

}  // namespace sprout
