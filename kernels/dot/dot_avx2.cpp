// AVX2+FMA+F16C variants of kernels/dot/dot.h (compiled with -mavx2 -mfma -mf16c,
// called only when cpuid reports them).
//
// Integer products use the maddubs trick: _mm256_maddubs_epi16 multiplies
// unsigned by signed bytes into saturating int16 pairs, so signed x signed is
// done as |x| * (y with x's sign). Pairs stay far below the int16 limit for
// every format here (worst case q6_K: 2 * 63 * 127).
#include <immintrin.h>

#include <cmath>
#include <cstring>

#include "kernels/common/quant_blocks.h"
#include "kernels/dot/dot.h"
#include "kernels/act/vmath_avx2.h"
#include "kernels/quant/quant.h"

namespace sprout::kern {
namespace {

using vm::hsum;  // one horizontal sum for every AVX2 kernel (kernels/act/vmath_avx2.h)

inline int hsum_i32(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
  return _mm_cvtsi128_si32(s);
}

inline float hmax(__m256 v) {
  __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  m = _mm_max_ps(m, _mm_movehl_ps(m, m));
  m = _mm_max_ss(m, _mm_movehdup_ps(m));
  return _mm_cvtss_f32(m);
}

inline float f16(f16_t h) { return _cvtsh_ss(h); }
inline __m256i load32(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }

// int32 lanes of sums of signed x * signed y, 4 products per lane.
inline __m256i mul_sum_i8(__m256i x, __m256i y) {
  const __m256i p = _mm256_maddubs_epi16(_mm256_sign_epi8(x, x), _mm256_sign_epi8(y, x));
  return _mm256_madd_epi16(p, _mm256_set1_epi16(1));
}
// Same for unsigned x (0..127) * signed y.
inline __m256i mul_sum_u8(__m256i ux, __m256i y) {
  return _mm256_madd_epi16(_mm256_maddubs_epi16(ux, y), _mm256_set1_epi16(1));
}
// int32 lanes of sums of signed bytes.
inline __m256i sum_i8(__m256i y) { return mul_sum_u8(_mm256_set1_epi8(1), y); }

// 16 bytes of packed nibbles -> 32 values 0..15: low nibbles first, then high.
// (Broadcast load, then shift only the upper half by 4: bits a 64-bit shift carries
// in from the neighbouring byte land in the high nibble, which the mask drops.)
inline __m256i nibbles32(const uint8_t* p) {
  const __m256i b = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  return _mm256_and_si256(_mm256_srlv_epi64(b, _mm256_setr_epi64x(0, 0, 4, 4)), _mm256_set1_epi8(0xF));
}

// 32 bits -> 32 bytes, 0xFF where the bit is set (byte k <- bit k).
inline __m256i bits32(const uint8_t* p) {
  uint32_t x;
  std::memcpy(&x, p, 4);
  const __m256i shuf = _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202, 0x0101010101010101, 0);
  __m256i b = _mm256_shuffle_epi8(_mm256_set1_epi32(int(x)), shuf);
  b = _mm256_or_si256(b, _mm256_set1_epi64x(0x7fbfdfeff7fbfdfe));  // every bit but bit (k % 8)
  return _mm256_cmpeq_epi8(b, _mm256_set1_epi64x(-1));
}

// roundf (ties away from zero), exactly: trunc, then step away when |frac| >= 0.5.
inline __m256 round_away(__m256 v) {
  const __m256 t = _mm256_round_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  const __m256 sign = _mm256_and_ps(v, _mm256_set1_ps(-0.f));
  const __m256 absfrac = _mm256_andnot_ps(_mm256_set1_ps(-0.f), _mm256_sub_ps(v, t));
  const __m256 step = _mm256_and_ps(_mm256_cmp_ps(absfrac, _mm256_set1_ps(0.5f), _CMP_GE_OQ), _mm256_set1_ps(1.f));
  return _mm256_add_ps(t, _mm256_or_ps(step, sign));
}

// Four vectors of 8 integral floats -> 32 int8 in order.
inline void store_i8x32(__m256 a, __m256 b, __m256 c, __m256 d, int8_t* out) {
  __m256i i0 = _mm256_packs_epi32(_mm256_cvtps_epi32(a), _mm256_cvtps_epi32(b));
  __m256i i1 = _mm256_packs_epi32(_mm256_cvtps_epi32(c), _mm256_cvtps_epi32(d));
  i0 = _mm256_packs_epi16(i0, i1);
  i0 = _mm256_permutevar8x32_epi32(i0, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), i0);
}

