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

// ---- q8_0 rows ----
// A block's 32 int8 as eight f32x4 (widen twice, then convert); its d as f32.
inline void load32(const int8_t* p, float32x4_t* v) {
  for (int h = 0; h < 2; ++h) {
    const int8x16_t b = vld1q_s8(p + 16 * h);
    const int16x8_t lo = vmovl_s8(vget_low_s8(b)), hi = vmovl_s8(vget_high_s8(b));
    v[4 * h + 0] = vcvtq_f32_s32(vmovl_s16(vget_low_s16(lo)));
    v[4 * h + 1] = vcvtq_f32_s32(vmovl_s16(vget_high_s16(lo)));
    v[4 * h + 2] = vcvtq_f32_s32(vmovl_s16(vget_low_s16(hi)));
    v[4 * h + 3] = vcvtq_f32_s32(vmovl_s16(vget_high_s16(hi)));
  }
}
inline float scale_of(f16_t d) { return vgetq_lane_f32(vcvt_f32_f16(vreinterpret_f16_u16(vdup_n_u16(d))), 0); }

void from_q8_0(const block_q8_0* x, int n, float* y) {
  for (int b = 0; b < n / QK8_0; ++b, y += QK8_0) {
    float32x4_t v[8];
    load32(x[b].qs, v);
    const float d = scale_of(x[b].d);
    for (int u = 0; u < 8; ++u) vst1q_f32(y + 4 * u, vmulq_n_f32(v[u], d));
  }
}

// s[r] = scale * q . K[r * stride], r < R: per block, the 32 products summed in
// one vector, then scaled by the key's d into that key's accumulator.
template <int R>
inline void score_group_q8(const float* q, const block_q8_0* K, int64_t stride, int hd, float scale, float* s) {
  float32x4_t acc[R];
  for (int r = 0; r < R; ++r) acc[r] = vdupq_n_f32(0.f);
  for (int b = 0; b < hd / QK8_0; ++b) {
    float32x4_t qv[8];
    for (int u = 0; u < 8; ++u) qv[u] = vld1q_f32(q + b * QK8_0 + 4 * u);
    for (int r = 0; r < R; ++r) {
      const block_q8_0& k = K[r * stride + b];
      float32x4_t kv[8];
      load32(k.qs, kv);
      float32x4_t t0 = vmulq_f32(qv[0], kv[0]), t1 = vmulq_f32(qv[1], kv[1]);
      for (int u = 2; u < 8; u += 2) {
        t0 = vfmaq_f32(t0, qv[u], kv[u]);
        t1 = vfmaq_f32(t1, qv[u + 1], kv[u + 1]);
      }
      acc[r] = vfmaq_n_f32(acc[r], vaddq_f32(t0, t1), scale_of(k.d));
    }
  }
  for (int r = 0; r < R; ++r) s[r] = vaddvq_f32(acc[r]) * scale;
}

void scores_q8_0(const float* q, const block_q8_0* K, int64_t stride, int n_keys, int hd, float scale, float* s) {
  score_keys(K, stride, n_keys, hd / QK8_0, [&](auto keys, int j) {
    score_group_q8<decltype(keys)::value>(q, K + j * stride, stride, hd, scale, s + j);
  });
}

// out[c] = sum_j p[j] * V[j * stride] values c < 32 * B: B blocks of columns in
// 8B accumulators across all keys, each block's weight p[j] * d formed once.
template <int B>
inline void wsum_blocks_q8(const float* p, const block_q8_0* V, int64_t stride, int n_keys, float* out) {
  float32x4_t acc[8 * B];
  for (int a = 0; a < 8 * B; ++a) acc[a] = vdupq_n_f32(0.f);
  for (int j = 0; j < n_keys; ++j) {
    if (j + kPrefetchKeys < n_keys) prefetch_span(V + (j + kPrefetchKeys) * stride, sizeof(block_q8_0) * B);
    const block_q8_0* v = V + j * stride;
    for (int b = 0; b < B; ++b) {
      float32x4_t x[8];
      load32(v[b].qs, x);
      const float w = p[j] * scale_of(v[b].d);
      for (int u = 0; u < 8; ++u) acc[8 * b + u] = vfmaq_n_f32(acc[8 * b + u], x[u], w);
    }
  }
  for (int a = 0; a < 8 * B; ++a) vst1q_f32(out + 4 * a, acc[a]);
}

void weighted_sum_q8_0(const float* p, const block_q8_0* V, int64_t stride, int n_keys, int hd, float* out) {
  const int nb = hd / QK8_0;
  int b = 0;
  for (; b + 2 <= nb; b += 2) wsum_blocks_q8<2>(p, V + b, stride, n_keys, out + b * QK8_0);
  if (b < nb) wsum_blocks_q8<1>(p, V + b, stride, n_keys, out + b * QK8_0);
}

}  // namespace

const AttnKernels kAttnNeon = {dot_f32, dot_f16, axpy_f32, axpy_f16, to_f16, from_f16,  // row primitives
                               scores<float>, scores<f16_t>, weighted_sum<float>, weighted_sum<f16_t>,  // multi-key
                               from_q8_0, scores_q8_0, weighted_sum_q8_0};  // q8_0 rows

}  // namespace sprout::kern
