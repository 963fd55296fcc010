// AVX2+FMA+F16C variants of kernels/attn/attn.h.
#include <immintrin.h>

#include <algorithm>
#include <cmath>
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

constexpr int kWsumKeys = 16;  // keys per int16 weight chunk

// The integer weighted sum, per block of 32 columns and chunk of kWsumKeys keys:
// weights rounded to int16 (block_weights), then int32 sums of weight x value
// pairs (block_sum_i16), scaled back to f32 once per chunk.
//
// The scales d of keys 0..15 (rows `idx` bytes apart, lanes at or past n_keys zero) as
// two vectors of f32, read with two gathers of the 32 bits at each d (d and the first
// two values): scalar stores to a buffer read back as a vector would stall on store
// forwarding, once per block.
inline void gather_scales(const block_q8_0* V, __m256i idx, int64_t stride, int n_keys, __m256* d) {
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  for (int h = 0; h < 2; ++h) {
    const __m256i live = _mm256_cmpgt_epi32(_mm256_set1_epi32(n_keys - 8 * h), lane);
    if (_mm256_testz_si256(live, live)) {
      d[h] = _mm256_setzero_ps();
      continue;
    }
    const auto* base = reinterpret_cast<const int*>(&V[8 * h * stride].d);
    const __m256i g = _mm256_mask_i32gather_epi32(_mm256_setzero_si256(), base, idx, live, 1);
    // The low 16 bits of each lane, packed to eight f16 in lane order.
    const __m256i lo = _mm256_and_si256(g, _mm256_set1_epi32(0xFFFF));
    const __m128i h16 = _mm_packus_epi32(_mm256_castsi256_si128(lo), _mm256_extracti128_si256(lo, 1));
    d[h] = _mm256_cvtph_ps(h16);
  }
}

// Block weights for up to kWsumKeys keys: w_j = p_j * d_j (p: kWsumKeys values, zero
// past n_keys) rounded to int16 on the step W = max|w| / 32767, stored as the int32
// pairs (wq_j, wq_j+1) the sums below broadcast. Returns W: 0 when every weight is 0,
// not finite when a weight is not (then pairs is not written).
float block_weights(const float* p, const block_q8_0* V, int64_t stride, __m256i idx, int n_keys, int32_t* pairs) {
  __m256 d[2];
  gather_scales(V, idx, stride, n_keys, d);
  const __m256 w0 = _mm256_mul_ps(_mm256_load_ps(p), d[0]);
  const __m256 w1 = _mm256_mul_ps(_mm256_load_ps(p + 8), d[1]);
  const __m256 sign = _mm256_set1_ps(-0.f);
  const float wmax = vm::hmax(_mm256_max_ps(_mm256_andnot_ps(sign, w0), _mm256_andnot_ps(sign, w1)));
  if (!(wmax < INFINITY) || wmax == 0.f) return wmax == 0.f ? 0.f : INFINITY;  // NaN counts as not finite
  const __m256 inv = _mm256_set1_ps(32767.f / wmax);
  const __m256i q0 = _mm256_cvtps_epi32(_mm256_mul_ps(w0, inv)), q1 = _mm256_cvtps_epi32(_mm256_mul_ps(w1, inv));
  // int16 in key order (packs works per 128-bit lane; the permute restores the order).
  _mm256_store_si256(reinterpret_cast<__m256i*>(pairs), _mm256_permute4x64_epi64(_mm256_packs_epi32(q0, q1), 0xD8));
  return wmax / 32767.f;
}