// (No namespace-scope vector constants: their initializers would run on CPUs without AVX2.)
inline __m256 abs_mask() { return _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff)); }

void quantize_q8_0_avx2(const float* x, int n, void* out) {
  auto* y = const_cast<block_q8_0*>(q8_0_row(out, n).b);
  for (int i = 0; i < n / QK8_0; ++i, x += QK8_0) {
    __m256 v0 = _mm256_loadu_ps(x), v1 = _mm256_loadu_ps(x + 8), v2 = _mm256_loadu_ps(x + 16),
           v3 = _mm256_loadu_ps(x + 24);
    __m256 m = _mm256_max_ps(_mm256_and_ps(v0, abs_mask()), _mm256_and_ps(v1, abs_mask()));
    m = _mm256_max_ps(m, _mm256_max_ps(_mm256_and_ps(v2, abs_mask()), _mm256_and_ps(v3, abs_mask())));
    const float d = hmax(m) / 127.f;
    const float id = d != 0.f ? 1.f / d : 0.f;
    y[i].d = f32_to_f16(d);
    const __m256 vid = _mm256_set1_ps(id);
    store_i8x32(round_away(_mm256_mul_ps(v0, vid)), round_away(_mm256_mul_ps(v1, vid)),
                round_away(_mm256_mul_ps(v2, vid)), round_away(_mm256_mul_ps(v3, vid)), y[i].qs);
  }
  q8_0_row_sums(n, out);
}

void quantize_q8_K_avx2(const float* x, int n, void* out) {
  auto* y = static_cast<block_q8_K*>(out);
  for (int i = 0; i < n / QK_K; ++i, x += QK_K) {
    __m256 m = _mm256_setzero_ps();
    for (int j = 0; j < QK_K; j += 8) m = _mm256_max_ps(m, _mm256_and_ps(_mm256_loadu_ps(x + j), abs_mask()));
    const float amax = hmax(m);
    if (amax == 0.f) {
      std::memset(&y[i], 0, sizeof(block_q8_K));
      continue;
    }
    float max = 0;  // the first value of largest magnitude, with its sign
    for (int j = 0; j < QK_K; ++j)
      if (std::fabs(x[j]) == amax) { max = x[j]; break; }
    const float iscale = -127.f / max;
    const __m256 vs = _mm256_set1_ps(iscale), lim = _mm256_set1_ps(127.f);
    for (int j = 0; j < QK_K; j += 32) {
      __m256 r[4];
      for (int k = 0; k < 4; ++k) {
        r[k] = _mm256_round_ps(_mm256_mul_ps(_mm256_loadu_ps(x + j + 8 * k), vs),
                               _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);  // ties to even = nearest_int
        r[k] = _mm256_min_ps(r[k], lim);
      }
      store_i8x32(r[0], r[1], r[2], r[3], y[i].qs + j);
    }
    for (int j = 0; j < QK_K / 16; ++j) {
      const __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(y[i].qs + 16 * j));
      const __m256i w = _mm256_cvtepi8_epi16(q);
      y[i].bsums[j] = int16_t(hsum_i32(_mm256_madd_epi16(w, _mm256_set1_epi16(1))));
    }
    y[i].d = 1.f / iscale;
  }
}

float quantize_i8_avx2(const float* x, int n, int8_t* out) {
  __m256 m = _mm256_setzero_ps();
  int i = 0;
  for (; i + 8 <= n; i += 8) m = _mm256_max_ps(m, _mm256_and_ps(_mm256_loadu_ps(x + i), abs_mask()));
  float amax = hmax(m);
  for (; i < n; ++i) amax = std::fmax(amax, std::fabs(x[i]));
  const float scale = amax / 127.f;
  const float inv = scale != 0.f ? 1.f / scale : 0.f;
  const __m256 vinv = _mm256_set1_ps(inv);
  i = 0;
  for (; i + 32 <= n; i += 32)
    store_i8x32(round_away(_mm256_mul_ps(_mm256_loadu_ps(x + i), vinv)),
                round_away(_mm256_mul_ps(_mm256_loadu_ps(x + i + 8), vinv)),
                round_away(_mm256_mul_ps(_mm256_loadu_ps(x + i + 16), vinv)),
                round_away(_mm256_mul_ps(_mm256_loadu_ps(x + i + 24), vinv)), out + i);
  for (; i < n; ++i) out[i] = int8_t(std::roundf(x[i] * inv));
  return scale;
}

