// Packed/blocked GEMM path of linear() (engine/linear.h) for prefill (M > 1).
//
// f32, f16, bf16 weights: work items are (panel of nr weight rows, block of M
// rows); each packs its panel K-block by K-block (kKc values, converted to f32,
// kernels/gemm/gemm.h) and runs the mr x nr micro-kernel over its M rows, so a
// packed K-block (kKc * nr * 4 bytes, 16 KiB on AVX2) stays in L1 while the rows
// of x stream past it.
//
// q8_0, q4_0 weights: x is quantized to q8_0 once per row (as the dot path does);
// work items are panels of 8 weight rows, each repacked on the fly into 4-bit
// planes (kernels/gemm/gemm.h; a thread-local buffer of ~2.1 bytes per weight for
// q8_0, ~1.1 for q4_0, so no second copy of the model is kept) and swept by all
// rows of x in 4 x 8 tiles.
//
// Other dtypes, and M below kMinRows, decline (linear() uses its dot path).
#include "engine/linear_gemm.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
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
constexpr int kKc = 256;  // K-block of a packed f32 panel

std::atomic<bool> g_enabled{[] {
  const char* e = std::getenv("SPROUT_GEMM");
  return !(e && e[0] == '0');
}()};

thread_local std::vector<float> t_panel;
thread_local std::vector<uint8_t> t_q8;
thread_local std::vector<uint8_t> t_panel_q;

void gemm_float(kern::GemmB bt, const Tensor& W, const float* x, int64_t M, float* y) {
  const kern::GemmKernels& g = kern::gemm_kernels();
  const int64_t N = W.dim(0);
  const int K = int(W.dim(1));
  const int nt = num_threads();
  const int64_t npanels = (N + g.nr - 1) / g.nr;
  // Split M into blocks (multiples of mr) when there are too few panels to keep
  // every thread busy with several items.
  int64_t mblocks = std::max<int64_t>(1, (4 * nt + npanels - 1) / npanels);
  mblocks = std::min<int64_t>(mblocks, (M + g.mr - 1) / g.mr);
  const int64_t mb = ((M + mblocks - 1) / mblocks + g.mr - 1) / g.mr * g.mr;
  mblocks = (M + mb - 1) / mb;
  const int64_t items = npanels * mblocks;
  const size_t ldb = size_t(K);
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt) if (nt > 1 && items > 1)
  for (int64_t it = 0; it < items; ++it) {
    const int64_t p = it / mblocks, m0 = (it % mblocks) * mb, m1 = std::min(M, m0 + mb);
    const int n0 = int(p * g.nr), cols = int(std::min<int64_t>(g.nr, N - n0));
    t_panel.resize(size_t(kKc) * size_t(g.nr));
    for (int k0 = 0; k0 < K; k0 += kKc) {
      const int kc = std::min(kKc, K - k0);
      kern::gemm_pack_b(bt, W.data, ldb, n0, cols, k0, kc, g.nr, t_panel.data());
      for (int64_t m = m0; m < m1; m += g.mr) {
        const int rows = int(std::min<int64_t>(g.mr, m1 - m));
        g.f32_tile(kc, x + m * K + k0, size_t(K), t_panel.data(), y + m * N + n0, size_t(N), rows, cols, k0 > 0);
      }
    }
  }
}

void gemm_q8(kern::GemmQ wq, const Tensor& W, const float* x, int64_t M, float* y) {
  const kern::GemmKernels& g = kern::gemm_kernels();
  const kern::DotKernels& d = kern::dot_kernels();
  const kern::GemmQ8Tile tile = wq == kern::GemmQ::q8_0 ? g.q8_0_tile : g.q4_0_tile;
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
      for (int p = 0; p < np; ++p)
        tile(K, t_panel_q.data() + p * panel_bytes, act + size_t(m) * a_row, a_row, rows, y + m * N + r0 + p * NR,
             size_t(N), cols[p]);
    }
  }
}

}  // namespace

void set_linear_gemm_enabled(bool on) { g_enabled = on; }
bool linear_gemm_enabled() { return g_enabled; }

bool linear_gemm(const Tensor& W, const float* x, int64_t M, float* y, const float* bias) {
  if (!g_enabled || M < kMinRows) return false;
  switch (W.dtype) {
    case DType::f32: gemm_float(kern::GemmB::f32, W, x, M, y); break;
    case DType::f16: gemm_float(kern::GemmB::f16, W, x, M, y); break;
    case DType::bf16: gemm_float(kern::GemmB::bf16, W, x, M, y); break;
    case DType::q8_0: gemm_q8(kern::GemmQ::q8_0, W, x, M, y); break;
    case DType::q4_0: gemm_q8(kern::GemmQ::q4_0, W, x, M, y); break;
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
