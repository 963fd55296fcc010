// kernels/gemm/gemm.h: every ISA's f32 tile (with f32/f16/bf16 packing) against a
// double-precision naive product; the int8 tiles of every weight type against
// the scalar tile, which in turn matches dequantize-then-dot (and equals the
// scalar dot kernel bit for bit for q8_0, q4_0, q5_0).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "kernels/common/fp16.h"
#include "kernels/common/quant_blocks.h"
#include "kernels/dot/dot.h"
#include "kernels/gemm/gemm.h"
#include "kernels/quant/quant.h"
#include "tests/test_util.h"

using namespace sprout;
using namespace sprout::kern;

namespace {

std::vector<Isa> all_isas() {
  std::vector<Isa> v = {Isa::scalar};
  for (Isa i : test::simd_isas()) v.push_back(i);
  return v;
}

// Every int8 table this CPU runs, named: the ISAs' tables, with the VPDPBUSD
// table of each encoding the CPU has (gemm_kernels(Isa::avx2_vnni) is one of them).
struct QTable {
  std::string name;
  const GemmKernels* g;
};
std::vector<QTable> q_tables() {
  std::vector<QTable> v;
  for (Isa i : all_isas())
    if (i != Isa::avx2_vnni) v.push_back({isa_name(i), &gemm_kernels(i)});
  if (const GemmKernels* t = gemm_kernels_vnni(false)) v.push_back({"avx2_vnni (VEX)", t});
  if (const GemmKernels* t = gemm_kernels_vnni(true)) v.push_back({"avx2_vnni (EVEX)", t});
  return v;
}

// C = A · B^T through pack + tile, K-blocked by kc (so accumulation is exercised).
// `simd_pack` packs B with the table's own packer, else with the generic one.
void run_f32(const GemmKernels& g, GemmB bt, const void* B, int M, int N, int K, int kc, const float* A, float* C,
             bool simd_pack) {
  std::vector<float> panel(size_t(kc) * size_t(g.nr)), sliver(size_t(kc) * size_t(g.mr));
  for (int n0 = 0; n0 < N; n0 += g.nr) {
    const int cols = std::min(g.nr, N - n0);
    for (int k0 = 0; k0 < K; k0 += kc) {
      const int kb = std::min(kc, K - k0);
      if (simd_pack) g.pack_b(bt, B, size_t(K), n0, cols, k0, kb, panel.data());
      else gemm_pack_b(bt, B, size_t(K), n0, cols, k0, kb, g.nr, panel.data());
      for (int m = 0; m < M; m += g.mr) {
        const int rows = std::min(g.mr, M - m);
        gemm_pack_a(A + size_t(m) * K, size_t(K), rows, k0, kb, g.mr, sliver.data());
        g.f32_tile(kb, sliver.data(), panel.data(), C + size_t(m) * N + n0, size_t(N), rows, cols, k0 > 0);
      }
    }
  }
}

}  // namespace

TEST(GemmF32, TilesMatchNaiveAllIsasAndTypes) {
  // Tolerance: 1e-5 * sum_k |a b| per output (f32 accumulation order only).
  for (Isa isa : all_isas()) {
    const GemmKernels& g = gemm_kernels(isa);
    for (GemmB bt : {GemmB::f32, GemmB::f16, GemmB::bf16}) {
      for (int M : {1, 2, 5, 7, 13}) {
        for (int N : {1, 3, 16, 17, 37}) {
          for (int K : {1, 7, 64, 301}) {
            const auto A = test::random_floats(size_t(M) * K, 1 + uint32_t(M * 131 + K), -2.f, 2.f);
            const auto Bf = test::random_floats(size_t(N) * K, 7 + uint32_t(N * 17 + K));
            std::vector<uint16_t> Bh(Bf.size());
            std::vector<float> Bd(Bf.size());  // B as the kernel sees it
            for (size_t i = 0; i < Bf.size(); ++i) {
              Bh[i] = bt == GemmB::f16 ? f32_to_f16(Bf[i]) : f32_to_bf16(Bf[i]);
              Bd[i] = bt == GemmB::f32 ? Bf[i] : bt == GemmB::f16 ? f16_to_f32(Bh[i]) : bf16_to_f32(Bh[i]);
            }
            const void* B = bt == GemmB::f32 ? static_cast<const void*>(Bf.data()) : Bh.data();
            std::vector<float> C(size_t(M) * N, 123.f);
            run_f32(g, bt, B, M, N, K, 64, A.data(), C.data(), true);
            for (int m = 0; m < M; ++m)
              for (int n = 0; n < N; ++n) {
                double want = 0, mag = 0;
                for (int k = 0; k < K; ++k) {
                  const double p = double(A[size_t(m) * K + k]) * Bd[size_t(n) * K + k];
                  want += p;
                  mag += std::fabs(p);
                }
                ASSERT_NEAR(C[size_t(m) * N + n], want, 1e-5 * mag + 1e-7)
                    << isa_name(isa) << " type=" << int(bt) << " M=" << M << " N=" << N << " K=" << K;
              }
          }
        }
      }
    }
  }
}