// Software prefetch of the weight stream, `Dist` bytes ahead of the `Step` bytes a
// loop iteration consumes (running on into the next rows of a GEMV, which are
// contiguous). Decode is a DRAM stream: without it, each core's DRAM latency and
// its compute were serialized (q4_0 GEMV read 5.3 GB/s on one thread against
// 10.8 GB/s available and 15 GB/s of in-cache kernel speed). Distances were
// tuned with `sprout bench` decode on Qwen1.5-1.8B shapes (docs/performance.md).
// A prefetch never faults, so running past the end of the matrix is harmless.
template <size_t Dist, size_t Step>
inline void prefetch_ahead(const void* p) {
  if constexpr (Dist > 0) {
    const char* a = static_cast<const char*>(p) + Dist;
    for (size_t o = 0; o < Step; o += 64) _mm_prefetch(a + o, _MM_HINT_T0);
  }
}
constexpr size_t kPfDist = 2048;  // f32, f16, bf16, k-quants

float dot_f32_avx2(int n, const void* wv, const void* av) {
  const float* w = static_cast<const float*>(wv);
  const float* a = static_cast<const float*>(av);
  __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
  int i = 0;
  for (; i + 32 <= n; i += 32) {
    prefetch_ahead<kPfDist, 128>(w + i);
    s0 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i), _mm256_loadu_ps(a + i), s0);
    s1 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i + 8), _mm256_loadu_ps(a + i + 8), s1);
    s2 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i + 16), _mm256_loadu_ps(a + i + 16), s2);
    s3 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i + 24), _mm256_loadu_ps(a + i + 24), s3);
  }
  for (; i + 8 <= n; i += 8) s0 = _mm256_fmadd_ps(_mm256_loadu_ps(w + i), _mm256_loadu_ps(a + i), s0);
  float s = hsum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
  for (; i < n; ++i) s += w[i] * a[i];
  return s;
}

// f16 / bf16 rows: 8 values widened to f32 per step.
template <bool BF16>
inline __m256 load_half8(const uint16_t* p) {
  const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  if constexpr (BF16) return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
  else return _mm256_cvtph_ps(h);
}

template <bool BF16>
float dot_half_avx2(int n, const void* wv, const void* av) {
  const uint16_t* w = static_cast<const uint16_t*>(wv);
  const float* a = static_cast<const float*>(av);
  __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
  int i = 0;
  for (; i + 32 <= n; i += 32) {
    prefetch_ahead<kPfDist, 64>(w + i);
    s0 = _mm256_fmadd_ps(load_half8<BF16>(w + i), _mm256_loadu_ps(a + i), s0);
    s1 = _mm256_fmadd_ps(load_half8<BF16>(w + i + 8), _mm256_loadu_ps(a + i + 8), s1);
    s2 = _mm256_fmadd_ps(load_half8<BF16>(w + i + 16), _mm256_loadu_ps(a + i + 16), s2);
    s3 = _mm256_fmadd_ps(load_half8<BF16>(w + i + 24), _mm256_loadu_ps(a + i + 24), s3);
  }
  for (; i + 8 <= n; i += 8) s0 = _mm256_fmadd_ps(load_half8<BF16>(w + i), _mm256_loadu_ps(a + i), s0);
  float s = hsum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
  for (; i < n; ++i) s += (BF16 ? bf16_to_f32(w[i]) : f16_to_f32(w[i])) * a[i];
  return s;
}