// out[c] += step * sum_j wq_j * q_jc over one block of columns, in int32 (|sum| <=
// 16 * 32767 * 128, no overflow). Keys in pairs: the two rows' int8 widened to int16
// and interleaved, so one vpmaddwd does two keys for 8 columns, where the f32 form
// spends a convert and an FMA per key and value.
void block_sum_i16(const int32_t* pairs, float step, const block_q8_0* V, int64_t stride, int n_keys, float* out) {
  __m256i acc[4] = {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256()};
  alignas(16) static constexpr int8_t zeros[QK8_0] = {};
  for (int j = 0; j < n_keys; j += 2) {
    const int8_t* r0 = V[j * stride].qs;
    const int8_t* r1 = j + 1 < n_keys ? V[(j + 1) * stride].qs : zeros;  // its weight is 0 there
    const __m256i pair = _mm256_set1_epi32(pairs[j / 2]);
    for (int h = 0; h < 2; ++h) {  // columns 16h .. 16h + 15
      const __m256i a = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(r0 + 16 * h)));
      const __m256i b = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(r1 + 16 * h)));
      // lo: columns 0-3 | 8-11 of the sixteen, hi: 4-7 | 12-15, as (key j, key j+1) pairs.
      acc[2 * h] = _mm256_add_epi32(acc[2 * h], _mm256_madd_epi16(_mm256_unpacklo_epi16(a, b), pair));
      acc[2 * h + 1] = _mm256_add_epi32(acc[2 * h + 1], _mm256_madd_epi16(_mm256_unpackhi_epi16(a, b), pair));
    }
  }
  const __m256 vstep = _mm256_set1_ps(step);
  for (int h = 0; h < 2; ++h) {
    const __m256i c0 = _mm256_permute2x128_si256(acc[2 * h], acc[2 * h + 1], 0x20);  // columns 0-7
    const __m256i c1 = _mm256_permute2x128_si256(acc[2 * h], acc[2 * h + 1], 0x31);  // columns 8-15
    float* o = out + 16 * h;
    _mm256_storeu_ps(o, _mm256_fmadd_ps(vstep, _mm256_cvtepi32_ps(c0), _mm256_loadu_ps(o)));
    _mm256_storeu_ps(o + 8, _mm256_fmadd_ps(vstep, _mm256_cvtepi32_ps(c1), _mm256_loadu_ps(o + 8)));
  }
}

// Keys in chunks of kWsumKeys; per chunk, the weights of up to kWsumBlocks blocks first
// (independent of each other, so their gathers and reductions overlap), then the sums.
constexpr int kWsumBlocks = 8;

void weighted_sum_q8_0(const float* p, const block_q8_0* V, int64_t stride, int n_keys, int hd, float* out) {
  const int nb = hd / QK8_0;
  if (stride > INT32_MAX / int64_t(sizeof(block_q8_0) * kWsumKeys)) {  // gather offsets would not fit in int32
    int b = 0;
    for (; b + 2 <= nb; b += 2) wsum_blocks_q8<2>(p, V + b, stride, n_keys, out + b * QK8_0);
    if (b < nb) wsum_blocks_q8<1>(p, V + b, stride, n_keys, out + b * QK8_0);
    return;
  }
  const __m256i idx = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),
                                         _mm256_set1_epi32(int(stride * int64_t(sizeof(block_q8_0)))));
  for (int d = 0; d < hd; d += 8) _mm256_storeu_ps(out + d, _mm256_setzero_ps());
  for (int j0 = 0; j0 < n_keys; j0 += kWsumKeys) {
    const int nk = std::min(kWsumKeys, n_keys - j0);
    alignas(32) float pc[kWsumKeys] = {};
    std::copy(p + j0, p + j0 + nk, pc);
    for (int b0 = 0; b0 < nb; b0 += kWsumBlocks) {
      const int n = std::min(kWsumBlocks, nb - b0);
      alignas(32) int32_t pairs[kWsumBlocks][kWsumKeys / 2];
      float step[kWsumBlocks];
      for (int b = 0; b < n; ++b) step[b] = block_weights(pc, V + j0 * stride + b0 + b, stride, idx, nk, pairs[b]);
      for (int b = 0; b < n; ++b) {
        const block_q8_0* Vb = V + j0 * stride + b0 + b;
        float* ob = out + (b0 + b) * QK8_0;
        if (step[b] == 0.f) continue;
        if (step[b] < INFINITY) {
          block_sum_i16(pairs[b], step[b], Vb, stride, nk, ob);
        } else {  // a weight is not finite: the f32 form gives the NaN / inf it implies
          alignas(32) float part[QK8_0];
          wsum_blocks_q8<1>(pc, Vb, stride, nk, part);
          for (int c = 0; c < QK8_0; ++c) ob[c] += part[c];
        }
      }
    }
  }
}

}  // namespace

const AttnKernels kAttnAvx2 = {dot_f32, dot_f16, axpy_f32, axpy_f16, to_f16, from_f16,  // row primitives
                               scores<float>, scores<f16_t>, weighted_sum<float>, weighted_sum<f16_t>,  // multi-key
                               from_q8_0, scores_q8_0, weighted_sum_q8_0};  // q8_0 rows

}  // namespace sprout::kern
