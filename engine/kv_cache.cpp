#include "engine/kv_cache.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "engine/error.h"
#include "kernels/attn/attn.h"
#include "kernels/dot/dot.h"

namespace sprout {

std::optional<DType> kv_dtype_from_name(const std::string& name) {
  if (name == "f16") return DType::f16;
  if (name == "f32") return DType::f32;
  if (name == "q8_0") return DType::q8_0;
  return std::nullopt;
}

KvCache::KvCache(int layers, int max_tokens, int n_kv_heads, int head_dim, DType dt)
    : layers_(layers), max_tokens_(max_tokens), n_kv_heads_(n_kv_heads), head_dim_(head_dim), dt_(dt) {
  if (layers <= 0 || max_tokens <= 0 || n_kv_heads <= 0 || head_dim <= 0)
    fail("kv cache", "bad shape: layers " + std::to_string(layers) + ", max_tokens " + std::to_string(max_tokens) +
                         ", kv heads " + std::to_string(n_kv_heads) + ", head_dim " + std::to_string(head_dim));
  if (dt != DType::f16 && dt != DType::f32 && dt != DType::q8_0)
    fail("kv cache", std::string("unsupported dtype ") + dtype_name(dt) + " (f32, f16 or q8_0)");
  if (dt == DType::q8_0 && head_dim % kern::QK8_0 != 0)
    fail("kv cache", "q8_0 needs head_dim a multiple of 32, not " + std::to_string(head_dim));
  const uint64_t row = uint64_t(n_kv_heads) * uint64_t(head_dim);  // values per position
  const uint64_t limit = uint64_t(1) << 40;
  if (row > uint64_t(INT32_MAX) || *row_bytes(dt, row) > limit / uint64_t(max_tokens) / 2 / uint64_t(layers))
    fail("kv cache", std::to_string(layers) + " layers x " + std::to_string(max_tokens) + " tokens x " +
                         std::to_string(row) + " values is more than 1 TiB");
  layer_bytes_ = uint64_t(max_tokens) * *row_bytes(dt, row);
  if (dt == DType::q8_0) row_.reset(new uint8_t[kern::act_row_bytes(kern::ActFormat::q8_0, int(row))]);
  const uint64_t total = layer_bytes_ * 2 * uint64_t(layers);
  // new[] without value-initialization: pages stay untouched (and non-resident) until written.
  mem_.reset(new uint8_t[total]);
}

uint64_t KvCache::bytes() const { return layer_bytes_ * 2 * uint64_t(layers_); }

uint8_t* KvCache::slot(int layer, int kv) const {
  if (layer < 0 || layer >= layers_)
    fail("kv cache", "layer " + std::to_string(layer) + " out of range [0, " + std::to_string(layers_) + ")");
  return mem_.get() + (uint64_t(layer) * 2 + uint64_t(kv)) * layer_bytes_;
}

const void* KvCache::keys(int layer) const { return slot(layer, 0); }
const void* KvCache::values(int layer) const { return slot(layer, 1); }

void KvCache::write(int layer, int pos, int count, const float* k, const float* v) {
  if (pos < 0 || count < 0 || pos > max_tokens_ - count)
    fail("kv cache", "write of positions [" + std::to_string(pos) + ", " + std::to_string(int64_t(pos) + count) +
                         ") outside capacity " + std::to_string(max_tokens_));
  const int64_t n = int64_t(count) * n_kv_heads_ * head_dim_;
  const int64_t off = int64_t(pos) * n_kv_heads_ * head_dim_;
  uint8_t* kd = slot(layer, 0);
  uint8_t* vd = slot(layer, 1);
  if (dt_ == DType::f32) {
    std::memcpy(reinterpret_cast<float*>(kd) + off, k, size_t(n) * sizeof(float));
    std::memcpy(reinterpret_cast<float*>(vd) + off, v, size_t(n) * sizeof(float));
  } else if (dt_ == DType::q8_0) {
    // GGUF q8_0 through the SIMD activation quantizer (same bytes as the reference);
    // its row carries per-block sums in front of the blocks, which the cache does not keep.
    const auto quantize = kern::dot_kernels().quantize_q8_0;
    const int row = n_kv_heads_ * head_dim_;
    const size_t row_b = size_t(row / kern::QK8_0) * sizeof(kern::block_q8_0);
    const auto* blocks = kern::q8_0_row(row_.get(), row).b;
    for (int64_t r = 0; r < count; ++r) {
      const size_t at = size_t(pos + r) * row_b;
      quantize(k + r * row, row, row_.get());
      std::memcpy(kd + at, blocks, row_b);
      quantize(v + r * row, row, row_.get());
      std::memcpy(vd + at, blocks, row_b);
    }
  } else {
    const auto to_f16 = kern::attn_kernels().to_f16;
    auto* kh = reinterpret_cast<kern::f16_t*>(kd) + off;
    auto* vh = reinterpret_cast<kern::f16_t*>(vd) + off;
    const int64_t row = int64_t(n_kv_heads_) * head_dim_;  // convert row by row: int-sized pieces
    for (int64_t r = 0; r < count; ++r) {
      to_f16(k + r * row, int(row), kh + r * row);
      to_f16(v + r * row, int(row), vh + r * row);
    }
  }
  size_ = std::max(size_, pos + count);
}

void KvCache::truncate(int n) { size_ = std::min(size_, std::max(n, 0)); }

}  // namespace sprout