// Two rows in lockstep (dot.h, Dot2Fn); the activation loads are shared.
// E: float, or uint16_t for f16 (BF16 = false) / bf16 (BF16 = true).
template <class E, bool BF16>
inline __m256 load8(const E* p) {
  if constexpr (sizeof(E) == 4) return _mm256_loadu_ps(reinterpret_cast<const float*>(p));
  else return load_half8<BF16>(p);
}
template <class E, bool BF16>
inline float load1(const E* p) {
  if constexpr (sizeof(E) == 4) return *reinterpret_cast<const float*>(p);
  else return BF16 ? bf16_to_f32(*p) : f16_to_f32(*p);
}

// Per row, the very accumulation of dot_f32_avx2 / dot_half_avx2 (four
// accumulators over steps of 32 values, the same tails), so dot2 and dot agree
// bit for bit and a GEMV's output does not depend on how its rows were paired.
template <class E, bool BF16>
void dot2_float_avx2(int n, const void* w0v, const void* w1v, const void* av, float* out) {
  const E* w[2] = {static_cast<const E*>(w0v), static_cast<const E*>(w1v)};
  const float* a = static_cast<const float*>(av);
  __m256 s[2][4];
  for (auto& r : s)
    for (auto& v : r) v = _mm256_setzero_ps();
  int i = 0;
  for (; i + 32 <= n; i += 32) {
    for (int r = 0; r < 2; ++r) prefetch_ahead<kPfDist, 32 * sizeof(E)>(w[r] + i);
    for (int j = 0; j < 4; ++j) {
      const __m256 x = _mm256_loadu_ps(a + i + 8 * j);
      for (int r = 0; r < 2; ++r) s[r][j] = _mm256_fmadd_ps(load8<E, BF16>(w[r] + i + 8 * j), x, s[r][j]);
    }
  }
  for (; i + 8 <= n; i += 8) {
    const __m256 x = _mm256_loadu_ps(a + i);
    for (int r = 0; r < 2; ++r) s[r][0] = _mm256_fmadd_ps(load8<E, BF16>(w[r] + i), x, s[r][0]);
  }
  for (int r = 0; r < 2; ++r) {
    float t = hsum(_mm256_add_ps(_mm256_add_ps(s[r][0], s[r][1]), _mm256_add_ps(s[r][2], s[r][3])));
    for (int j = i; j < n; ++j) t += load1<E, BF16>(w[r] + j) * a[j];
    out[r] = t;
  }
}

void dot2_i8_avx2(int n, const void* w0v, const void* w1v, const void* av, float* out) {
  const int8_t* w0 = static_cast<const int8_t*>(w0v);
  const int8_t* w1 = static_cast<const int8_t*>(w1v);
  const int8_t* a = static_cast<const int8_t*>(av);
  __m256i s = _mm256_setzero_si256(), t = s;
  int i = 0;
  for (; i + 32 <= n; i += 32) {
    prefetch_ahead<1024, 32>(w0 + i);
    prefetch_ahead<1024, 32>(w1 + i);
    const __m256i x = load32(a + i);
    s = _mm256_add_epi32(s, mul_sum_i8(load32(w0 + i), x));
    t = _mm256_add_epi32(t, mul_sum_i8(load32(w1 + i), x));
  }
  int32_t rs = hsum_i32(s), rt = hsum_i32(t);
  for (; i < n; ++i) {
    rs += int32_t(w0[i]) * int32_t(a[i]);
    rt += int32_t(w1[i]) * int32_t(a[i]);
  }
  out[0] = float(rs);
  out[1] = float(rt);
}

float dot_i8_avx2(int n, const void* wv, const void* av) {
  const int8_t* w = static_cast<const int8_t*>(wv);
  const int8_t* a = static_cast<const int8_t*>(av);
  __m256i s = _mm256_setzero_si256();
  int i = 0;
  for (; i + 32 <= n; i += 32) {
    prefetch_ahead<1024, 32>(w + i);  // 1-byte values: the q8_0 distance
    s = _mm256_add_epi32(s, mul_sum_i8(load32(w + i), load32(a + i)));
  }
  int32_t t = hsum_i32(s);
  for (; i < n; ++i) t += int32_t(w[i]) * int32_t(a[i]);
  return float(t);
}

