// Packed/blocked GEMM path of linear() (engine/linear.h) for prefill (M > 1).
//
// f32, f16, bf16 weights (BLIS-style, kernels/gemm/gemm.h): x is packed once
// into mr-row slivers per K block; each work item packs a block of weight rows
// per K block into nr-column panels (converted to f32) and runs the mr x nr
// micro-kernel with one panel in L1 against an L2-sized block of slivers.
//
// Integer weights (q8_0, q4_0, q4_1, q5_0, q5_1, q4_k, q5_k, q6_k): x is quantized
// to q8_0 once per row (as the dot path does for the 32-value types; for k-quants
// the dot path uses q8_K, the GEMM q8_0, whose 32-value blocks line up with
// their sub-blocks); work items are panels of 8 weight rows, each repacked on
// the fly into 32-value panel blocks of 4- to 6-bit planes with per-row scales
// (kernels/gemm/gemm.h; a thread-local buffer of ~2.1 bytes per weight for q8_0,
// ~1.1-1.4 for the others, so no second copy of the model is kept) and swept by
// all rows of x in 4 x 8 tiles.
//
// Other dtypes (i8_row), and M below kMinRows, decline (linear() uses its
// dot path).
#include "engine/linear_gemm.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <vector>

#include "engine/linear.h"
#include "engine/threads.h"
#include "kernels/dot/dot.h"
#include "kernels/gemm/gemm.h"

