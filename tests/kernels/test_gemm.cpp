// kernels/gemm/gemm.h: every ISA's f32 tile (with f32/f16/bf16 packing) against a
// double-precision naive product, and the int8 tiles against the scalar tile,
// which in turn equals the scalar dot kernel bit for bit.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
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
  const DotKernels& dk = kDotScalar;
  for (int wt = 0; wt < 2; ++wt) {
    const bool q4 = wt == 1;
    const GemmQ gq = q4 ? GemmQ::q4_0 : GemmQ::q8_0;
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
          for (Isa isa : all_isas()) {
            const GemmKernels& g = gemm_kernels(isa);
            constexpr int ldc = 11;
            std::vector<float> C(4 * ldc, -7.f);
            (q4 ? g.q4_0_tile : g.q8_0_tile)(K, panel.data(), a.data(), arow, rows, C.data(), ldc, cols);
            for (int i = 0; i < 4; ++i)
              for (int j = 0; j < ldc; ++j) {
                const float got = C[size_t(i * ldc + j)];
                if (i >= rows || j >= cols) {
                  ASSERT_EQ(got, -7.f) << isa_name(isa) << " wrote outside the tile i=" << i << " j=" << j;
                } else if (isa == Isa::scalar) {
                  ASSERT_EQ(got, ref[i][j]) << "K=" << K << " q4=" << q4 << " i=" << i << " j=" << j;
                } else {
                  ASSERT_NEAR(got, ref[i][j], 1e-6 * mag[i][j] + 1e-6)
                      << isa_name(isa) << " K=" << K << " q4=" << q4 << " i=" << i << " j=" << j;
                }
              }
          }
        }
      }
    }
  }
}

TEST(GemmQ8, PackEqualsReferenceAllIsas) {
  // Every ISA's panel packing writes exactly gemm_pack_q's bytes (the whole panel).
  for (GemmQ gq : {GemmQ::q8_0, GemmQ::q4_0}) {
    const bool q4 = gq == GemmQ::q4_0;
    for (int K : {32, 160}) {
      const size_t wrow = size_t(K / 32) * (q4 ? sizeof(block_q4_0) : sizeof(block_q8_0));
      const auto wf = test::random_floats(size_t(8) * K, 21 + uint32_t(K));
      std::vector<uint8_t> w(wrow * 8);
      for (int r = 0; r < 8; ++r) {
        if (q4) quantize_q4_0(wf.data() + r * K, K, w.data() + r * wrow);
        else quantize_q8_0(wf.data() + r * K, K, w.data() + r * wrow);
      }
      if (!q4) reinterpret_cast<block_q8_0*>(w.data() + 2 * wrow)[0].qs[7] = -128;
      for (int rows : {8, 7, 3, 1}) {
        std::vector<uint8_t> want(gemm_q_panel_bytes(gq, K), 0xAB);
        gemm_pack_q(gq, w.data(), wrow, rows, K, want.data());
        for (Isa isa : all_isas()) {
          std::vector<uint8_t> got(want.size(), 0xCD);
          gemm_kernels(isa).pack_q(gq, w.data(), wrow, rows, K, got.data());
          ASSERT_EQ(got, want) << isa_name(isa) << " q4=" << q4 << " K=" << K << " rows=" << rows;
        }
      }
    }
  }
}