// Lane k of the result = sum of the 8 lanes of p[k].
inline __m256i reduce8(const __m256i* p) {
  const __m256i h01 = _mm256_hadd_epi32(p[0], p[1]), h23 = _mm256_hadd_epi32(p[2], p[3]);
  const __m256i h45 = _mm256_hadd_epi32(p[4], p[5]), h67 = _mm256_hadd_epi32(p[6], p[7]);
  const __m256i lo = _mm256_hadd_epi32(h01, h23), hi = _mm256_hadd_epi32(h45, h67);  // 128-bit halves
  return _mm256_add_epi32(_mm256_permute2x128_si256(lo, hi, 0x20), _mm256_permute2x128_si256(lo, hi, 0x31));
}

// The f16 fields `field` of 8 consecutive blocks as f32.
template <class B>
inline __m256 halves8(const B* b, f16_t B::*field) {
  return _mm256_cvtph_ps(_mm_setr_epi16(short(b[0].*field), short(b[1].*field), short(b[2].*field), short(b[3].*field),
                                        short(b[4].*field), short(b[5].*field), short(b[6].*field), short(b[7].*field)));
}

// The q8_0 family against q8_0 activations. W describes the weight block:
//   vals(b)   its 32 values as bytes, in activation order
//   kSigned   values are int8 (sign trick) or unsigned 0..31 (plain maddubs)
//   kOffset   value = stored - kOffset, applied exactly in int32 via the activation sums
//   kMin      adds m_w * d_a * sum(q_a) (q4_1, q5_1)
// Eight blocks per step: eight int32 block sums reduced into one vector, so the
// scales are converted and applied 8 at a time.
// kPrefetch is the prefetch distance in bytes (prefetch_ahead).
template <class Block, size_t Prefetch, bool Signed, bool Min, int Offset>
struct WeightDesc {
  using B = Block;
  static constexpr size_t kPrefetch = Prefetch;
  static constexpr bool kSigned = Signed, kMin = Min;
  static constexpr int kOffset = Offset;
};
// q5_0 / q5_1: the low nibbles with the 5th bit from qh.
template <class B>
inline __m256i five_bits32(const B& b) {
  return _mm256_or_si256(nibbles32(b.qs), _mm256_and_si256(bits32(b.qh), _mm256_set1_epi8(0x10)));
}
struct Q8_0W : WeightDesc<block_q8_0, 1024, true, false, 0> {
  static __m256i vals(const B& b) { return load32(b.qs); }
};
struct Q4_0W : WeightDesc<block_q4_0, 2048, false, false, 8> {
  static __m256i vals(const B& b) { return nibbles32(b.qs); }
};
struct Q4_1W : WeightDesc<block_q4_1, 2048, false, true, 0> {
  static __m256i vals(const B& b) { return nibbles32(b.qs); }
};
struct Q5_0W : WeightDesc<block_q5_0, 2048, false, false, 16> {
  static __m256i vals(const B& b) { return five_bits32(b); }
};
struct Q5_1W : WeightDesc<block_q5_1, 2048, false, true, 0> {
  static __m256i vals(const B& b) { return five_bits32(b); }
};

// Blocks [i, nb) left over after the 8-block steps, one at a time, added to s
// (shared by the one- and two-row kernels, which must agree bit for bit).
template <class W>
float q8fam_tail(float s, const typename W::B* w, const Q8Row& a, int i, int nb) {
  for (; i < nb; ++i) {
    const __m256i q = W::vals(w[i]), y = load32(a.b[i].qs);
    const int32_t sumi = hsum_i32(W::kSigned ? mul_sum_i8(q, y) : mul_sum_u8(q, y)) - W::kOffset * a.sum[i];
    s += float(sumi) * (f16(w[i].d) * a.d[i]);
    if constexpr (W::kMin) s += f16(w[i].m) * a.ds[i];
  }
  return s;
}