TEST(GemmF32, SimdPackEqualsGenericPack) {
  // Packing only copies and converts (exact), so both packers give identical panels.
  for (Isa isa : all_isas()) {
    const GemmKernels& g = gemm_kernels(isa);
    for (GemmB bt : {GemmB::f32, GemmB::f16, GemmB::bf16})
      for (int cols : {1, 5, g.nr})
        for (int kc : {1, 7, 8, 29, 64}) {
          const int K = 100, N = 40, n0 = 3, k0 = 5;
          const auto Bf = test::random_floats(size_t(N) * K, 21 + uint32_t(kc));
          std::vector<uint16_t> Bh(Bf.size());
          for (size_t i = 0; i < Bf.size(); ++i) Bh[i] = bt == GemmB::f16 ? f32_to_f16(Bf[i]) : f32_to_bf16(Bf[i]);
          const void* B = bt == GemmB::f32 ? static_cast<const void*>(Bf.data()) : Bh.data();
          std::vector<float> want(size_t(kc) * g.nr, 7.f), got(size_t(kc) * g.nr, -7.f);
          gemm_pack_b(bt, B, size_t(K), n0, cols, k0, kc, g.nr, want.data());
          g.pack_b(bt, B, size_t(K), n0, cols, k0, kc, got.data());
          ASSERT_EQ(0, std::memcmp(want.data(), got.data(), want.size() * sizeof(float)))
              << isa_name(isa) << " type=" << int(bt) << " cols=" << cols << " kc=" << kc;
        }
  }
}

TEST(GemmQ8, PackedTilesMatchScalarDotAllIsas) {
  // The scalar tile computes the scalar dot kernel's terms in its order: equal bit
  // for bit. SIMD tiles: same exact integer block sums, f32 block accumulation
  // in another order or fused: within 1e-6 * sum |block terms| (bounded via |w|*|a|).
  // Partial tiles (rows < 4, cols < 8) leave the rest of C untouched.
  // q8_0 is checked in both of its panel forms (4-bit planes, bytes).
  const DotKernels& dk = kDotScalar;
  for (int wt = 0; wt < 3; ++wt) {
    const bool q4 = wt == 1;
    const GemmQ gq = q4 ? GemmQ::q4_0 : wt == 2 ? GemmQ::q8_0_bytes : GemmQ::q8_0;
    for (int K : {32, 96, 320, 2048}) {
      const size_t wrow = size_t(K / 32) * (q4 ? sizeof(block_q4_0) : sizeof(block_q8_0));
      const size_t arow = act_row_bytes(ActFormat::q8_0, K);
      const auto wf = test::random_floats(size_t(8) * K, 11 + uint32_t(K));
      const auto xf = test::random_floats(size_t(4) * K, 13 + uint32_t(K), -3.f, 3.f);
      std::vector<uint8_t> w(wrow * 8), a(arow * 4);
      for (int r = 0; r < 8; ++r) {
        if (q4) quantize_q4_0(wf.data() + r * K, K, w.data() + r * wrow);
        else quantize_q8_0(wf.data() + r * K, K, w.data() + r * wrow);
      }
      for (int r = 0; r < 4; ++r) dk.quantize_q8_0(xf.data() + r * K, K, a.data() + r * arow);
      if (!q4) {  // stored files may hold -128 and 127 (extremes of the 4-bit planes)
        reinterpret_cast<block_q8_0*>(w.data())[0].qs[3] = -128;
        reinterpret_cast<block_q8_0*>(w.data() + 5 * wrow)[0].qs[30] = 127;
      }
      float ref[4][8], mag[4][8];
      for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 8; ++j) {
          ref[i][j] = dk.dot[int(q4 ? WeightFormat::q4_0 : WeightFormat::q8_0)](K, w.data() + j * wrow,
                                                                                 a.data() + i * arow);
          // sum_k |w_k a_k| (dequantized) bounds sum |block terms|.
          std::vector<float> wd(static_cast<size_t>(K)), ad(static_cast<size_t>(K));
          if (q4) dequantize_q4_0(w.data() + j * wrow, K, wd.data());
          else dequantize_q8_0(w.data() + j * wrow, K, wd.data());
          dequantize_q8_0(q8_0_row(a.data() + i * arow, K).b, K, ad.data());
          double sm = 0;
          for (int k = 0; k < K; ++k) sm += std::fabs(double(wd[size_t(k)]) * ad[size_t(k)]);
          mag[i][j] = float(sm);
        }
      for (int cols : {8, 5, 1}) {
        std::vector<uint8_t> panel(gemm_q_panel_bytes(gq, K), 0xAB);
        gemm_pack_q(gq, w.data(), wrow, cols, K, panel.data());
        for (int rows : {4, 3, 1}) {
          for (const QTable& qt : q_tables()) {
            const GemmQ8Tile tile = qt.g->q_tile[int(gq)];
            if (!tile) continue;  // this ISA has no tile for the panel form (gemm.h)
            constexpr int ldc = 11;
            std::vector<float> C(4 * ldc, -7.f);
            tile(K, panel.data(), a.data(), arow, rows, C.data(), ldc, cols);
            for (int i = 0; i < 4; ++i)
              for (int j = 0; j < ldc; ++j) {
                const float got = C[size_t(i * ldc + j)];
                if (i >= rows || j >= cols) {
                  ASSERT_EQ(got, -7.f) << qt.name << " wrote outside the tile i=" << i << " j=" << j;
                } else if (qt.g == &kGemmScalar) {
                  ASSERT_EQ(got, ref[i][j]) << "K=" << K << " panel=" << wt << " i=" << i << " j=" << j;
                } else {
                  ASSERT_NEAR(got, ref[i][j], 1e-6 * mag[i][j] + 1e-6)
                      << qt.name << " K=" << K << " panel=" << wt << " i=" << i << " j=" << j;
                }
              }
          }
        }
      }
    }
  }
}

