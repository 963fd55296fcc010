// The 32-value block formats (q8_0, q4_0, q4_1, q5_0, q5_1) and f16/bf16 rows:
// GGUF reference quantization and dequantization. See kernels/quant/quant.h.
#include <cfloat>
#include <cmath>
#include <cstring>

#include "kernels/common/quant_blocks.h"
#include "kernels/quant/quant.h"

namespace sprout::kern {
namespace {

// The value of largest magnitude (first one wins ties), and that magnitude.
inline void signed_absmax(const float* x, int n, float* max, float* amax) {
  float m = 0.f, a = 0.f;
  for (int j = 0; j < n; ++j) {
    const float v = std::fabs(x[j]);
    if (a < v) {
      a = v;
      m = x[j];
    }
  }
  *max = m;
  *amax = a;
}

inline void minmax(const float* x, int n, float* mn, float* mx) {
  float lo = FLT_MAX, hi = -FLT_MAX;
  for (int j = 0; j < n; ++j) {
    if (x[j] < lo) lo = x[j];
    if (x[j] > hi) hi = x[j];
  }
  *mn = lo;
  *mx = hi;
}

inline float inv_or_zero(float d) { return d != 0.f ? 1.f / d : 0.f; }

// The 32 values of a q4 block, q(x[j]) in 0..15: low nibbles hold values 0..15,
// high nibbles 16..31.
template <class Q>
inline void pack_q4(const float* x, Q q, uint8_t* qs) {
  for (int j = 0; j < 16; ++j) qs[j] = uint8_t(q(x[j]) | (q(x[j + 16]) << 4));
}

// The 32 values of a q5 block, q(x[j]) in 0..31: low 4 bits as in q4, 5th bits in qh.
template <class Q>
inline void pack_q5(const float* x, Q q, uint8_t* qs, uint8_t* qh_out) {
  uint32_t qh = 0;
  for (int j = 0; j < 16; ++j) {
    const int lo = q(x[j]), hi = q(x[j + 16]);
    qs[j] = uint8_t((lo & 0xF) | ((hi & 0xF) << 4));
    qh |= uint32_t((lo & 0x10) >> 4) << j;
    qh |= uint32_t((hi & 0x10) >> 4) << (j + 16);
  }
  std::memcpy(qh_out, &qh, 4);
}

}  // namespace

void quantize_q8_0(const float* x, int64_t n, void* out) {
  auto* y = static_cast<block_q8_0*>(out);
  for (int64_t i = 0; i < n / QK8_0; ++i, x += QK8_0) {
    float amax = 0.f;
    for (int j = 0; j < QK8_0; ++j) amax = std::fmax(amax, std::fabs(x[j]));
    const float d = amax / 127.f, id = inv_or_zero(d);
    y[i].d = f32_to_f16(d);
    for (int j = 0; j < QK8_0; ++j) y[i].qs[j] = int8_t(std::roundf(x[j] * id));
  }
}

void quantize_q4_0(const float* x, int64_t n, void* out) {
  auto* y = static_cast<block_q4_0*>(out);
  for (int64_t i = 0; i < n / QK4_0; ++i, x += QK4_0) {
    float max, amax;
    signed_absmax(x, QK4_0, &max, &amax);
    const float d = max / -8.f, id = inv_or_zero(d);
    y[i].d = f32_to_f16(d);
    // The truncating int8 conversion is the reference's rounding (x + 8.5 >= 0.5).
    pack_q4(x, [id](float v) { return std::min(15, int(int8_t(v * id + 8.5f))); }, y[i].qs);
  }
}

void quantize_q4_1(const float* x, int64_t n, void* out) {
  auto* y = static_cast<block_q4_1*>(out);
  for (int64_t i = 0; i < n / QK4_1; ++i, x += QK4_1) {
    float mn, mx;
    minmax(x, QK4_1, &mn, &mx);
    const float d = (mx - mn) / 15.f, id = inv_or_zero(d);
    y[i].d = f32_to_f16(d);
    y[i].m = f32_to_f16(mn);
    pack_q4(x, [id, mn](float v) { return std::min(15, int(int8_t((v - mn) * id + 0.5f))); }, y[i].qs);
  }
}

void quantize_q5_0(const float* x, int64_t n, void* out) {
  auto* y = static_cast<block_q5_0*>(out);
  for (int64_t i = 0; i < n / QK5_0; ++i, x += QK5_0) {
    float max, amax;
    signed_absmax(x, QK5_0, &max, &amax);
    const float d = max / -16.f, id = inv_or_zero(d);
    y[i].d = f32_to_f16(d);
    pack_q5(x, [id](float v) { return std::min(31, int(int8_t(v * id + 16.5f))); }, y[i].qs, y[i].qh);
  }
}

void quantize_q5_1(const float* x, int64_t n, void* out) {
  auto* y = static_cast<block_q5_1*>(out);
  for (int64_t i = 0; i < n / QK5_1; ++i, x += QK5_1) {
    float mn, mx;
    minmax(x, QK5_1, &mn, &mx);
    const float d = (mx - mn) / 31.f, id = inv_or_zero(d);
    y[i].d = f32_to_f16(d);
    y[i].m = f32_to_f16(mn);
    pack_q5(x, [id, mn](float v) { return int(uint8_t((v - mn) * id + 0.5f)); }, y[i].qs, y[i].qh);
  }
}

void quantize_f16(const float* x, int64_t n, void* out) {
  auto* y = static_cast<f16_t*>(out);
  for (int64_t i = 0; i < n; ++i) y[i] = f32_to_f16(x[i]);
}

void quantize_bf16(const float* x, int64_t n, void* out) {
  auto* y = static_cast<bf16_t*>(out);
  for (int64_t i = 0; i < n; ++i) y[i] = f32_to_bf16(x[i]);
}

void dequantize_q8_0(const void* in, int64_t n, float* y) {
  const auto* x = static_cast<const block_q8_0*>(in);
  for (int64_t i = 0; i < n / QK8_0; ++i, y += QK8_0) {
    const float d = f16_to_f32(x[i].d);
    for (int j = 0; j < QK8_0; ++j) y[j] = float(x[i].qs[j]) * d;
  }
}

void dequantize_q4_0(const void* in, int64_t n, float* y) {
  const auto* x = static_cast<const block_q4_0*>(in);
  for (int64_t i = 0; i < n / QK4_0; ++i, y += QK4_0) {
    const float d = f16_to_f32(x[i].d);
    for (int j = 0; j < QK4_0 / 2; ++j) {
      y[j] = float((x[i].qs[j] & 0xF) - 8) * d;
      y[j + QK4_0 / 2] = float((x[i].qs[j] >> 4) - 8) * d;
    }
  }
}

void dequantize_q4_1(const void* in, int64_t n, float* y) {
  const auto* x = static_cast<const block_q4_1*>(in);
  for (int64_t i = 0; i < n / QK4_1; ++i, y += QK4_1) {
    const float d = f16_to_f32(x[i].d), m = f16_to_f32(x[i].m);
    for (int j = 0; j < QK4_1 / 2; ++j) {
      y[j] = float(x[i].qs[j] & 0xF) * d + m;
      y[j + QK4_1 / 2] = float(x[i].qs[j] >> 4) * d + m;
    }
  }
}

void dequantize_q5_0(const void* in, int64_t n, float* y) {
  const auto* x = static_cast<const block_q5_0*>(in);
  for (int64_t i = 0; i < n / QK5_0; ++i, y += QK5_0) {
    const float d = f16_to_f32(x[i].d);
    uint32_t qh;
    std::memcpy(&qh, x[i].qh, 4);
    for (int j = 0; j < QK5_0 / 2; ++j) {
      const int h0 = int((qh >> j) << 4) & 0x10;
      const int h1 = int(qh >> (j + 12)) & 0x10;
      y[j] = float(((x[i].qs[j] & 0xF) | h0) - 16) * d;
      y[j + QK5_0 / 2] = float(((x[i].qs[j] >> 4) | h1) - 16) * d;
    }
  }
}

void dequantize_q5_1(const void* in, int64_t n, float* y) {
  const auto* x = static_cast<const block_q5_1*>(in);
  for (int64_t i = 0; i < n / QK5_1; ++i, y += QK5_1) {
    const float d = f16_to_f32(x[i].d), m = f16_to_f32(x[i].m);
    uint32_t qh;
    std::memcpy(&qh, x[i].qh, 4);
    for (int j = 0; j < QK5_1 / 2; ++j) {
      const int h0 = int((qh >> j) << 4) & 0x10;
      const int h1 = int(qh >> (j + 12)) & 0x10;
      y[j] = float((x[i].qs[j] & 0xF) | h0) * d + m;
      y[j + QK5_1 / 2] = float((x[i].qs[j] >> 4) | h1) * d + m;
    }
  }
}

void dequantize_f16(const void* in, int64_t n, float* y) {
  const auto* x = static_cast<const f16_t*>(in);
  for (int64_t i = 0; i < n; ++i) y[i] = f16_to_f32(x[i]);
}

void dequantize_bf16(const void* in, int64_t n, float* y) {
  const auto* x = static_cast<const bf16_t*>(in);
  for (int64_t i = 0; i < n; ++i) y[i] = bf16_to_f32(x[i]);
}

}  // namespace sprout::kern