template <class W>
float dot_q8fam_avx2(int n, const void* wv, const void* av) {
  using B = typename W::B;
  const B* w = static_cast<const B*>(wv);
  const Q8Row a = q8_0_row(av, n);
  const int nb = n / 32;
  __m256 acc = _mm256_setzero_ps(), accm = _mm256_setzero_ps();
  int i = 0;
  for (; i + 8 <= nb; i += 8) {
    prefetch_ahead<W::kPrefetch, 8 * sizeof(B)>(w + i);
    __m256i p[8];
    for (int k = 0; k < 8; ++k) {
      const __m256i q = W::vals(w[i + k]), y = load32(a.b[i + k].qs);
      p[k] = W::kSigned ? mul_sum_i8(q, y) : mul_sum_u8(q, y);
    }
    __m256i sumi = reduce8(p);
    if constexpr (W::kOffset != 0)
      sumi = _mm256_sub_epi32(sumi, _mm256_mullo_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a.sum + i)),
                                                      _mm256_set1_epi32(W::kOffset)));
    const __m256 dw = halves8(w + i, &B::d);
    acc = _mm256_fmadd_ps(_mm256_mul_ps(dw, _mm256_loadu_ps(a.d + i)), _mm256_cvtepi32_ps(sumi), acc);
    if constexpr (W::kMin) accm = _mm256_fmadd_ps(halves8(w + i, &B::m), _mm256_loadu_ps(a.ds + i), accm);
  }
  return q8fam_tail<W>(hsum(_mm256_add_ps(acc, accm)), w, a, i, nb);
}

// Two rows in lockstep (Dot2Fn): the activation blocks and scales are loaded once.
// Per row, the very operations of dot_q8fam_avx2, so the results are bit-identical.
template <class W>
void dot2_q8fam_avx2(int n, const void* w0v, const void* w1v, const void* av, float* out) {
  using B = typename W::B;
  const B* w[2] = {static_cast<const B*>(w0v), static_cast<const B*>(w1v)};
  const Q8Row a = q8_0_row(av, n);
  const int nb = n / 32;
  __m256 acc[2] = {_mm256_setzero_ps(), _mm256_setzero_ps()}, accm[2] = {acc[0], acc[1]};
  int i = 0;
  for (; i + 8 <= nb; i += 8) {
    prefetch_ahead<W::kPrefetch, 8 * sizeof(B)>(w[0] + i);
    prefetch_ahead<W::kPrefetch, 8 * sizeof(B)>(w[1] + i);
    __m256i p[2][8];
    for (int k = 0; k < 8; ++k) {
      const __m256i y = load32(a.b[i + k].qs);
      for (int r = 0; r < 2; ++r) {
        const __m256i q = W::vals(w[r][i + k]);
        p[r][k] = W::kSigned ? mul_sum_i8(q, y) : mul_sum_u8(q, y);
      }
    }
    const __m256 da = _mm256_loadu_ps(a.d + i);
    __m256i off = _mm256_setzero_si256();
    if constexpr (W::kOffset != 0)
      off = _mm256_mullo_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a.sum + i)),
                               _mm256_set1_epi32(W::kOffset));
    for (int r = 0; r < 2; ++r) {
      const __m256i sumi = _mm256_sub_epi32(reduce8(p[r]), off);
      acc[r] = _mm256_fmadd_ps(_mm256_mul_ps(halves8(w[r] + i, &B::d), da), _mm256_cvtepi32_ps(sumi), acc[r]);
      if constexpr (W::kMin) accm[r] = _mm256_fmadd_ps(halves8(w[r] + i, &B::m), _mm256_loadu_ps(a.ds + i), accm[r]);
    }
  }
  for (int r = 0; r < 2; ++r) out[r] = q8fam_tail<W>(hsum(_mm256_add_ps(acc[r], accm[r])), w[r], a, i, nb);
}

// The 8 six-bit scales and 8 six-bit mins of a q4_K / q5_K super-block (12 bytes,
// kernels/quant/quant.h get_scale_min_k4) as bytes, unpacked four at a time in
// 32-bit words: sub-blocks 0-3 keep the low 6 bits of bytes 0-3 (scales) and 4-7
// (mins); sub-blocks 4-7 take a nibble of bytes 8-11 and the top 2 bits of bytes
// 0-3 (scales) or 4-7 (mins).
inline void unpack_scales_k4(const uint8_t* q, uint64_t* sc, uint64_t* m) {
  uint32_t u0, u1, u2;
  std::memcpy(&u0, q, 4);
  std::memcpy(&u1, q + 4, 4);
  std::memcpy(&u2, q + 8, 4);
  const uint32_t sc_lo = u0 & 0x3f3f3f3f, m_lo = u1 & 0x3f3f3f3f;
  const uint32_t sc_hi = (u2 & 0x0f0f0f0f) | (((u0 >> 6) & 0x03030303) << 4);
  const uint32_t m_hi = ((u2 >> 4) & 0x0f0f0f0f) | (((u1 >> 6) & 0x03030303) << 4);
  *sc = uint64_t(sc_lo) | uint64_t(sc_hi) << 32;
  *m = uint64_t(m_lo) | uint64_t(m_hi) << 32;
}