namespace {

struct QType {
  GemmQ g;
  int block;     // values per stored block (32, or 256 for q4_K / q6_K)
  size_t bytes;  // bytes per stored block
  void (*quantize)(const float*, int64_t, void*);
  void (*dequantize)(const void*, int64_t, float*);
};

const std::vector<QType>& qtypes() {
  static const std::vector<QType> v = {
      {GemmQ::q8_0, 32, sizeof(block_q8_0), quantize_q8_0, dequantize_q8_0},
      {GemmQ::q4_0, 32, sizeof(block_q4_0), quantize_q4_0, dequantize_q4_0},
      {GemmQ::q4_1, 32, sizeof(block_q4_1), quantize_q4_1, dequantize_q4_1},
      {GemmQ::q5_0, 32, sizeof(block_q5_0), quantize_q5_0, dequantize_q5_0},
      {GemmQ::q5_1, 32, sizeof(block_q5_1), quantize_q5_1, dequantize_q5_1},
      {GemmQ::q4_K, 256, sizeof(block_q4_K), quantize_q4_K, dequantize_q4_K},
      {GemmQ::q6_K, 256, sizeof(block_q6_K), quantize_q6_K, dequantize_q6_K},
      {GemmQ::q5_K, 256, sizeof(block_q5_K), quantize_q5_K, dequantize_q5_K},
      {GemmQ::q8_0_bytes, 32, sizeof(block_q8_0), quantize_q8_0, dequantize_q8_0},
  };
  return v;
}

// |min term| per value of a row: the row dequantized with every block scale d
// zeroed leaves m (q4_1, q5_1) or -dmin * m_j (q4_K, q5_K); 0 for the other types.
std::vector<float> min_terms(const QType& q, const uint8_t* row, int K) {
  std::vector<float> out(size_t(K), 0.f);
  if (!gemm_q_has_min(q.g)) return out;
  std::vector<uint8_t> z(row, row + size_t(K / q.block) * q.bytes);
  for (size_t b = 0; b < z.size(); b += q.bytes) std::memset(&z[b], 0, sizeof(f16_t));  // d is the first field
  q.dequantize(z.data(), K, out.data());
  for (float& v : out) v = std::fabs(v);
  return out;
}

}  // namespace

