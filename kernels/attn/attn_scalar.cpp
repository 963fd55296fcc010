// Scalar reference for kernels/attn/attn.h.
#include "kernels/attn/attn.h"

namespace sprout::kern {
namespace {

float dot_f32(const float* a, const float* b, int n) {
  double s = 0.0;
  for (int i = 0; i < n; ++i) s += double(a[i]) * b[i];
  return float(s);
}
float dot_f16(const float* a, const f16_t* b, int n) {
  double s = 0.0;
  for (int i = 0; i < n; ++i) s += double(a[i]) * f16_to_f32(b[i]);
  return float(s);
}
void axpy_f32(float s, const float* x, int n, float* y) { for (int i = 0; i < n; ++i) y[i] += s * x[i]; }
void axpy_f16(float s, const f16_t* x, int n, float* y) {
  for (int i = 0; i < n; ++i) y[i] += s * f16_to_f32(x[i]);
}
inline float to_f32(float x) { return x; }
inline float to_f32(f16_t x) { return f16_to_f32(x); }

void to_f16(const float* x, int n, f16_t* y) { for (int i = 0; i < n; ++i) y[i] = f32_to_f16(x[i]); }
void from_f16(const f16_t* x, int n, float* y) { for (int i = 0; i < n; ++i) y[i] = f16_to_f32(x[i]); }

template <class T>
void scores(const float* q, const T* K, int64_t stride, int n_keys, int hd, float scale, float* s) {
  for (int j = 0; j < n_keys; ++j) {
    const T* k = K + j * stride;
    double acc = 0.0;
    for (int i = 0; i < hd; ++i) acc += double(q[i]) * to_f32(k[i]);
    s[j] = float(acc) * scale;
  }
}

// Columns in chunks of 64 so the double accumulators stay on the stack and the
// rows are still read front to back.
template <class T>
void weighted_sum(const float* p, const T* V, int64_t stride, int n_keys, int hd, float* out) {
  constexpr int kCols = 64;
  for (int d0 = 0; d0 < hd; d0 += kCols) {
    const int nc = hd - d0 < kCols ? hd - d0 : kCols;
    double acc[kCols] = {};
    for (int j = 0; j < n_keys; ++j) {
      const T* v = V + j * stride + d0;
      for (int c = 0; c < nc; ++c) acc[c] += double(p[j]) * to_f32(v[c]);
    }
    for (int c = 0; c < nc; ++c) out[d0 + c] = float(acc[c]);
  }
}

// q8_0 rows: value i of a row is d * qs[i], exact in f32 (11-bit by 8-bit significands).
void from_q8_0(const block_q8_0* x, int n, float* y) {
  for (int b = 0; b < n / QK8_0; ++b) {
    const float d = f16_to_f32(x[b].d);
    for (int i = 0; i < QK8_0; ++i) y[b * QK8_0 + i] = d * float(x[b].qs[i]);
  }
}

void scores_q8_0(const float* q, const block_q8_0* K, int64_t stride, int n_keys, int hd, float scale, float* s) {
  for (int j = 0; j < n_keys; ++j) {
    const block_q8_0* k = K + j * stride;
    double acc = 0.0;
    for (int b = 0; b < hd / QK8_0; ++b) {
      const float d = f16_to_f32(k[b].d);
      for (int i = 0; i < QK8_0; ++i) acc += double(q[b * QK8_0 + i]) * (d * float(k[b].qs[i]));
    }
    s[j] = float(acc) * scale;
  }
}

void weighted_sum_q8_0(const float* p, const block_q8_0* V, int64_t stride, int n_keys, int hd, float* out) {
  for (int b = 0; b < hd / QK8_0; ++b) {
    double acc[QK8_0] = {};
    for (int j = 0; j < n_keys; ++j) {
      const block_q8_0& v = V[j * stride + b];
      const float d = f16_to_f32(v.d);
      for (int i = 0; i < QK8_0; ++i) acc[i] += double(p[j]) * (d * float(v.qs[i]));
    }
    for (int i = 0; i < QK8_0; ++i) out[b * QK8_0 + i] = float(acc[i]);
  }
}

}  // namespace

const AttnKernels kAttnScalar = {dot_f32, dot_f16, axpy_f32, axpy_f16, to_f16, from_f16,  // row primitives
                                 scores<float>, scores<f16_t>, weighted_sum<float>, weighted_sum<f16_t>,  // multi-key
                                 from_q8_0, scores_q8_0, weighted_sum_q8_0};  // q8_0 rows

}  // namespace sprout::kern
