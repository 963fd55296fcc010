// AVX2+FMA+F16C variants of kernels/attn/attn.h.
#include <immintrin.h>

#include <algorithm>
#include <cstddef>

#include "kernels/act/vmath_avx2.h"
#include "kernels/attn/attn.h"
#include "kernels/attn/attn_walk.h"

namespace sprout::kern {
namespace {

inline __m256 load_h(const f16_t* p) { return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))); }

float dot_f32(const float* a, const float* b, int n) {
  __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
  int i = 0;
  for (; i + 16 <= n; i += 16) {
    s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
    s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
  }
  for (; i + 8 <= n; i += 8) s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
  float s = vm::hsum(_mm256_add_ps(s0, s1));
  for (; i < n; ++i) s += a[i] * b[i];
  return s;
}

float dot_f16(const float* a, const f16_t* b, int n) {
  __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
  int i = 0;
  for (; i + 16 <= n; i += 16) {
    s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), load_h(b + i), s0);
    s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), load_h(b + i + 8), s1);
  }
  for (; i + 8 <= n; i += 8) s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), load_h(b + i), s0);
  float s = vm::hsum(_mm256_add_ps(s0, s1));
  for (; i < n; ++i) s += a[i] * f16_to_f32(b[i]);
  return s;
}

void axpy_f32(float s, const float* x, int n, float* y) {
  const __m256 vs = _mm256_set1_ps(s);
  int i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_fmadd_ps(vs, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
  for (; i < n; ++i) y[i] += s * x[i];
}

void axpy_f16(float s, const f16_t* x, int n, float* y) {
  const __m256 vs = _mm256_set1_ps(s);
  int i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_fmadd_ps(vs, load_h(x + i), _mm256_loadu_ps(y + i)));
  for (; i < n; ++i) y[i] += s * f16_to_f32(x[i]);
}

void to_f16(const float* x, int n, f16_t* y) {
  int i = 0;
  for (; i + 8 <= n; i += 8)
    _mm_storeu_si128(reinterpret_cast<__m128i*>(y + i), _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT));
  for (; i < n; ++i) y[i] = f32_to_f16(x[i]);
}

void from_f16(const f16_t* x, int n, float* y) {
  int i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, load_h(x + i));
  for (; i < n; ++i) y[i] = f16_to_f32(x[i]);
}

// ---- multi-key decode kernels ----
inline __m256 load8(const float* p) { return _mm256_loadu_ps(p); }
inline __m256 load8(const f16_t* p) { return load_h(p); }



// Sums of eight accumulators as one vector: lane r = sum of a[r]'s lanes.
inline __m256 hsum8(const __m256* a) {
  const __m256 h01 = _mm256_hadd_ps(a[0], a[1]), h23 = _mm256_hadd_ps(a[2], a[3]);
  const __m256 h45 = _mm256_hadd_ps(a[4], a[5]), h67 = _mm256_hadd_ps(a[6], a[7]);
  const __m256 l = _mm256_hadd_ps(h01, h23), h = _mm256_hadd_ps(h45, h67);
  // l = [s0 s1 s2 s3 | s0' s1' s2' s3'] (low/high 128-bit halves of the sums), h likewise for keys 4..7.
  return _mm256_add_ps(_mm256_permute2f128_ps(l, h, 0x20), _mm256_permute2f128_ps(l, h, 0x31));
}

// s[r] = scale * q . K[r * stride], r < R, with one accumulator per key.
template <int R, class T>
inline void score_group(const float* q, const T* K, int64_t stride, int hd, float scale, float* s) {
  __m256 acc[R];
  for (int r = 0; r < R; ++r) acc[r] = _mm256_setzero_ps();
  int i = 0;
  for (; i + 8 <= hd; i += 8) {
    const __m256 qv = _mm256_loadu_ps(q + i);
    for (int r = 0; r < R; ++r) acc[r] = _mm256_fmadd_ps(qv, load8(K + r * stride + i), acc[r]);
  }
  float sum[R];
  if constexpr (R == 8) {
    _mm256_storeu_ps(sum, hsum8(acc));
  } else {
    for (int r = 0; r < R; ++r) sum[r] = vm::hsum(acc[r]);
  }
  for (int r = 0; r < R; ++r) {
    for (int t = i; t < hd; ++t) sum[r] += q[t] * to_f32(K[r * stride + t]);
    s[r] = sum[r] * scale;
  }
}

template <class T>
void scores(const float* q, const T* K, int64_t stride, int n_keys, int hd, float scale, float* s) {
  score_keys(K, stride, n_keys, hd, [&](auto keys, int j) {
    score_group<decltype(keys)::value>(q, K + j * stride, stride, hd, scale, s + j);
  });
}

// out[c] = sum_j p[j] * V[j * stride + c] for c < 8 * A, the 8A columns held in
// A accumulators across all keys.
template <int A, class T>
inline void wsum_cols(const float* p, const T* V, int64_t stride, int n_keys, float* out) {
  __m256 acc[A];
  for (int a = 0; a < A; ++a) acc[a] = _mm256_setzero_ps();
  for (int j = 0; j < n_keys; ++j) {
    if (j + kPrefetchKeys < n_keys) prefetch_span(V + (j + kPrefetchKeys) * stride, sizeof(T) * 8 * A);
    const __m256 pj = _mm256_broadcast_ss(p + j);
    const T* v = V + j * stride;
    for (int a = 0; a < A; ++a) acc[a] = _mm256_fmadd_ps(pj, load8(v + 8 * a), acc[a]);
  }
  for (int a = 0; a < A; ++a) _mm256_storeu_ps(out + 8 * a, acc[a]);
}

