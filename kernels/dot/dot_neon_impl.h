// NEON bodies of kernels/dot/dot.h, shared by dot_neon.cpp (baseline ARMv8-A:
// int8 products with vmull_s8 + vpadalq_s16) and dot_neondot.cpp (the
// dot-product extension's sdot). Both instantiate NeonDot<IDot> with their
// int8 dot step; only that step differs.
//
// Integer sums are exact (|int8 * int8| <= 16384 fits the int16 vmull lanes);
// blocks are accumulated in f32 lanes, so results match the scalar oracle to
// the summation-order tolerance stated in dot.h. Activation quantizers use
// vcvtaq (ties away, = roundf) for q8_0/i8 and vcvtnq (ties to even, =
// nearest_int) for q8_K, so they write exactly the scalar bytes.
#pragma once
#include <arm_neon.h>

#include <cmath>
#include <cstring>

#include "kernels/common/quant_blocks.h"
#include "kernels/dot/dot.h"
#include "kernels/quant/quant.h"

namespace sprout::kern::neon {

inline float f16(f16_t h) {
  __fp16 v;
  std::memcpy(&v, &h, 2);
  return float(v);
}

inline int8x16_t ld(const int8_t* p) { return vld1q_s8(p); }
inline int8x16_t as_s8(uint8x16_t v) { return vreinterpretq_s8_u8(v); }

// 16 bits -> 16 bytes, 0xFF where bit k (value k) is set.
inline uint8x16_t bits16(uint8_t b0, uint8_t b1) {
  static const uint8_t kBit[16] = {1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128};
  return vtstq_u8(vcombine_u8(vdup_n_u8(b0), vdup_n_u8(b1)), vld1q_u8(kBit));
}

// Four f32x4 of integral values -> 16 int8 (values within int8 range).
inline int8x16_t narrow16(int32x4_t a, int32x4_t b, int32x4_t c, int32x4_t d) {
  const int16x8_t lo = vcombine_s16(vqmovn_s32(a), vqmovn_s32(b));
  const int16x8_t hi = vcombine_s16(vqmovn_s32(c), vqmovn_s32(d));
  return vcombine_s8(vqmovn_s16(lo), vqmovn_s16(hi));
}

template <class IDot>
struct NeonDot {
  // Sum of 16 int8 products, all lanes.
  static int32_t dot16(int8x16_t a, int8x16_t b) { return vaddvq_s32(IDot::dot(vdupq_n_s32(0), a, b)); }
  static int32_t dot32(int8x16_t a0, int8x16_t a1, const int8_t* b) {
    return vaddvq_s32(IDot::dot(IDot::dot(vdupq_n_s32(0), a0, ld(b)), a1, ld(b + 16)));
  }

  static void quantize_q8_0(const float* x, int n, void* out) {
    auto* y = const_cast<block_q8_0*>(q8_0_row(out, n).b);
    for (int i = 0; i < n / QK8_0; ++i, x += QK8_0) {
      float32x4_t v[8];
      float32x4_t m = vdupq_n_f32(0.f);
      for (int k = 0; k < 8; ++k) {
        v[k] = vld1q_f32(x + 4 * k);
        m = vmaxq_f32(m, vabsq_f32(v[k]));
      }
      const float d = vmaxvq_f32(m) / 127.f;
      const float id = d != 0.f ? 1.f / d : 0.f;
      y[i].d = f32_to_f16(d);
      int32x4_t q[8];
      for (int k = 0; k < 8; ++k) q[k] = vcvtaq_s32_f32(vmulq_n_f32(v[k], id));
      vst1q_s8(y[i].qs, narrow16(q[0], q[1], q[2], q[3]));
      vst1q_s8(y[i].qs + 16, narrow16(q[4], q[5], q[6], q[7]));
    }
    q8_0_row_sums(n, out);
  }