namespace sprout {
namespace {

// Below this many rows the dot path (which reads each weight row once per tile
// and all x rows against it) is as fast: measured in bench/kernels/bench_gemm.cpp.
constexpr int64_t kMinRows = 4;
// Float blocking (f32 values): a kKc x nr B panel (16 KiB on AVX2) stays in L1
// while the mr-row slivers of a kMc x kKc block of packed x (up to 192 KiB)
// stream from L2; a work item's B block (kKc x at most kNc columns, 512 KiB)
// is packed once per K block and reused by every row of x.
constexpr int kKc = 256;
constexpr int64_t kMc = 192;
constexpr int64_t kNc = 512;

std::atomic<bool> g_enabled{[] {
  const char* e = std::getenv("SPROUT_GEMM");
  return !(e && e[0] == '0');
}()};

// 64-byte aligned f32 scratch, grown on demand and kept per thread.
struct Scratch {
  std::unique_ptr<float[], decltype(&std::free)> p{nullptr, &std::free};
  size_t n = 0;
  float* get(size_t want) {
    if (want > n) {
      void* q = std::aligned_alloc(64, (want * sizeof(float) + 63) / 64 * 64);
      if (!q) throw std::bad_alloc();
      p.reset(static_cast<float*>(q));
      n = want;
    }
    return p.get();
  }
};
thread_local Scratch t_apack, t_bpack;
thread_local std::vector<uint8_t> t_q8;
thread_local std::vector<uint8_t> t_panel_q;

// y[M,N] = x[M,K] · W^T. x is packed once into mr-row slivers per K block
// (shared by all threads); work items are (block of <= kNc weight rows) x
// (range of x rows; x is split only when there are too few weight blocks for
// the threads), each packing its B block per K block into its own buffer.
void gemm_float(kern::GemmB bt, const Tensor& W, const float* x, int64_t M, float* y) {
  const kern::GemmKernels& g = kern::gemm_kernels();
  const int64_t N = W.dim(0);
  const int K = int(W.dim(1));
  const int nt = num_threads();
  const int mr = g.mr, nr = g.nr;
  const int64_t nkb = (K + kKc - 1) / kKc;
  const int64_t nsl = (M + mr - 1) / mr;  // slivers of x
  const size_t sliver_sz = size_t(kKc) * size_t(mr);
  float* apack = t_apack.get(size_t(nkb * nsl) * sliver_sz);

  // Weight blocks: whole panels, at most kNc columns, at least 2 per thread.
  const int64_t npanels = (N + nr - 1) / nr;
  const int64_t max_ppb = std::max<int64_t>(1, kNc / nr);
  int64_t ppb = std::min<int64_t>(max_ppb, (npanels + 2 * nt - 1) / (2 * nt));
  ppb = std::max<int64_t>(ppb, 1);
  const int64_t nblocks = (npanels + ppb - 1) / ppb;
  // Split x's rows (in whole slivers) when weight blocks alone cannot feed the threads.
  int64_t msplit = nt > 1 ? std::min<int64_t>(nsl, (2 * nt + nblocks - 1) / nblocks) : 1;
  const int64_t spi = (nsl + msplit - 1) / msplit;  // slivers per item
  msplit = (nsl + spi - 1) / spi;
  const int64_t items = nblocks * msplit;
  const size_t ldb = size_t(K);
  const int64_t mc_sl = std::max<int64_t>(1, kMc / mr);  // slivers per L2 block

#pragma omp parallel num_threads(nt) if (nt > 1 && (items > 1 || nsl * nkb > 1))
  {
#pragma omp for schedule(static)
    for (int64_t t = 0; t < nkb * nsl; ++t) {
      const int64_t kb = t / nsl, s = t % nsl;
      const int k0 = int(kb * kKc), kc = std::min(kKc, K - k0);
      const int rows = int(std::min<int64_t>(mr, M - s * mr));
      kern::gemm_pack_a(x + s * mr * K, size_t(K), rows, k0, kc, mr, apack + size_t(kb * nsl + s) * sliver_sz);
    }
#pragma omp for schedule(dynamic, 1)
    for (int64_t it = 0; it < items; ++it) {
      const int64_t blk = it / msplit, s0 = (it % msplit) * spi, s1 = std::min(nsl, s0 + spi);
      const int64_t p0 = blk * ppb, p1 = std::min(npanels, p0 + ppb);
      const size_t panel_sz = size_t(kKc) * size_t(nr);
      float* bpack = t_bpack.get(size_t(p1 - p0) * panel_sz);
      for (int64_t kb = 0; kb < nkb; ++kb) {
        const int k0 = int(kb * kKc), kc = std::min(kKc, K - k0);
        for (int64_t p = p0; p < p1; ++p) {
          const int n0 = int(p * nr), cols = int(std::min<int64_t>(nr, N - n0));
          g.pack_b(bt, W.data, ldb, n0, cols, k0, kc, bpack + size_t(p - p0) * panel_sz);
        }
        const float* ablk = apack + size_t(kb * nsl) * sliver_sz;
        for (int64_t sb = s0; sb < s1; sb += mc_sl) {
          const int64_t sb1 = std::min(s1, sb + mc_sl);
          for (int64_t p = p0; p < p1; ++p) {
            const int n0 = int(p * nr), cols = int(std::min<int64_t>(nr, N - n0));
            const float* panel = bpack + size_t(p - p0) * panel_sz;
            for (int64_t s = sb; s < sb1; ++s) {
              const int rows = int(std::min<int64_t>(mr, M - s * mr));
              g.f32_tile(kc, ablk + size_t(s) * sliver_sz, panel, y + s * mr * N + n0, size_t(N), rows, cols, kb > 0);
            }
          }
        }
      }
    }
  }
}

void gemm_q8(kern::GemmQ wq, const Tensor& W, const float* x, int64_t M, float* y) {
  const kern::GemmKernels& g = kern::gemm_kernels();
  const kern::DotKernels& d = kern::dot_kernels();
  if (wq == kern::GemmQ::q8_0) wq = g.q8_0_panel;  // byte panels where the ISA has an 8-bit dot
  const kern::GemmQ8Tile tile = g.q_tile[int(wq)];
  const kern::GemmQ8Tile2 tile2 = g.q_tile2[int(wq)];
  constexpr int NR = kern::kGemmQCols, MR = kern::kGemmQRows;
  const int64_t N = W.dim(0);
  const int K = int(W.dim(1));
  const int nt = num_threads();
  const size_t w_row = *row_bytes(W.dtype, uint64_t(K));
  const size_t a_row = kern::act_row_bytes(kern::ActFormat::q8_0, K);
  t_q8.resize(a_row * size_t(M));
  uint8_t* act = t_q8.data();
#pragma omp parallel for schedule(static) num_threads(nt) if (nt > 1)
  for (int64_t m = 0; m < M; ++m) d.quantize_q8_0(x + m * K, K, act + size_t(m) * a_row);

  // One work item per 2 panels of 8 weight rows: pack them (kernels/gemm/gemm.h),
  // then run every activation row past them while they stay in L1/L2; each group
  // of 4 activation rows is read once for both panels (the rows of x may not fit
  // in L2: 512 rows of K = 5504 are 3 MB).
  const uint8_t* wb = static_cast<const uint8_t*>(W.data);
  const size_t panel_bytes = kern::gemm_q_panel_bytes(wq, K);
  constexpr int64_t kPanels = 2;
  const int64_t items = (N + kPanels * NR - 1) / (kPanels * NR);
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt) if (nt > 1 && items > 1)
  for (int64_t it = 0; it < items; ++it) {
    const int64_t r0 = it * kPanels * NR;
    const int np = int(std::min<int64_t>(kPanels, (N - r0 + NR - 1) / NR));
    int cols[kPanels] = {};
    t_panel_q.resize(panel_bytes * kPanels);
    for (int p = 0; p < np; ++p) {
      cols[p] = int(std::min<int64_t>(NR, N - r0 - p * NR));
      g.pack_q(wq, wb + size_t(r0 + p * NR) * w_row, w_row, cols[p], K, t_panel_q.data() + p * panel_bytes);
    }
    for (int64_t m = 0; m < M; m += MR) {
      const int rows = int(std::min<int64_t>(MR, M - m));
      if (np == 2 && tile2) {  // both panels in one pass over the activation rows
        tile2(K, t_panel_q.data(), panel_bytes, act + size_t(m) * a_row, a_row, rows, y + m * N + r0, size_t(N),
              NR + cols[1]);
        continue;
      }
      for (int p = 0; p < np; ++p)
        tile(K, t_panel_q.data() + p * panel_bytes, act + size_t(m) * a_row, a_row, rows, y + m * N + r0 + p * NR,
             size_t(N), cols[p]);
    }
  }
}

}  // namespace