// q4_K / q5_K: 4 chunks of 64 values; low nibbles are sub-block 2j, high 2j+1.
// Scales enter as the int16 multiplier of madd (broadcast by a byte shuffle from
// one vector of the 8 scales); mins as one madd of q8_K's 16 bsums against the
// mins, each repeated for its two 16-value halves, accumulated across blocks.
template <bool Q5>
float dot_qk_asym_avx2(int n, const void* wv, const void* av) {
  const auto* a = static_cast<const block_q8_K*>(av);
  const __m256i m4 = _mm256_set1_epi8(0xF), one = _mm256_set1_epi8(1);
  __m256 acc = _mm256_setzero_ps(), accm = _mm256_setzero_ps();
  for (int i = 0; i < n / QK_K; ++i) {
    prefetch_ahead<kPfDist, Q5 ? sizeof(block_q5_K) : sizeof(block_q4_K)>(
        static_cast<const uint8_t*>(wv) + size_t(i) * (Q5 ? sizeof(block_q5_K) : sizeof(block_q4_K)));
    const auto [scales, qs, qh, d16, dmin16] = qk_asym_block<Q5>(wv, i);
    uint64_t sc8, m8;
    unpack_scales_k4(scales, &sc8, &m8);
    // Mins: sum_j m[j] * (bsums[2j] + bsums[2j+1]) as 8 int32 lanes.
    const __m128i mv = _mm_cvtsi64_si128(int64_t(m8));
    const __m256i m16 = _mm256_cvtepu8_epi16(_mm_unpacklo_epi8(mv, mv));
    const __m256i bs = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a[i].bsums));
    accm = _mm256_fmadd_ps(_mm256_set1_ps(a[i].d * f16(dmin16)), _mm256_cvtepi32_ps(_mm256_madd_epi16(bs, m16)), accm);
    // Scales as int16 in both 128-bit lanes: lane j of the shuffles below picks scale k.
    const __m256i sc16 = _mm256_broadcastsi128_si256(_mm_cvtepu8_epi16(_mm_cvtsi64_si128(int64_t(sc8))));
    const __m256i hb = Q5 ? load32(qh) : _mm256_setzero_si256();
    __m256i sumi = _mm256_setzero_si256();
    const int8_t* q8 = a[i].qs;
    for (int j = 0; j < 4; ++j, q8 += 64) {
      const __m256i bits = load32(qs + 32 * j);
      __m256i lo = _mm256_and_si256(bits, m4);
      __m256i hi = _mm256_and_si256(_mm256_srli_epi16(bits, 4), m4);
      if constexpr (Q5) {
        lo = _mm256_or_si256(lo, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 2 * j), one), 4));
        hi = _mm256_or_si256(hi, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 2 * j + 1), one), 4));
      }
      const __m256i slo = _mm256_shuffle_epi8(sc16, _mm256_set1_epi16(short(0x0100 * (4 * j + 1) + 4 * j)));
      const __m256i shi = _mm256_shuffle_epi8(sc16, _mm256_set1_epi16(short(0x0100 * (4 * j + 3) + 4 * j + 2)));
      const __m256i pl = _mm256_madd_epi16(_mm256_maddubs_epi16(lo, load32(q8)), slo);
      const __m256i ph = _mm256_madd_epi16(_mm256_maddubs_epi16(hi, load32(q8 + 32)), shi);
      sumi = _mm256_add_epi32(sumi, _mm256_add_epi32(pl, ph));
    }
    acc = _mm256_fmadd_ps(_mm256_set1_ps(a[i].d * f16(d16)), _mm256_cvtepi32_ps(sumi), acc);
  }
  return hsum(acc) - hsum(accm);
}