TEST(GemmQ8, AllTypesScalarTileMatchesDequantizedDotAndSimdMatchesScalar) {
  // Every int8 type on packed panels, full and partial tiles. Reference: the
  // weights dequantized (kernels/quant) times the q8_0 activations dequantized,
  // in double. The scalar tile's exact integer block sums differ from it only by
  // f32 rounding of the scales and the f32 block accumulation (~1e-8 * mag seen):
  // within 1e-6 * mag, mag = sum_k (|w_k| + 2 |min_k|) |a_k| (|d * u| <= |w| + |min|).
  // SIMD tiles against the scalar tile: same integer sums, f32 order / FMA only,
  // within 1e-6 * mag. K = 5504 (172 blocks, not a multiple of 256) for the
  // 32-value types.
  const DotKernels& dk = kDotScalar;
  for (const QType& q : qtypes()) {
    const std::vector<int> Ks = q.block == 256 ? std::vector<int>{256, 768} : std::vector<int>{32, 96, 5504};
    for (int K : Ks) {
      const size_t wrow = size_t(K / q.block) * q.bytes;
      const size_t arow = act_row_bytes(ActFormat::q8_0, K);
      const auto wf = test::random_floats(size_t(8) * K, 31 + uint32_t(K) + 7 * uint32_t(q.g));
      const auto xf = test::random_floats(size_t(4) * K, 37 + uint32_t(K), -3.f, 3.f);
      std::vector<uint8_t> w(wrow * 8), a(arow * 4);
      for (int r = 0; r < 8; ++r) q.quantize(wf.data() + size_t(r) * K, K, w.data() + r * wrow);
      for (int r = 0; r < 4; ++r) dk.quantize_q8_0(xf.data() + size_t(r) * K, K, a.data() + r * arow);
      double ref[4][8], mag[4][8];
      for (int j = 0; j < 8; ++j) {
        std::vector<float> wd(static_cast<size_t>(K)), ad(static_cast<size_t>(K));
        q.dequantize(w.data() + j * wrow, K, wd.data());
        const std::vector<float> mn = min_terms(q, w.data() + j * wrow, K);
        for (int i = 0; i < 4; ++i) {
          dequantize_q8_0(q8_0_row(a.data() + i * arow, K).b, K, ad.data());
          double s = 0, m = 0;
          for (size_t k = 0; k < size_t(K); ++k) {
            s += double(wd[k]) * ad[k];
            m += (std::fabs(double(wd[k])) + 2.0 * mn[k]) * std::fabs(double(ad[k]));
          }
          ref[i][j] = s, mag[i][j] = m;
        }
      }
      for (int cols : {8, 5, 1}) {
        std::vector<uint8_t> panel(gemm_q_panel_bytes(q.g, K), 0xAB);
        gemm_pack_q(q.g, w.data(), wrow, cols, K, panel.data());
        for (int rows : {4, 3, 1}) {
          constexpr int ldc = 11;
          std::vector<float> want(4 * ldc, -7.f);
          kGemmScalar.q_tile[int(q.g)](K, panel.data(), a.data(), arow, rows, want.data(), ldc, cols);
          for (const QTable& qt : q_tables()) {
            const GemmQ8Tile tile = qt.g->q_tile[int(q.g)];
            if (!tile) continue;  // this ISA has no tile for the panel form (gemm.h)
            std::vector<float> C(4 * ldc, -7.f);
            tile(K, panel.data(), a.data(), arow, rows, C.data(), ldc, cols);
            for (int i = 0; i < 4; ++i)
              for (int j = 0; j < ldc; ++j) {
                const float got = C[size_t(i * ldc + j)];
                if (i >= rows || j >= cols) {
                  ASSERT_EQ(got, -7.f) << qt.name << " wrote outside the tile i=" << i << " j=" << j;
                } else if (qt.g == &kGemmScalar) {
                  ASSERT_NEAR(got, ref[i][j], 1e-6 * mag[i][j] + 1e-6)
                      << "type=" << int(q.g) << " K=" << K << " i=" << i << " j=" << j;
                } else {
                  ASSERT_NEAR(got, want[size_t(i * ldc + j)], 1e-6 * mag[i][j] + 1e-6)
                      << qt.name << " type=" << int(q.g) << " K=" << K << " i=" << i << " j=" << j;
                }
              }
          }
        }
      }
    }
  }
}