void set_linear_gemm_enabled(bool on) { g_enabled = on; }
bool linear_gemm_enabled() { return g_enabled; }

bool linear_gemm_takes(DType t, int64_t M) {
  if (!g_enabled || M < kMinRows) return false;
  switch (t) {
    case DType::f32: case DType::f16: case DType::bf16: case DType::q8_0: case DType::q4_0: case DType::q4_1:
    case DType::q5_0: case DType::q5_1: case DType::q4_k: case DType::q5_k: case DType::q6_k: return true;
    default: return false;
  }
}

bool linear_gemm(const Tensor& W, const float* x, int64_t M, float* y, const float* bias) {
  if (!linear_gemm_takes(W.dtype, M)) return false;
  switch (W.dtype) {
    case DType::f32: gemm_float(kern::GemmB::f32, W, x, M, y); break;
    case DType::f16: gemm_float(kern::GemmB::f16, W, x, M, y); break;
    case DType::bf16: gemm_float(kern::GemmB::bf16, W, x, M, y); break;
    case DType::q8_0: gemm_q8(kern::GemmQ::q8_0, W, x, M, y); break;
    case DType::q4_0: gemm_q8(kern::GemmQ::q4_0, W, x, M, y); break;
    case DType::q4_1: gemm_q8(kern::GemmQ::q4_1, W, x, M, y); break;
    case DType::q5_0: gemm_q8(kern::GemmQ::q5_0, W, x, M, y); break;
    case DType::q5_1: gemm_q8(kern::GemmQ::q5_1, W, x, M, y); break;
    case DType::q4_k: gemm_q8(kern::GemmQ::q4_K, W, x, M, y); break;
    case DType::q5_k: gemm_q8(kern::GemmQ::q5_K, W, x, M, y); break;
    case DType::q6_k: gemm_q8(kern::GemmQ::q6_K, W, x, M, y); break;
    default: return false;
  }
  if (bias) {
    const int64_t N = W.dim(0);
    for (int64_t m = 0; m < M; ++m)
      for (int64_t n = 0; n < N; ++n) y[m * N + n] += bias[n];
  }
  return true;
}

}  // namespace sprout
