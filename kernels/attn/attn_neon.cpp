// NEON variants of kernels/attn/attn.h (f16 <-> f32 with the baseline FCVTL/FCVTN).
#include <arm_neon.h>

#include <algorithm>
#include <cstddef>

#include "kernels/attn/attn.h"
#include "kernels/attn/attn_walk.h"

namespace sprout::kern {
namespace {

inline float32x4_t load_h(const f16_t* p) { return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(p))); }

float dot_f32(const float* a, const float* b, int n) {
  float32x4_t s0 = vdupq_n_f32(0.f), s1 = vdupq_n_f32(0.f);
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    s0 = vfmaq_f32(s0, vld1q_f32(a + i), vld1q_f32(b + i));
    s1 = vfmaq_f32(s1, vld1q_f32(a + i + 4), vld1q_f32(b + i + 4));
  }
  for (; i + 4 <= n; i += 4) s0 = vfmaq_f32(s0, vld1q_f32(a + i), vld1q_f32(b + i));
  float s = vaddvq_f32(vaddq_f32(s0, s1));
  for (; i < n; ++i) s += a[i] * b[i];
  return s;
}

float dot_f16(const float* a, const f16_t* b, int n) {
  float32x4_t s0 = vdupq_n_f32(0.f), s1 = vdupq_n_f32(0.f);
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    s0 = vfmaq_f32(s0, vld1q_f32(a + i), load_h(b + i));
    s1 = vfmaq_f32(s1, vld1q_f32(a + i + 4), load_h(b + i + 4));
  }
  for (; i + 4 <= n; i += 4) s0 = vfmaq_f32(s0, vld1q_f32(a + i), load_h(b + i));
  float s = vaddvq_f32(vaddq_f32(s0, s1));
  for (; i < n; ++i) s += a[i] * f16_to_f32(b[i]);
  return s;
}

void axpy_f32(float s, const float* x, int n, float* y) {
  int i = 0;
  for (; i + 4 <= n; i += 4) vst1q_f32(y + i, vfmaq_n_f32(vld1q_f32(y + i), vld1q_f32(x + i), s));
  for (; i < n; ++i) y[i] += s * x[i];
}

void axpy_f16(float s, const f16_t* x, int n, float* y) {
  int i = 0;
  for (; i + 4 <= n; i += 4) vst1q_f32(y + i, vfmaq_n_f32(vld1q_f32(y + i), load_h(x + i), s));
  for (; i < n; ++i) y[i] += s * f16_to_f32(x[i]);
}

void to_f16(const float* x, int n, f16_t* y) {
  int i = 0;
  for (; i + 4 <= n; i += 4) vst1_u16(y + i, vreinterpret_u16_f16(vcvt_f16_f32(vld1q_f32(x + i))));
  for (; i < n; ++i) y[i] = f32_to_f16(x[i]);
}

void from_f16(const f16_t* x, int n, float* y) {
  int i = 0;
  for (; i + 4 <= n; i += 4) vst1q_f32(y + i, load_h(x + i));
  for (; i < n; ++i) y[i] = f16_to_f32(x[i]);
}

// ---- multi-key decode kernels ----
inline float32x4_t load4(const float* p) { return vld1q_f32(p); }
inline float32x4_t load4(const f16_t* p) { return load_h(p); }



// s[r] = scale * q . K[r * stride], r < R, with one accumulator per key.
template <int R, class T>
inline void score_group(const float* q, const T* K, int64_t stride, int hd, float scale, float* s) {
  float32x4_t acc[R];
  for (int r = 0; r < R; ++r) acc[r] = vdupq_n_f32(0.f);
  int i = 0;
  for (; i + 4 <= hd; i += 4) {
    const float32x4_t qv = vld1q_f32(q + i);
    for (int r = 0; r < R; ++r) acc[r] = vfmaq_f32(acc[r], qv, load4(K + r * stride + i));
  }
  for (int r = 0; r < R; ++r) {
    float sum = vaddvq_f32(acc[r]);
    for (int t = i; t < hd; ++t) sum += q[t] * to_f32(K[r * stride + t]);
    s[r] = sum * scale;
  }
}

template <class T>
void scores(const float* q, const T* K, int64_t stride, int n_keys, int hd, float scale, float* s) {
  score_keys(K, stride, n_keys, hd, [&](auto keys, int j) {
    score_group<decltype(keys)::value>(q, K + j * stride, stride, hd, scale, s + j);
  });
}

// out[c] = sum_j p[j] * V[j * stride + c] for c < 4 * A, the 4A columns held in
// A accumulators across all keys.
template <int A, class T>
inline void wsum_cols(const float* p, const T* V, int64_t stride, int n_keys, float* out) {
  float32x4_t acc[A];
  for (int a = 0; a < A; ++a) acc[a] = vdupq_n_f32(0.f);
  for (int j = 0; j < n_keys; ++j) {
    if (j + kPrefetchKeys < n_keys) prefetch_span(V + (j + kPrefetchKeys) * stride, sizeof(T) * 4 * A);
    const float pj = p[j];
    const T* v = V + j * stride;
    for (int a = 0; a < A; ++a) acc[a] = vfmaq_n_f32(acc[a], load4(v + 4 * a), pj);
  }
  for (int a = 0; a < A; ++a) vst1q_f32(out + 4 * a, acc[a]);
}

template <class T>
void weighted_sum(const float* p, const T* V, int64_t stride, int n_keys, int hd, float* out) {
  int d = 0;
  for (; d + 64 <= hd; d += 64) wsum_cols<16>(p, V + d, stride, n_keys, out + d);
  if (d + 32 <= hd) wsum_cols<8>(p, V + d, stride, n_keys, out + d), d += 32;
  if (d + 16 <= hd) wsum_cols<4>(p, V + d, stride, n_keys, out + d), d += 16;
  for (; d + 4 <= hd; d += 4) wsum_cols<1>(p, V + d, stride, n_keys, out + d);
  weighted_sum_tail(p, V, stride, n_keys, d, hd, out);
}

}  // namespace

const AttnKernels kAttnNeon = {dot_f32,
                               dot_f16,
                               axpy_f32,
                               axpy_f16,
                               to_f16,
                               from_f16,
                               scores<float>,
                               scores<f16_t>,
                               weighted_sum<float>,
                               weighted_sum<f16_t>};

}  // namespace sprout::kern
