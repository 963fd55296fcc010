// IEEE binary16 and bfloat16 <-> binary32 conversions, scalar and portable.
// Rounding: round-to-nearest-even on narrowing (as F16C's VCVTPS2PH with
// imm 0 and as PyTorch's .half()/.bfloat16()); NaN stays NaN.
#pragma once
#include <cstdint>
#include <cstring>

namespace sprout::kern {

using f16_t = uint16_t;   // raw binary16 bits
using bf16_t = uint16_t;  // raw bfloat16 bits

inline uint32_t f32_bits(float f) { uint32_t u; std::memcpy(&u, &f, 4); return u; }
inline float bits_f32(uint32_t u) { float f; std::memcpy(&f, &u, 4); return f; }

inline float f16_to_f32(f16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t mant = h & 0x3ffu;
  if (exp == 0) {
    if (mant == 0) return bits_f32(sign);
    // Subnormal: normalize.
    int e = -1;
    do { mant <<= 1; ++e; } while (!(mant & 0x400u));
    return bits_f32(sign | uint32_t(127 - 15 - e) << 23 | (mant & 0x3ffu) << 13);
  }
  if (exp == 31) return bits_f32(sign | 0x7f800000u | mant << 13);
  return bits_f32(sign | (exp + 112u) << 23 | mant << 13);
}

inline f16_t f32_to_f16(float f) {
  const uint32_t x = f32_bits(f);
  const uint32_t sign = (x >> 16) & 0x8000u;
  const uint32_t ax = x & 0x7fffffffu;
  if (ax >= 0x7f800000u) return f16_t(sign | 0x7c00u | (ax > 0x7f800000u ? 0x200u : 0u));
  if (ax >= 0x477ff000u) return f16_t(sign | 0x7c00u);  // rounds to >= 65520: inf
  if (ax < 0x38800000u) {                                 // result is subnormal or zero
    if (ax < 0x33000000u) return f16_t(sign);             // < 2^-25: rounds to 0
    const uint32_t e = ax >> 23;
    const uint32_t m = (ax & 0x7fffffu) | 0x800000u;
    const uint32_t shift = 126u - e;  // 14..24
    uint32_t r = m >> shift;
    const uint32_t rem = m & ((1u << shift) - 1), half = 1u << (shift - 1);
    if (rem > half || (rem == half && (r & 1u))) ++r;
    return f16_t(sign | r);
  }
  uint32_t r = ((ax >> 13) - (112u << 10));
  const uint32_t rem = ax & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (r & 1u))) ++r;
  return f16_t(sign | r);
}

inline float bf16_to_f32(bf16_t h) { return bits_f32(uint32_t(h) << 16); }

inline bf16_t f32_to_bf16(float f) {
  uint32_t x = f32_bits(f);
  if ((x & 0x7fffffffu) > 0x7f800000u) return bf16_t((x >> 16) | 0x40u);  // quiet NaN
  x += 0x7fffu + ((x >> 16) & 1u);
  return bf16_t(x >> 16);
}

}  // namespace sprout::kern
