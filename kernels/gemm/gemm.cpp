#include "kernels/gemm/gemm.h"

#include <cstring>

#include "kernels/common/fp16.h"
#include "kernels/common/quant_blocks.h"
#include "kernels/quant/quant.h"

namespace sprout::kern {

void gemm_pack_b(GemmB t, const void* B, size_t ldb, int n0, int cols, int k0, int kc, int nr, float* panel) {
  if (cols < nr) std::memset(panel, 0, sizeof(float) * size_t(kc) * size_t(nr));
  for (int j = 0; j < cols; ++j) {
    const size_t off = size_t(n0 + j) * ldb + size_t(k0);
    float* p = panel + j;
    switch (t) {
      case GemmB::f32: {
        const float* b = static_cast<const float*>(B) + off;
        for (int k = 0; k < kc; ++k) p[size_t(k) * nr] = b[k];
        break;
      }
      case GemmB::f16: {
        const f16_t* b = static_cast<const f16_t*>(B) + off;
        for (int k = 0; k < kc; ++k) p[size_t(k) * nr] = f16_to_f32(b[k]);
        break;
      }
      case GemmB::bf16: {
        const bf16_t* b = static_cast<const bf16_t*>(B) + off;
        for (int k = 0; k < kc; ++k) p[size_t(k) * nr] = bf16_to_f32(b[k]);
        break;
      }
    }
  }
}

size_t gemm_q_panel_bytes(GemmQ t, int n) { return size_t(n / QK8_0) * gemm_q_block_bytes(t); }

namespace {

// 32-value block b of one weight row of type t as the panel stores it (gemm.h):
// the values u (unsigned, or q6_K's signed w as int8 bits), the scale d, the
// additive min term m and q6_K's two int8 scales.
struct QBlock {
  uint8_t u[32];
  float d = 0, m = 0;
  int sc[2] = {0, 0};
};

// Values j and j + 16 of a 16-byte nibble array (q4_0 / q4_1 / q5 layout), plus
// the 5th bits of a q5 block's qh.
void nibbles(const uint8_t* qs, const uint8_t* qh4, uint8_t* u) {
  uint32_t qh = 0;
  if (qh4) std::memcpy(&qh, qh4, 4);
  for (int j = 0; j < 16; ++j) {
    u[j] = uint8_t((qs[j] & 0xF) | (((qh >> j) & 1) << 4));
    u[j + 16] = uint8_t((qs[j] >> 4) | (((qh >> (j + 16)) & 1) << 4));
  }
}

// Sub-block j of a q4_K / q5_K super-block: scale d*sc_j, min term -dmin*m_j and the
// low 4 bits of its values (nibbles, j odd: high, of bytes 32 * (j / 2) ..).
template <class B>
void k4_sub_block(const B& x, int j, QBlock& o) {
  uint8_t sc, m;
  get_scale_min_k4(j, x.scales, &sc, &m);
  o.d = f16_to_f32(x.d) * float(sc);
  o.m = -(f16_to_f32(x.dmin) * float(m));
  const uint8_t* q = x.qs + 32 * (j / 2);
  for (int k = 0; k < 32; ++k) o.u[k] = uint8_t((q[k] >> (4 * (j & 1))) & 0xF);
}

QBlock q_block(GemmQ t, const uint8_t* row, int b) {
  QBlock o;
  switch (t) {
    case GemmQ::q8_0:
    case GemmQ::q8_0_bytes: {
      const auto& x = reinterpret_cast<const block_q8_0*>(row)[b];
      o.d = f16_to_f32(x.d);
      for (int k = 0; k < 32; ++k) o.u[k] = uint8_t(x.qs[k] + 128);
      break;
    }
    case GemmQ::q4_0: {
      const auto& x = reinterpret_cast<const block_q4_0*>(row)[b];
      o.d = f16_to_f32(x.d);
      nibbles(x.qs, nullptr, o.u);
      break;
    }
    case GemmQ::q4_1: {
      const auto& x = reinterpret_cast<const block_q4_1*>(row)[b];
      o.d = f16_to_f32(x.d), o.m = f16_to_f32(x.m);
      nibbles(x.qs, nullptr, o.u);
      break;
    }
    case GemmQ::q5_0: {
      const auto& x = reinterpret_cast<const block_q5_0*>(row)[b];
      o.d = f16_to_f32(x.d);
      nibbles(x.qs, x.qh, o.u);
      break;
    }
    case GemmQ::q5_1: {
      const auto& x = reinterpret_cast<const block_q5_1*>(row)[b];
      o.d = f16_to_f32(x.d), o.m = f16_to_f32(x.m);
      nibbles(x.qs, x.qh, o.u);
      break;
    }
    case GemmQ::q4_K:
      k4_sub_block(reinterpret_cast<const block_q4_K*>(row)[b / 8], b % 8, o);
      break;
    case GemmQ::q5_K: {  // as q4_K, 5th bit of value k in bit j of qh[k]
      const auto& x = reinterpret_cast<const block_q5_K*>(row)[b / 8];
      const int j = b % 8;
      k4_sub_block(x, j, o);
      for (int k = 0; k < 32; ++k) o.u[k] = uint8_t(o.u[k] | (((x.qh[k] >> j) & 1) << 4));
      break;
    }
    case GemmQ::q6_K: {  // 32-block j = 4 * half + g of the super-block (dequantize_q6_K's order)
      const auto& x = reinterpret_cast<const block_q6_K*>(row)[b / 8];
      const int j = b % 8, half = j / 4, g = j % 4;
      const uint8_t* ql = x.ql + 64 * half + 32 * (g & 1);
      const uint8_t* qh = x.qh + 32 * half;
      o.d = f16_to_f32(x.d);
      o.sc[0] = x.scales[2 * j], o.sc[1] = x.scales[2 * j + 1];
      for (int k = 0; k < 32; ++k) {
        const int q = ((ql[k] >> (4 * (g >> 1))) & 0xF) | (((qh[k] >> (2 * g)) & 3) << 4);
        o.u[k] = uint8_t(int8_t(q - 32));
      }
      break;
    }
    case GemmQ::count: break;
  }
  return o;
}

}  // namespace

void gemm_pack_q(GemmQ t, const void* w, size_t ws, int rows, int n, void* panel) {
  const int nb = n / QK8_0;
  const size_t stride = gemm_q_block_bytes(t), po = gemm_q_plane_offset(t);
  uint8_t* out = static_cast<uint8_t*>(panel);
  std::memset(out, 0, stride * size_t(nb));
  for (int j = 0; j < rows; ++j) {
    const uint8_t* row = static_cast<const uint8_t*>(w) + size_t(j) * ws;
    for (int b = 0; b < nb; ++b) {
      uint8_t* blk = out + size_t(b) * stride;
      const QBlock q = q_block(t, row, b);
      std::memcpy(blk + 4 * j, &q.d, 4);
      if (gemm_q_has_min(t)) std::memcpy(blk + 32 + 4 * j, &q.m, 4);
      if (t == GemmQ::q6_K)
        for (int h = 0; h < 2; ++h) {
          const int16_t s = int16_t(q.sc[h]);
          std::memcpy(blk + 32 + 32 * h + 4 * j, &s, 2);
          std::memcpy(blk + 32 + 32 * h + 4 * j + 2, &s, 2);
        }
      uint8_t* planes = blk + po;
      for (int k = 0; k < 32; ++k) {
        const size_t at = size_t(32 * (k / 4) + 4 * j + k % 4);
        if (t == GemmQ::q8_0) {
          planes[at] = uint8_t(q.u[k] >> 4);
          planes[256 + at] = uint8_t(q.u[k] & 0xF);
        } else {
          planes[at] = q.u[k];
        }
      }
    }
  }
}

void gemm_pack_a(const float* A, size_t lda, int rows, int k0, int kc, int mr, float* sliver) {
  if (rows < mr) std::memset(sliver, 0, sizeof(float) * size_t(kc) * size_t(mr));
  for (int i = 0; i < rows; ++i) {
    const float* a = A + size_t(i) * lda + size_t(k0);
    for (int k = 0; k < kc; ++k) sliver[size_t(k) * mr + i] = a[k];
  }
}

namespace {

// A base table with the tiles of an 8-bit dot instruction: q8_0 packed as bytes.
[[maybe_unused]] GemmKernels with_dot_tiles(const GemmKernels& base, const GemmTileSet& v) {
  GemmKernels t = base;
  for (int i = 0; i < int(GemmQ::count); ++i) {
    if (v.tile[i]) t.q_tile[i] = v.tile[i];
    t.q_tile2[i] = v.tile2[i];
  }
  t.q8_0_panel = GemmQ::q8_0_bytes;
  return t;
}

}  // namespace

const GemmKernels* gemm_kernels_vnni(bool evex) {
#if defined(__x86_64__)
  static const GemmKernels vex = with_dot_tiles(kGemmAvx2, kGemmVnniVexTiles),
                           evex_t = with_dot_tiles(kGemmAvx2, kGemmVnniEvexTiles);
  static const bool has_vex = cpu_has_avx_vnni(), has_evex = cpu_has_avx512_vnni_vl();
  if (evex) return has_evex ? &evex_t : nullptr;
  return has_vex ? &vex : nullptr;
#else
  (void)evex;
  return nullptr;
#endif
}

const GemmKernels& gemm_kernels(Isa isa) {
  static const GemmKernels tables[] = {
      kGemmScalar,
#if defined(__x86_64__)
      kGemmAvx2,
#else
      kGemmScalar,
#endif
#if defined(__aarch64__)
      kGemmNeon, with_dot_tiles(kGemmNeon, kGemmNeonDotTiles),
#else
      kGemmScalar, kGemmScalar,
#endif
  };
  if (isa == Isa::avx2_vnni) {
    if (const GemmKernels* v = gemm_kernels_vnni(false)) return *v;  // VEX: the shorter encoding
    if (const GemmKernels* v = gemm_kernels_vnni(true)) return *v;
    isa = Isa::avx2;
  }
  return tables[int(isa)];
}

}  // namespace sprout::kern
