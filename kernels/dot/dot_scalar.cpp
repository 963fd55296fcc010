// Scalar reference for kernels/dot/dot.h: the oracle the SIMD variants are
// tested against. Integer sums per block, f32 accumulation across blocks in
// block order (ggml's *_generic arithmetic).
#include <cmath>
#include <cstring>

#include "kernels/common/quant_blocks.h"
#include "kernels/dot/dot.h"
#include "kernels/quant/quant.h"

namespace sprout::kern {
namespace {

void quantize_q8_0_act(const float* x, int n, void* out) {
  quantize_q8_0(x, n, const_cast<block_q8_0*>(q8_0_row(out, n).b));
  q8_0_row_sums(n, out);
}
void quantize_q8_K_act(const float* x, int n, void* out) { quantize_q8_K(x, n, out); }

float quantize_i8_act(const float* x, int n, int8_t* out) {
  float amax = 0.f;
  for (int i = 0; i < n; ++i) amax = std::fmax(amax, std::fabs(x[i]));
  const float scale = amax / 127.f;
  const float inv = scale != 0.f ? 1.f / scale : 0.f;
  for (int i = 0; i < n; ++i) out[i] = int8_t(std::roundf(x[i] * inv));
  return scale;
}

float dot_f32(int n, const void* wv, const void* av) {
  const float* w = static_cast<const float*>(wv);
  const float* a = static_cast<const float*>(av);
  double s = 0;  // double: an oracle precise enough to judge the SIMD sums
  for (int i = 0; i < n; ++i) s += double(w[i]) * double(a[i]);
  return float(s);
}

float dot_f16(int n, const void* wv, const void* av) {
  const f16_t* w = static_cast<const f16_t*>(wv);
  const float* a = static_cast<const float*>(av);
  double s = 0;
  for (int i = 0; i < n; ++i) s += double(f16_to_f32(w[i])) * double(a[i]);
  return float(s);
}

float dot_bf16(int n, const void* wv, const void* av) {
  const bf16_t* w = static_cast<const bf16_t*>(wv);
  const float* a = static_cast<const float*>(av);
  double s = 0;
  for (int i = 0; i < n; ++i) s += double(bf16_to_f32(w[i])) * double(a[i]);
  return float(s);
}

float dot_i8(int n, const void* wv, const void* av) {
  const int8_t* w = static_cast<const int8_t*>(wv);
  const int8_t* a = static_cast<const int8_t*>(av);
  int32_t s = 0;
  for (int i = 0; i < n; ++i) s += int32_t(w[i]) * int32_t(a[i]);
  return float(s);
}

float dot_q8_0(int n, const void* wv, const void* av) {
  const auto* w = static_cast<const block_q8_0*>(wv);
  const auto* a = q8_0_row(av, n).b;
  float s = 0;
  for (int i = 0; i < n / QK8_0; ++i) {
    int sumi = 0;
    for (int j = 0; j < QK8_0; ++j) sumi += w[i].qs[j] * a[i].qs[j];
    s += float(sumi) * (f16_to_f32(w[i].d) * f16_to_f32(a[i].d));
  }
  return s;
}

float dot_q4_0(int n, const void* wv, const void* av) {
  const auto* w = static_cast<const block_q4_0*>(wv);
  const auto* a = q8_0_row(av, n).b;
  float s = 0;
  for (int i = 0; i < n / QK4_0; ++i) {
    int sumi = 0;
    for (int j = 0; j < QK4_0 / 2; ++j) {
      sumi += ((w[i].qs[j] & 0xF) - 8) * a[i].qs[j];
      sumi += ((w[i].qs[j] >> 4) - 8) * a[i].qs[j + QK4_0 / 2];
    }
    s += float(sumi) * (f16_to_f32(w[i].d) * f16_to_f32(a[i].d));
  }
  return s;
}

float dot_q4_1(int n, const void* wv, const void* av) {
  const auto* w = static_cast<const block_q4_1*>(wv);
  const auto* a = q8_0_row(av, n).b;
  float s = 0;
  for (int i = 0; i < n / QK4_1; ++i) {
    int sumi = 0, suma = 0;
    for (int j = 0; j < QK4_1 / 2; ++j) {
      sumi += (w[i].qs[j] & 0xF) * a[i].qs[j] + (w[i].qs[j] >> 4) * a[i].qs[j + QK4_1 / 2];
      suma += a[i].qs[j] + a[i].qs[j + QK4_1 / 2];
    }
    const float da = f16_to_f32(a[i].d);
    s += float(sumi) * (f16_to_f32(w[i].d) * da) + f16_to_f32(w[i].m) * da * float(suma);
  }
  return s;
}

// The 32 5-bit values of a q5 block, unsigned 0..31, in value order.
inline void q5_values(const uint8_t* qs, const uint8_t* qh4, int* v) {
  uint32_t qh;
  std::memcpy(&qh, qh4, 4);
  for (int j = 0; j < 16; ++j) {
    v[j] = (qs[j] & 0xF) | int(((qh >> j) & 1) << 4);
    v[j + 16] = (qs[j] >> 4) | int(((qh >> (j + 16)) & 1) << 4);
  }
}

float dot_q5_0(int n, const void* wv, const void* av) {
  const auto* w = static_cast<const block_q5_0*>(wv);
  const auto* a = q8_0_row(av, n).b;
  float s = 0;
  int v[32];
  for (int i = 0; i < n / QK5_0; ++i) {
    q5_values(w[i].qs, w[i].qh, v);
    int sumi = 0;
    for (int j = 0; j < 32; ++j) sumi += (v[j] - 16) * a[i].qs[j];
    s += float(sumi) * (f16_to_f32(w[i].d) * f16_to_f32(a[i].d));
  }
  return s;
}

float dot_q5_1(int n, const void* wv, const void* av) {
  const auto* w = static_cast<const block_q5_1*>(wv);
  const auto* a = q8_0_row(av, n).b;
  float s = 0;
  int v[32];
  for (int i = 0; i < n / QK5_1; ++i) {
    q5_values(w[i].qs, w[i].qh, v);
    int sumi = 0, suma = 0;
    for (int j = 0; j < 32; ++j) {
      sumi += v[j] * a[i].qs[j];
      suma += a[i].qs[j];
    }
    const float da = f16_to_f32(a[i].d);
    s += float(sumi) * (f16_to_f32(w[i].d) * da) + f16_to_f32(w[i].m) * da * float(suma);
  }
  return s;
}

// q4_K / q5_K: sum_j d*sc_j*sum(q*qa) - dmin*m_j*sum(qa), with sum(qa) of each
// 32-value sub-block from the two 16-value bsums.
template <bool Q5>
float dot_qk_asym(int n, const void* wv, const void* av) {
  const auto* a = static_cast<const block_q8_K*>(av);
  float s = 0;
  for (int i = 0; i < n / QK_K; ++i) {
    const auto [scales, qs, qh, d16, dmin16] = qk_asym_block<Q5>(wv, i);
    int sum_scaled = 0, sum_mins = 0;
    for (int j = 0; j < 8; ++j) {
      uint8_t sc, m;
      get_scale_min_k4(j, scales, &sc, &m);
      const uint8_t* q = qs + 32 * (j / 2);
      const int shift = (j & 1) * 4;
      int sumi = 0;
      for (int l = 0; l < 32; ++l) {
        int v = (q[l] >> shift) & 0xF;
        if (Q5) v |= ((qh[l] >> j) & 1) << 4;
        sumi += v * a[i].qs[32 * j + l];
      }
      sum_scaled += sc * sumi;
      sum_mins += m * (a[i].bsums[2 * j] + a[i].bsums[2 * j + 1]);
    }
    s += a[i].d * f16_to_f32(d16) * float(sum_scaled) - a[i].d * f16_to_f32(dmin16) * float(sum_mins);
  }
  return s;
}

float dot_q6_K(int n, const void* wv, const void* av) {
  const auto* w = static_cast<const block_q6_K*>(wv);
  const auto* a = static_cast<const block_q8_K*>(av);
  float s = 0;
  for (int i = 0; i < n / QK_K; ++i) {
    int8_t v[QK_K];
    const uint8_t* ql = w[i].ql;
    const uint8_t* qh = w[i].qh;
    for (int c = 0; c < QK_K; c += 128, ql += 64, qh += 32)
      for (int l = 0; l < 32; ++l) {
        v[c + l] = int8_t(((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32);
        v[c + l + 32] = int8_t(((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32);
        v[c + l + 64] = int8_t(((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32);
        v[c + l + 96] = int8_t(((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32);
      }
    int sum = 0;
    for (int j = 0; j < QK_K / 16; ++j) {
      int sumi = 0;
      for (int l = 0; l < 16; ++l) sumi += v[16 * j + l] * a[i].qs[16 * j + l];
      sum += w[i].scales[j] * sumi;
    }
    s += a[i].d * f16_to_f32(w[i].d) * float(sum);
  }
  return s;
}

}  // namespace

const DotKernels kDotScalar = {
    quantize_q8_0_act, quantize_q8_K_act, quantize_i8_act,
    {dot_f32, dot_f16, dot_bf16, dot_q8_0, dot_q4_0, dot_q4_1, dot_q5_0, dot_q5_1, dot_qk_asym<false>,
     dot_qk_asym<true>, dot_q6_K, dot_i8},
    {},  // no dot2: the scalar oracle is one row at a time
};

}  // namespace sprout::kern