template <class T>
void weighted_sum(const float* p, const T* V, int64_t stride, int n_keys, int hd, float* out) {
  int d = 0;
  for (; d + 64 <= hd; d += 64) wsum_cols<8>(p, V + d, stride, n_keys, out + d);
  if (d + 32 <= hd) wsum_cols<4>(p, V + d, stride, n_keys, out + d), d += 32;
  if (d + 16 <= hd) wsum_cols<2>(p, V + d, stride, n_keys, out + d), d += 16;
  for (; d + 8 <= hd; d += 8) wsum_cols<1>(p, V + d, stride, n_keys, out + d);
  weighted_sum_tail(p, V, stride, n_keys, d, hd, out);
}

// ---- q8_0 rows ----
// Eight int8 -> eight f32; a block's scale d (f16) -> f32 in every lane.
inline __m256 load8(const int8_t* p) {
  return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))));
}
inline __m256 scale8(f16_t d) { return _mm256_cvtph_ps(_mm_set1_epi16(short(d))); }

void from_q8_0(const block_q8_0* x, int n, float* y) {
  for (int b = 0; b < n / QK8_0; ++b, y += QK8_0) {
    const __m256 d = scale8(x[b].d);
    for (int u = 0; u < 4; ++u) _mm256_storeu_ps(y + 8 * u, _mm256_mul_ps(d, load8(x[b].qs + 8 * u)));
  }
}

// s[r] = scale * q . K[r * stride], r < R: per block, the 32 products summed in
// one vector, then scaled by the key's d into that key's accumulator.
template <int R>
inline void score_group_q8(const float* q, const block_q8_0* K, int64_t stride, int hd, float scale, float* s) {
  __m256 acc[R];
  for (int r = 0; r < R; ++r) acc[r] = _mm256_setzero_ps();
  for (int b = 0; b < hd / QK8_0; ++b) {
    const float* qb = q + b * QK8_0;
    const __m256 q0 = _mm256_loadu_ps(qb), q1 = _mm256_loadu_ps(qb + 8), q2 = _mm256_loadu_ps(qb + 16),
                 q3 = _mm256_loadu_ps(qb + 24);
    for (int r = 0; r < R; ++r) {
      const block_q8_0& k = K[r * stride + b];
      __m256 t = _mm256_mul_ps(q0, load8(k.qs));
      t = _mm256_fmadd_ps(q1, load8(k.qs + 8), t);
      t = _mm256_fmadd_ps(q2, load8(k.qs + 16), t);
      t = _mm256_fmadd_ps(q3, load8(k.qs + 24), t);
      acc[r] = _mm256_fmadd_ps(t, scale8(k.d), acc[r]);
    }
  }
  float sum[R];
  if constexpr (R == 8) {
    _mm256_storeu_ps(sum, hsum8(acc));
  } else {
    for (int r = 0; r < R; ++r) sum[r] = vm::hsum(acc[r]);
  }
  for (int r = 0; r < R; ++r) s[r] = sum[r] * scale;
}

void scores_q8_0(const float* q, const block_q8_0* K, int64_t stride, int n_keys, int hd, float scale, float* s) {
  score_keys(K, stride, n_keys, hd / QK8_0, [&](auto keys, int j) {
    score_group_q8<decltype(keys)::value>(q, K + j * stride, stride, hd, scale, s + j);
  });
}

// out[c] = sum_j p[j] * V[j * stride] values c < 32 * B: B blocks of columns in
// 4B accumulators across all keys, each block's weight p[j] * d formed once.
template <int B>
inline void wsum_blocks_q8(const float* p, const block_q8_0* V, int64_t stride, int n_keys, float* out) {
  __m256 acc[4 * B];
  for (int a = 0; a < 4 * B; ++a) acc[a] = _mm256_setzero_ps();
  for (int j = 0; j < n_keys; ++j) {
    if (j + kPrefetchKeys < n_keys) prefetch_span(V + (j + kPrefetchKeys) * stride, sizeof(block_q8_0) * B);
    const __m256 pj = _mm256_broadcast_ss(p + j);
    const block_q8_0* v = V + j * stride;
    for (int b = 0; b < B; ++b) {
      const __m256 w = _mm256_mul_ps(pj, scale8(v[b].d));
      for (int u = 0; u < 4; ++u) acc[4 * b + u] = _mm256_fmadd_ps(w, load8(v[b].qs + 8 * u), acc[4 * b + u]);
    }
  }
  for (int a = 0; a < 4 * B; ++a) _mm256_storeu_ps(out + 8 * a, acc[a]);
}

void weighted_sum_q8_0(const float* p, const block_q8_0* V, int64_t stride, int n_keys, int hd, float* out) {
  const int nb = hd / QK8_0;
  int b = 0;
  for (; b + 2 <= nb; b += 2) wsum_blocks_q8<2>(p, V + b, stride, n_keys, out + b * QK8_0);
  if (b < nb) wsum_blocks_q8<1>(p, V + b, stride, n_keys, out + b * QK8_0);
}

}  // namespace

const AttnKernels kAttnAvx2 = {dot_f32,
                               dot_f16,
                               axpy_f32,
                               axpy_f16,
                               to_f16,
                               from_f16,
                               scores<float>,
                               scores<f16_t>,
                               weighted_sum<float>,
                               weighted_sum<f16_t>,
                               from_q8_0,
                               scores_q8_0,
                               weighted_sum_q8_0};

}  // namespace sprout::kern