  static void quantize_q8_K(const float* x, int n, void* out) {
    auto* y = static_cast<block_q8_K*>(out);
    for (int i = 0; i < n / QK_K; ++i, x += QK_K) {
      float32x4_t m = vdupq_n_f32(0.f);
      for (int j = 0; j < QK_K; j += 4) m = vmaxq_f32(m, vabsq_f32(vld1q_f32(x + j)));
      const float amax = vmaxvq_f32(m);
      if (amax == 0.f) {
        std::memset(&y[i], 0, sizeof(block_q8_K));
        continue;
      }
      float max = 0;
      for (int j = 0; j < QK_K; ++j)
        if (std::fabs(x[j]) == amax) { max = x[j]; break; }
      const float iscale = -127.f / max;
      const int32x4_t lim = vdupq_n_s32(127);
      for (int j = 0; j < QK_K; j += 16) {
        int32x4_t q[4];
        for (int k = 0; k < 4; ++k) q[k] = vminq_s32(vcvtnq_s32_f32(vmulq_n_f32(vld1q_f32(x + j + 4 * k), iscale)), lim);
        const int8x16_t b = narrow16(q[0], q[1], q[2], q[3]);
        vst1q_s8(y[i].qs + j, b);
        y[i].bsums[j / 16] = int16_t(vaddlvq_s8(b));
      }
      y[i].d = 1.f / iscale;
    }
  }

  static float quantize_i8(const float* x, int n, int8_t* out) {
    float32x4_t m = vdupq_n_f32(0.f);
    int i = 0;
    for (; i + 4 <= n; i += 4) m = vmaxq_f32(m, vabsq_f32(vld1q_f32(x + i)));
    float amax = vmaxvq_f32(m);
    for (; i < n; ++i) amax = std::fmax(amax, std::fabs(x[i]));
    const float scale = amax / 127.f;
    const float inv = scale != 0.f ? 1.f / scale : 0.f;
    i = 0;
    for (; i + 16 <= n; i += 16) {
      int32x4_t q[4];
      for (int k = 0; k < 4; ++k) q[k] = vcvtaq_s32_f32(vmulq_n_f32(vld1q_f32(x + i + 4 * k), inv));
      vst1q_s8(out + i, narrow16(q[0], q[1], q[2], q[3]));
    }
    for (; i < n; ++i) out[i] = int8_t(std::roundf(x[i] * inv));
    return scale;
  }

  static float dot_f32(int n, const void* wv, const void* av) {
    const float* w = static_cast<const float*>(wv);
    const float* a = static_cast<const float*>(av);
    float32x4_t s0 = vdupq_n_f32(0.f), s1 = s0, s2 = s0, s3 = s0;
    int i = 0;
    for (; i + 16 <= n; i += 16) {
      s0 = vfmaq_f32(s0, vld1q_f32(w + i), vld1q_f32(a + i));
      s1 = vfmaq_f32(s1, vld1q_f32(w + i + 4), vld1q_f32(a + i + 4));
      s2 = vfmaq_f32(s2, vld1q_f32(w + i + 8), vld1q_f32(a + i + 8));
      s3 = vfmaq_f32(s3, vld1q_f32(w + i + 12), vld1q_f32(a + i + 12));
    }
    for (; i + 4 <= n; i += 4) s0 = vfmaq_f32(s0, vld1q_f32(w + i), vld1q_f32(a + i));
    float s = vaddvq_f32(vaddq_f32(vaddq_f32(s0, s1), vaddq_f32(s2, s3)));
    for (; i < n; ++i) s += w[i] * a[i];
    return s;
  }

