// Block-quantized weight layouts, byte-for-byte those of GGUF / ggml, so
// tensors are used straight from a mapped .gguf file.
//
// Each block holds a fixed number of consecutive values of one row. A row of
// K values is K / block_size blocks; K must be a multiple of the block size.
// Scales are IEEE binary16 (f16_t) except in q8_K, whose scale is f32.
//
//   type   values  bytes  value = ...
//   q8_0     32     34    d * q                         q int8
//   q4_0     32     18    d * (q - 8)                   q 4-bit, low nibbles hold 0..15, high 16..31
//   q4_1     32     20    d * q + m
//   q5_0     32     22    d * (q - 16)                  5th bit in qh
//   q5_1     32     24    d * q + m
//   q4_K    256    144    d*sc*q - dmin*m              8 sub-blocks of 32, 6-bit sc/m packed in 12 bytes
//   q5_K    256    176    as q4_K with a 5th bit
//   q6_K    256    210    d * sc * (q - 32)             16 sub-blocks of 16, int8 sc
//   q8_K    256    292    d * q  (activations for k-quant dot products; bsums = sums of 16)
#pragma once
#include <cstddef>
#include <cstdint>

#include "kernels/common/fp16.h"

namespace sprout::kern {

constexpr int QK4_0 = 32, QK4_1 = 32, QK5_0 = 32, QK5_1 = 32, QK8_0 = 32;
constexpr int QK_K = 256;
constexpr int K_SCALE_SIZE = 12;

struct block_q8_0 { f16_t d; int8_t qs[QK8_0]; };
struct block_q4_0 { f16_t d; uint8_t qs[QK4_0 / 2]; };
struct block_q4_1 { f16_t d; f16_t m; uint8_t qs[QK4_1 / 2]; };
struct block_q5_0 { f16_t d; uint8_t qh[4]; uint8_t qs[QK5_0 / 2]; };
struct block_q5_1 { f16_t d; f16_t m; uint8_t qh[4]; uint8_t qs[QK5_1 / 2]; };
struct block_q4_K { f16_t d; f16_t dmin; uint8_t scales[K_SCALE_SIZE]; uint8_t qs[QK_K / 2]; };
struct block_q5_K { f16_t d; f16_t dmin; uint8_t scales[K_SCALE_SIZE]; uint8_t qh[QK_K / 8]; uint8_t qs[QK_K / 2]; };
struct block_q6_K { uint8_t ql[QK_K / 2]; uint8_t qh[QK_K / 4]; int8_t scales[QK_K / 16]; f16_t d; };
struct block_q8_K { float d; int8_t qs[QK_K]; int16_t bsums[QK_K / 16]; };

// The fields of block i of a q4_K (Q5 false) or q5_K (Q5 true) row that the
// q4_K/q5_K dot products read; qh is null for q4_K. Static: each kernel file
// keeps its own copy, compiled for its own ISA.
struct QkAsymBlock {
  const uint8_t *scales, *qs, *qh;
  f16_t d, dmin;
};
template <bool Q5>
static inline QkAsymBlock qk_asym_block(const void* row, int i) {
  if constexpr (Q5) {
    const auto& b = static_cast<const block_q5_K*>(row)[i];
    return {b.scales, b.qs, b.qh, b.d, b.dmin};
  } else {
    const auto& b = static_cast<const block_q4_K*>(row)[i];
    return {b.scales, b.qs, nullptr, b.d, b.dmin};
  }
}

static_assert(sizeof(block_q8_0) == 34);
static_assert(sizeof(block_q4_0) == 18);
static_assert(sizeof(block_q4_1) == 20);
static_assert(sizeof(block_q5_0) == 22);
static_assert(sizeof(block_q5_1) == 24);
static_assert(sizeof(block_q4_K) == 144);
static_assert(sizeof(block_q5_K) == 176);
static_assert(sizeof(block_q6_K) == 210);
static_assert(sizeof(block_q8_K) == 292);

}  // namespace sprout::kern
