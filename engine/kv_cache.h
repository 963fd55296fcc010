// Per-layer key/value cache for incremental decoding (and for encoder K/V that
// cross-attention reads many times).
//
// Layout per layer: keys and values each [max_tokens, n_kv_heads, head_dim],
// contiguous, in f16 (default: half the memory, rounding to nearest even on
// write), f32, or q8_0 (GGUF blocks of 32 along head_dim, 34 bytes per 32
// values: 53% of f16; written with GGUF's q8_0 rounding, d = amax/127 per
// block; needs head_dim a multiple of 32). Memory is reserved up front but not touched, so pages become
// resident only as positions are written. size() is the number of positions
// holding data: writes extend it, truncate() rewinds it (e.g. to drop a
// rejected continuation or to restart a conversation from a shared prefix).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "engine/dtype.h"

namespace sprout {

// The cache types a user can choose by name ("f32", "f16", "q8_0"); nullopt otherwise.
std::optional<DType> kv_dtype_from_name(const std::string& name);

class KvCache {
 public:
  KvCache(int layers, int max_tokens, int n_kv_heads, int head_dim, DType dt = DType::f16);

  // k, v: f32 [count, n_kv_heads, head_dim] for positions pos .. pos+count-1.
  // Error if the range leaves [0, max_tokens) or layer is out of range.
  void write(int layer, int pos, int count, const float* k, const float* v);
  int size() const { return size_; }
  void truncate(int n);          // size = min(size, max(n, 0))
  uint64_t bytes() const;        // reserved bytes of all layers' keys and values

  DType dtype() const { return dt_; }
  int layers() const { return layers_; }
  int max_tokens() const { return max_tokens_; }
  int n_kv_heads() const { return n_kv_heads_; }
  int head_dim() const { return head_dim_; }
  // Start of a layer's keys / values ([max_tokens, n_kv_heads, head_dim] of dtype();
  // for q8_0 [max_tokens, n_kv_heads, head_dim / 32] blocks).
  const void* keys(int layer) const;
  const void* values(int layer) const;

 private:
  uint8_t* slot(int layer, int kv) const;  // kv: 0 keys, 1 values
  int layers_, max_tokens_, n_kv_heads_, head_dim_;
  DType dt_;
  uint64_t layer_bytes_;  // bytes of one layer's keys (= of its values)
  std::unique_ptr<uint8_t[]> mem_;
  std::unique_ptr<uint8_t[]> row_;  // q8_0: one quantized activation row (kernels/dot layout)
  int size_ = 0;
};

}  // namespace sprout