  template <bool BF16>
  static float32x4_t load_half4(const uint16_t* p) {
    if constexpr (BF16) return vreinterpretq_f32_u32(vshll_n_u16(vld1_u16(p), 16));
    else return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(p)));
  }

  template <bool BF16>
  static float dot_half(int n, const void* wv, const void* av) {
    const uint16_t* w = static_cast<const uint16_t*>(wv);
    const float* a = static_cast<const float*>(av);
    float32x4_t s0 = vdupq_n_f32(0.f), s1 = s0, s2 = s0, s3 = s0;
    int i = 0;
    for (; i + 16 <= n; i += 16) {
      s0 = vfmaq_f32(s0, load_half4<BF16>(w + i), vld1q_f32(a + i));
      s1 = vfmaq_f32(s1, load_half4<BF16>(w + i + 4), vld1q_f32(a + i + 4));
      s2 = vfmaq_f32(s2, load_half4<BF16>(w + i + 8), vld1q_f32(a + i + 8));
      s3 = vfmaq_f32(s3, load_half4<BF16>(w + i + 12), vld1q_f32(a + i + 12));
    }
    for (; i + 4 <= n; i += 4) s0 = vfmaq_f32(s0, load_half4<BF16>(w + i), vld1q_f32(a + i));
    float s = vaddvq_f32(vaddq_f32(vaddq_f32(s0, s1), vaddq_f32(s2, s3)));
    for (; i < n; ++i) s += (BF16 ? bf16_to_f32(w[i]) : f16_to_f32(w[i])) * a[i];
    return s;
  }

  static float dot_i8(int n, const void* wv, const void* av) {
    const int8_t* w = static_cast<const int8_t*>(wv);
    const int8_t* a = static_cast<const int8_t*>(av);
    int32x4_t s = vdupq_n_s32(0);
    int i = 0;
    for (; i + 16 <= n; i += 16) s = IDot::dot(s, ld(w + i), ld(a + i));
    int32_t t = vaddvq_s32(s);
    for (; i < n; ++i) t += int32_t(w[i]) * int32_t(a[i]);
    return float(t);
  }

  // One f32 lane-vector accumulator per block: acc += d * (int32 lanes of the block's products).
  static float dot_q8_0(int n, const void* wv, const void* av) {
    const auto* w = static_cast<const block_q8_0*>(wv);
    const auto* a = q8_0_row(av, n).b;
    float32x4_t acc0 = vdupq_n_f32(0.f), acc1 = acc0;
    const int nb = n / QK8_0;
    int i = 0;
    for (; i + 2 <= nb; i += 2) {
      const int32x4_t p0 = IDot::dot(IDot::dot(vdupq_n_s32(0), ld(w[i].qs), ld(a[i].qs)), ld(w[i].qs + 16), ld(a[i].qs + 16));
      const int32x4_t p1 = IDot::dot(IDot::dot(vdupq_n_s32(0), ld(w[i + 1].qs), ld(a[i + 1].qs)), ld(w[i + 1].qs + 16),
                                     ld(a[i + 1].qs + 16));
      acc0 = vfmaq_n_f32(acc0, vcvtq_f32_s32(p0), f16(w[i].d) * f16(a[i].d));
      acc1 = vfmaq_n_f32(acc1, vcvtq_f32_s32(p1), f16(w[i + 1].d) * f16(a[i + 1].d));
    }
    for (; i < nb; ++i) {
      const int32x4_t p = IDot::dot(IDot::dot(vdupq_n_s32(0), ld(w[i].qs), ld(a[i].qs)), ld(w[i].qs + 16), ld(a[i].qs + 16));
      acc0 = vfmaq_n_f32(acc0, vcvtq_f32_s32(p), f16(w[i].d) * f16(a[i].d));
    }
    return vaddvq_f32(vaddq_f32(acc0, acc1));
  }

  // q4_0: nibbles minus 8 -> int8; low nibbles are values 0..15, high 16..31.
  static float dot_q4_0(int n, const void* wv, const void* av) {
    const auto* w = static_cast<const block_q4_0*>(wv);
    const auto* a = q8_0_row(av, n).b;
    const uint8x16_t m4 = vdupq_n_u8(0xF);
    const int8x16_t eight = vdupq_n_s8(8);
    float32x4_t acc0 = vdupq_n_f32(0.f), acc1 = acc0;
    const int nb = n / QK4_0;
    int i = 0;
    auto block = [&](int b) {
      const uint8x16_t q = vld1q_u8(w[b].qs);
      const int8x16_t lo = vsubq_s8(as_s8(vandq_u8(q, m4)), eight);
      const int8x16_t hi = vsubq_s8(as_s8(vshrq_n_u8(q, 4)), eight);
      return vcvtq_f32_s32(IDot::dot(IDot::dot(vdupq_n_s32(0), lo, ld(a[b].qs)), hi, ld(a[b].qs + 16)));
    };
    for (; i + 2 <= nb; i += 2) {
      acc0 = vfmaq_n_f32(acc0, block(i), f16(w[i].d) * f16(a[i].d));
      acc1 = vfmaq_n_f32(acc1, block(i + 1), f16(w[i + 1].d) * f16(a[i + 1].d));
    }
    for (; i < nb; ++i) acc0 = vfmaq_n_f32(acc0, block(i), f16(w[i].d) * f16(a[i].d));
    return vaddvq_f32(vaddq_f32(acc0, acc1));
  }

  static float dot_q4_1(int n, const void* wv, const void* av) {
    const auto* w = static_cast<const block_q4_1*>(wv);
    const auto* a = q8_0_row(av, n).b;
    const uint8x16_t m4 = vdupq_n_u8(0xF);
    float s = 0;
    for (int i = 0; i < n / QK4_1; ++i) {
      const uint8x16_t q = vld1q_u8(w[i].qs);
      const int8x16_t a0 = ld(a[i].qs), a1 = ld(a[i].qs + 16);
      const int32_t sumi = vaddvq_s32(IDot::dot(IDot::dot(vdupq_n_s32(0), as_s8(vandq_u8(q, m4)), a0), as_s8(vshrq_n_u8(q, 4)), a1));
      const int32_t suma = vaddlvq_s8(a0) + vaddlvq_s8(a1);
      const float da = f16(a[i].d);
      s += float(sumi) * (f16(w[i].d) * da) + f16(w[i].m) * da * float(suma);
    }
    return s;
  }

  // q5_0 / q5_1: nibble plus the 5th bit from qh; q5_0 stores value - 16 as
  // int8 by OR-ing 0xF0 where the 5th bit is clear (q | 0xF0 == q - 16).
  template <bool Q5_1>
  static float dot_q5(int n, const void* wv, const void* av) {
    const uint8x16_t m4 = vdupq_n_u8(0xF);
    float s = 0;
    const auto* a = q8_0_row(av, n).b;
    for (int i = 0; i < n / 32; ++i) {
      const uint8_t *qs, *qh;
      f16_t d16, m16 = 0;
      if constexpr (Q5_1) {
        const auto& b = static_cast<const block_q5_1*>(wv)[i];
        qs = b.qs, qh = b.qh, d16 = b.d, m16 = b.m;
      } else {
        const auto& b = static_cast<const block_q5_0*>(wv)[i];
        qs = b.qs, qh = b.qh, d16 = b.d;
      }
      const uint8x16_t q = vld1q_u8(qs);
      const uint8x16_t blo = bits16(qh[0], qh[1]), bhi = bits16(qh[2], qh[3]);
      uint8x16_t lo = vandq_u8(q, m4), hi = vshrq_n_u8(q, 4);
      if constexpr (Q5_1) {
        lo = vorrq_u8(lo, vandq_u8(blo, vdupq_n_u8(0x10)));
        hi = vorrq_u8(hi, vandq_u8(bhi, vdupq_n_u8(0x10)));
      } else {
        lo = vorrq_u8(lo, vbicq_u8(vdupq_n_u8(0xF0), blo));
        hi = vorrq_u8(hi, vbicq_u8(vdupq_n_u8(0xF0), bhi));
      }
      const int8x16_t a0 = ld(a[i].qs), a1 = ld(a[i].qs + 16);
      const int32_t sumi = vaddvq_s32(IDot::dot(IDot::dot(vdupq_n_s32(0), as_s8(lo), a0), as_s8(hi), a1));
      const float da = f16(a[i].d);
      s += float(sumi) * (f16(d16) * da);
      if constexpr (Q5_1) s += f16(m16) * da * float(vaddlvq_s8(a0) + vaddlvq_s8(a1));
    }
    return s;
  }

  template <bool Q5>
  static float dot_qk_asym(int n, const void* wv, const void* av) {
    const auto* a = static_cast<const block_q8_K*>(av);
    const uint8x16_t m4 = vdupq_n_u8(0xF);
    float s = 0;
    for (int i = 0; i < n / QK_K; ++i) {
      const auto [scales, qs, qh, d16, dmin16] = qk_asym_block<Q5>(wv, i);
      int32_t sumi = 0, summ = 0;
      const int8_t* q8 = a[i].qs;
      for (int j = 0; j < 4; ++j, q8 += 64) {
        uint8_t sc0, m0, sc1, m1;
        get_scale_min_k4(2 * j, scales, &sc0, &m0);
        get_scale_min_k4(2 * j + 1, scales, &sc1, &m1);
        const uint8x16_t b0 = vld1q_u8(qs + 32 * j), b1 = vld1q_u8(qs + 32 * j + 16);
        uint8x16_t l0 = vandq_u8(b0, m4), l1 = vandq_u8(b1, m4), h0 = vshrq_n_u8(b0, 4), h1 = vshrq_n_u8(b1, 4);
        if constexpr (Q5) {
          const uint8x16_t x0 = vld1q_u8(qh), x1 = vld1q_u8(qh + 16), v16 = vdupq_n_u8(0x10);
          const uint8x16_t bl = vdupq_n_u8(uint8_t(1u << (2 * j))), bh = vdupq_n_u8(uint8_t(2u << (2 * j)));
          l0 = vorrq_u8(l0, vandq_u8(vtstq_u8(x0, bl), v16));
          l1 = vorrq_u8(l1, vandq_u8(vtstq_u8(x1, bl), v16));
          h0 = vorrq_u8(h0, vandq_u8(vtstq_u8(x0, bh), v16));
          h1 = vorrq_u8(h1, vandq_u8(vtstq_u8(x1, bh), v16));
        }
        sumi += sc0 * dot32(as_s8(l0), as_s8(l1), q8) + sc1 * dot32(as_s8(h0), as_s8(h1), q8 + 32);
        summ += m0 * (a[i].bsums[4 * j] + a[i].bsums[4 * j + 1]) + m1 * (a[i].bsums[4 * j + 2] + a[i].bsums[4 * j + 3]);
      }
      s += a[i].d * f16(d16) * float(sumi) - a[i].d * f16(dmin16) * float(summ);
    }
    return s;
  }

  static float dot_q6_K(int n, const void* wv, const void* av) {
    const auto* w = static_cast<const block_q6_K*>(wv);
    const auto* a = static_cast<const block_q8_K*>(av);
    const uint8x16_t m4 = vdupq_n_u8(0xF), m2 = vdupq_n_u8(3);
    const int8x16_t k32 = vdupq_n_s8(32);
    float s = 0;
    for (int i = 0; i < n / QK_K; ++i) {
      const uint8_t* ql = w[i].ql;
      const uint8_t* qh = w[i].qh;
      const int8_t* sc = w[i].scales;
      const int8_t* q8 = a[i].qs;
      int32_t sumi = 0;
      for (int c = 0; c < 2; ++c, ql += 64, qh += 32, q8 += 128, sc += 8) {
        for (int half = 0; half < 2; ++half) {  // values l = 16*half .. 16*half+15 of each quarter
          const uint8x16_t h = vld1q_u8(qh + 16 * half);
          const uint8x16_t l0 = vld1q_u8(ql + 16 * half), l1 = vld1q_u8(ql + 32 + 16 * half);
          const int8x16_t q[4] = {
              vsubq_s8(as_s8(vorrq_u8(vandq_u8(l0, m4), vshlq_n_u8(vandq_u8(h, m2), 4))), k32),
              vsubq_s8(as_s8(vorrq_u8(vandq_u8(l1, m4), vshlq_n_u8(vandq_u8(vshrq_n_u8(h, 2), m2), 4))), k32),
              vsubq_s8(as_s8(vorrq_u8(vshrq_n_u8(l0, 4), vshlq_n_u8(vandq_u8(vshrq_n_u8(h, 4), m2), 4))), k32),
              vsubq_s8(as_s8(vorrq_u8(vshrq_n_u8(l1, 4), vshlq_n_u8(vshrq_n_u8(h, 6), 4))), k32),
          };
          for (int k = 0; k < 4; ++k) sumi += sc[2 * k + half] * dot16(q[k], ld(q8 + 32 * k + 16 * half));
        }
      }
      s += a[i].d * f16(w[i].d) * float(sumi);
    }
    return s;
  }

  static constexpr DotKernels table() {
    return DotKernels{quantize_q8_0,
                      quantize_q8_K,
                      quantize_i8,
                      {dot_f32, dot_half<false>, dot_half<true>, dot_q8_0, dot_q4_0, dot_q4_1, dot_q5<false>,
                       dot_q5<true>, dot_qk_asym<false>, dot_qk_asym<true>, dot_q6_K, dot_i8},
                      {}};
  }
};

}  // namespace sprout::kern::neon