TEST(GemmQ8, ScalarTileEqualsScalarDotForQ5_0) {
  // q5_0 (like q8_0 / q4_0 above) runs the scalar dot kernel's exact terms in its
  // order: equal bit for bit.
  const DotKernels& dk = kDotScalar;
  for (int K : {32, 320}) {
    const size_t wrow = size_t(K / 32) * sizeof(block_q5_0), arow = act_row_bytes(ActFormat::q8_0, K);
    const auto wf = test::random_floats(size_t(8) * K, 41 + uint32_t(K));
    const auto xf = test::random_floats(size_t(4) * K, 43 + uint32_t(K), -3.f, 3.f);
    std::vector<uint8_t> w(wrow * 8), a(arow * 4);
    for (int r = 0; r < 8; ++r) quantize_q5_0(wf.data() + size_t(r) * K, K, w.data() + r * wrow);
    for (int r = 0; r < 4; ++r) dk.quantize_q8_0(xf.data() + size_t(r) * K, K, a.data() + r * arow);
    std::vector<uint8_t> panel(gemm_q_panel_bytes(GemmQ::q5_0, K));
    gemm_pack_q(GemmQ::q5_0, w.data(), wrow, 8, K, panel.data());
    float C[4 * 8];
    kGemmScalar.q_tile[int(GemmQ::q5_0)](K, panel.data(), a.data(), arow, 4, C, 8, 8);
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 8; ++j)
        ASSERT_EQ(C[i * 8 + j], dk.dot[int(WeightFormat::q5_0)](K, w.data() + j * wrow, a.data() + i * arow))
            << "K=" << K << " i=" << i << " j=" << j;
  }
}

TEST(GemmQ8, PackEqualsReferenceAllIsas) {
  // Every ISA's panel packing writes exactly gemm_pack_q's bytes (the whole panel).
  for (const QType& q : qtypes()) {
    for (int K : {q.block, 5 * q.block}) {
      const size_t wrow = size_t(K / q.block) * q.bytes;
      const auto wf = test::random_floats(size_t(8) * K, 21 + uint32_t(K));
      std::vector<uint8_t> w(wrow * 8);
      for (int r = 0; r < 8; ++r) q.quantize(wf.data() + size_t(r) * K, K, w.data() + r * wrow);
      if (q.g == GemmQ::q8_0 || q.g == GemmQ::q8_0_bytes)
        reinterpret_cast<block_q8_0*>(w.data() + 2 * wrow)[0].qs[7] = -128;
      for (int rows : {8, 7, 3, 1}) {
        std::vector<uint8_t> want(gemm_q_panel_bytes(q.g, K), 0xAB);
        gemm_pack_q(q.g, w.data(), wrow, rows, K, want.data());
        for (const QTable& qt : q_tables()) {
          std::vector<uint8_t> got(want.size(), 0xCD);
          qt.g->pack_q(q.g, w.data(), wrow, rows, K, got.data());
          ASSERT_EQ(got, want) << qt.name << " type=" << int(q.g) << " K=" << K << " rows=" << rows;
        }
      }
    }
  }
}

TEST(GemmQ8, EveryTableRunsEveryTypeItPacks) {
  // The engine packs q8_0 weights as the table's q8_0_panel and every other type
  // as itself: each of those needs a tile. Where the CPU has VPDPBUSD, the
  // avx2_vnni table packs q8_0 as bytes and runs its own 4-bit and 5-bit tiles.
  for (const QTable& qt : q_tables()) {
    EXPECT_TRUE(qt.g->q8_0_panel == GemmQ::q8_0 || qt.g->q8_0_panel == GemmQ::q8_0_bytes) << qt.name;
    EXPECT_NE(qt.g->q_tile[int(qt.g->q8_0_panel)], nullptr) << qt.name;
    for (int t = 0; t < int(GemmQ::count); ++t) {
      if (GemmQ(t) != GemmQ::q8_0 && GemmQ(t) != GemmQ::q8_0_bytes) {
        EXPECT_NE(qt.g->q_tile[t], nullptr) << qt.name << " type=" << t;
      }
    }
  }
#if defined(__x86_64__)
  if (isa_supported(Isa::avx2_vnni)) {
    const GemmKernels& v = gemm_kernels(Isa::avx2_vnni);
    EXPECT_EQ(v.q8_0_panel, GemmQ::q8_0_bytes);
    EXPECT_NE(v.q_tile[int(GemmQ::q4_0)], kGemmAvx2.q_tile[int(GemmQ::q4_0)]);
    EXPECT_EQ(v.q_tile[int(GemmQ::q6_K)], kGemmAvx2.q_tile[int(GemmQ::q6_K)]);
  }
#endif
#if defined(__aarch64__)
  if (isa_supported(Isa::neon_dot)) {
    const GemmKernels& d = gemm_kernels(Isa::neon_dot);
    EXPECT_EQ(d.q8_0_panel, GemmQ::q8_0_bytes);
    EXPECT_NE(d.q_tile[int(GemmQ::q4_0)], kGemmNeon.q_tile[int(GemmQ::q4_0)]);
    EXPECT_EQ(gemm_kernels(Isa::neon).q8_0_panel, GemmQ::q8_0);
  }
#endif
}