// q6_K: per half (128 values) four 32-value groups; group k's low 16 values use
// scale 2k, its high 16 scale 2k+1 (int16 madd multipliers picked by a byte
// shuffle from the half's 8 scales, broadcast to both 128-bit lanes). The -32
// offset is 32 * sum_j scale[j] * bsums[j]: one madd, accumulated across blocks.
float dot_q6_K_avx2(int n, const void* wv, const void* av) {
  const auto* w = static_cast<const block_q6_K*>(wv);
  const auto* a = static_cast<const block_q8_K*>(av);
  const __m256i m4 = _mm256_set1_epi8(0xF), m2 = _mm256_set1_epi8(3);
  __m256 acc = _mm256_setzero_ps(), acco = _mm256_setzero_ps();
  for (int i = 0; i < n / QK_K; ++i) {
    prefetch_ahead<kPfDist, sizeof(block_q6_K)>(w + i);
    const uint8_t* ql = w[i].ql;
    const uint8_t* qh = w[i].qh;
    const int8_t* q8 = a[i].qs;
    const __m256i sc16 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w[i].scales)));
    const float d = a[i].d * f16(w[i].d);
    const __m256i off = _mm256_madd_epi16(sc16, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a[i].bsums)));
    acco = _mm256_fmadd_ps(_mm256_set1_ps(32.f * d), _mm256_cvtepi32_ps(off), acco);
    // Scales 0..7 and 8..15 of the two halves, each in both 128-bit lanes.
    const __m256i sc_half[2] = {_mm256_permute4x64_epi64(sc16, 0x44), _mm256_permute4x64_epi64(sc16, 0xEE)};
    __m256i sumi = _mm256_setzero_si256();
    for (int c = 0; c < 2; ++c, ql += 64, qh += 32, q8 += 128) {
      const __m256i sc = sc_half[c];
      const __m256i h = load32(qh), l0 = load32(ql), l1 = load32(ql + 32);
      // Values 0..63 (the -32 offset is applied through bsums above).
      const __m256i q[4] = {
          _mm256_or_si256(_mm256_and_si256(l0, m4), _mm256_slli_epi16(_mm256_and_si256(h, m2), 4)),
          _mm256_or_si256(_mm256_and_si256(l1, m4), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 2), m2), 4)),
          _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), m4),
                          _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 4), m2), 4)),
          _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), m4),
                          _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 6), m2), 4)),
      };
      for (int k = 0; k < 4; ++k) {
        const short lo = short(0x0100 * (4 * k + 1) + 4 * k), hi = short(0x0100 * (4 * k + 3) + 4 * k + 2);
        const __m256i s = _mm256_shuffle_epi8(sc, _mm256_setr_epi16(lo, lo, lo, lo, lo, lo, lo, lo, hi, hi, hi, hi, hi,
                                                                     hi, hi, hi));
        const __m256i p = _mm256_maddubs_epi16(q[k], load32(q8 + 32 * k));
        sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(p, s));
      }
    }
    acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc);
  }
  return hsum(acc) - hsum(acco);
}

}  // namespace

const DotKernels kDotAvx2 = {
    quantize_q8_0_avx2, quantize_q8_K_avx2, quantize_i8_avx2,
    {dot_f32_avx2, dot_half_avx2<false>, dot_half_avx2<true>, dot_q8fam_avx2<Q8_0W>, dot_q8fam_avx2<Q4_0W>,
     dot_q8fam_avx2<Q4_1W>, dot_q8fam_avx2<Q5_0W>, dot_q8fam_avx2<Q5_1W>, dot_qk_asym_avx2<false>, dot_qk_asym_avx2<true>, dot_q6_K_avx2, dot_i8_avx2},
    {dot2_float_avx2<float, false>, dot2_float_avx2<uint16_t, false>, dot2_float_avx2<uint16_t, true>,
     dot2_q8fam_avx2<Q8_0W>, dot2_q8fam_avx2<Q4_0W>, dot2_q8fam_avx2<Q4_1W>, dot2_q8fam_avx2<Q5_0W>,
     dot2_q8fam_avx2<Q5_1W>, nullptr, nullptr, nullptr, dot2_i8_avx2},
};

}  // namespace sprout::kern