TEST(GemmQ8, TwoPanelTilesMatchScalarPerPanel) {
  // q_tile2 on two adjacent panels (16 weight rows, the second panel full or
  // partial) against the scalar one-panel tile on each: the same exact integer
  // block sums, f32 order / FMA only: within 1e-6 * sum |w * a| of the row pair.
  // Rows past `rows` and columns past `cols` of C stay untouched.
  const DotKernels& dk = kDotScalar;
  int checked = 0;
  for (const QType& q : qtypes()) {
    for (int K : {q.block, 3 * q.block}) {
      const size_t wrow = size_t(K / q.block) * q.bytes, arow = act_row_bytes(ActFormat::q8_0, K);
      const auto wf = test::random_floats(size_t(16) * K, 51 + uint32_t(K) + 5 * uint32_t(q.g));
      const auto xf = test::random_floats(size_t(4) * K, 53 + uint32_t(K), -3.f, 3.f);
      std::vector<uint8_t> w(wrow * 16), a(arow * 4);
      for (int r = 0; r < 16; ++r) q.quantize(wf.data() + size_t(r) * K, K, w.data() + r * wrow);
      for (int r = 0; r < 4; ++r) dk.quantize_q8_0(xf.data() + size_t(r) * K, K, a.data() + r * arow);
      // mag[i][j] = sum_k (|w_k| + 2 |min_k|) |a_k| bounds output (i, j)'s sum |block terms|.
      double mag[4][16];
      for (int j = 0; j < 16; ++j) {
        std::vector<float> wd(static_cast<size_t>(K)), ad(static_cast<size_t>(K));
        q.dequantize(w.data() + j * wrow, K, wd.data());
        const std::vector<float> mn = min_terms(q, w.data() + j * wrow, K);
        for (int i = 0; i < 4; ++i) {
          dequantize_q8_0(q8_0_row(a.data() + i * arow, K).b, K, ad.data());
          double m = 0;
          for (size_t k = 0; k < size_t(K); ++k) m += (std::fabs(double(wd[k])) + 2.0 * mn[k]) * std::fabs(double(ad[k]));
          mag[i][j] = m;
        }
      }
      const size_t pb = gemm_q_panel_bytes(q.g, K);
      for (int cols1 : {8, 5, 1}) {
        std::vector<uint8_t> panels(2 * pb, 0xAB);
        gemm_pack_q(q.g, w.data(), wrow, 8, K, panels.data());
        gemm_pack_q(q.g, w.data() + 8 * wrow, wrow, cols1, K, panels.data() + pb);
        for (int rows : {4, 3, 1}) {
          constexpr int ldc = 19;
          std::vector<float> want(4 * ldc, -7.f);
          kGemmScalar.q_tile[int(q.g)](K, panels.data(), a.data(), arow, rows, want.data(), ldc, 8);
          kGemmScalar.q_tile[int(q.g)](K, panels.data() + pb, a.data(), arow, rows, want.data() + 8, ldc, cols1);
          for (const QTable& qt : q_tables()) {
            const GemmQ8Tile2 tile2 = qt.g->q_tile2[int(q.g)];
            if (!tile2) continue;
            std::vector<float> C(4 * ldc, -7.f);
            tile2(K, panels.data(), pb, a.data(), arow, rows, C.data(), ldc, 8 + cols1);
            for (int i = 0; i < 4; ++i)
              for (int j = 0; j < ldc; ++j) {
                const size_t at = size_t(i * ldc + j);
                if (i >= rows || j >= 8 + cols1) {
                  ASSERT_EQ(C[at], -7.f) << qt.name << " wrote outside the tile i=" << i << " j=" << j;
                } else if (qt.g == &kGemmScalar) {
                  ASSERT_EQ(C[at], want[at]) << "type=" << int(q.g) << " i=" << i << " j=" << j;
                } else {
                  ASSERT_NEAR(C[at], want[at], 1e-6 * mag[i][j] + 1e-6)
                      << qt.name << " type=" << int(q.g) << " K=" << K << " i=" << i << " j=" << j;
                }
              }
            ++checked;
          }
        }
      }
    }
  }
  EXPECT_GT(checked, 0);
}
