#include "engine/linear.h"

#include <omp.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "engine/error.h"
#include "engine/threads.h"
#include "kernels/dot/dot.h"

namespace sprout {
namespace {

using kern::ActFormat;
using kern::WeightFormat;

bool weight_format(DType t, WeightFormat* f) {
  switch (t) {
    case DType::f32: *f = WeightFormat::f32; return true;
    case DType::f16: *f = WeightFormat::f16; return true;
    case DType::bf16: *f = WeightFormat::bf16; return true;
    case DType::q8_0: *f = WeightFormat::q8_0; return true;
    case DType::q4_0: *f = WeightFormat::q4_0; return true;
    case DType::q4_1: *f = WeightFormat::q4_1; return true;
    case DType::q5_0: *f = WeightFormat::q5_0; return true;
    case DType::q5_1: *f = WeightFormat::q5_1; return true;
    case DType::q4_k: *f = WeightFormat::q4_K; return true;
    case DType::q5_k: *f = WeightFormat::q5_K; return true;
    case DType::q6_k: *f = WeightFormat::q6_K; return true;
    case DType::i8_row: *f = WeightFormat::i8; return true;
    default: return false;
  }
}

// Activation rows in the weight's companion format, with per-row i8 scales.
struct Activations {
  const uint8_t* data;
  size_t row_bytes;
  const float* i8_scale;  // i8 only
  const void* row(int64_t m) const { return data + size_t(m) * row_bytes; }
};

// Per-thread scratch reused across calls (decode calls linear() hundreds of
// times per token; no allocation after the first).
thread_local std::vector<uint8_t> t_act;
thread_local std::vector<float> t_scale;

Activations quantize_activations(const kern::DotKernels& k, ActFormat af, const float* x, int64_t M, int K, int nt) {
  if (af == ActFormat::f32) return {reinterpret_cast<const uint8_t*>(x), size_t(K) * 4, nullptr};
  const size_t rb = kern::act_row_bytes(af, K);
  t_act.resize(rb * size_t(M));
  if (af == ActFormat::i8) t_scale.resize(size_t(M));
  uint8_t* buf = t_act.data();
  float* scales = t_scale.data();
#pragma omp parallel for schedule(static) num_threads(nt) if (M > 1 && nt > 1)
  for (int64_t m = 0; m < M; ++m) {
    const float* xm = x + m * K;
    uint8_t* out = buf + size_t(m) * rb;
    if (af == ActFormat::q8_0) k.quantize_q8_0(xm, K, out);
    else if (af == ActFormat::q8_K) k.quantize_q8_K(xm, K, out);
    else scales[m] = k.quantize_i8(xm, K, reinterpret_cast<int8_t*>(out));
  }
  return {buf, rb, af == ActFormat::i8 ? scales : nullptr};
}

}  // namespace

bool linear_supports(DType t) {
  WeightFormat f;
  return weight_format(t, &f);
}

void linear(const Tensor& W, const float* x, int64_t M, float* y, const float* bias) {
  WeightFormat wf;
  if (!weight_format(W.dtype, &wf)) fail("linear", std::string("unsupported weight dtype ") + dtype_name(W.dtype));
  if (W.ndim != 2 || !W.contiguous()) fail("linear", "weight " + W.shape_str() + " must be a contiguous 2-D tensor");
  if (wf == WeightFormat::i8 && !W.row_scale) fail("linear", "i8_row weight " + W.shape_str() + " has no row scales");
  if (M <= 0) return;
  const int64_t N = W.dim(0), K64 = W.dim(1);
  if (K64 <= 0 || K64 > (int64_t(1) << 30)) fail("linear", "weight " + W.shape_str() + ": bad inner size");
  const int K = int(K64);
  // The int8 kernel sums a whole row in int32: exact only while K * 127^2 < 2^31.
  if (wf == WeightFormat::i8 && K > 133144)
    fail("linear", "i8_row weight " + W.shape_str() + ": rows longer than 133144 overflow the int32 sum");

  // 1. A packed/blocked GEMM, when one is plugged in and takes this shape.
  if (M > 1 && linear_gemm(W, x, M, y, bias)) return;

  // 2. Tiled dot products.
  const kern::DotKernels& k = kern::dot_kernels();
  const kern::DotFn dot = k.dot[int(wf)];
  const kern::Dot2Fn dot2 = k.dot2[int(wf)];
  const size_t w_row = *row_bytes(W.dtype, uint64_t(K));
  const uint8_t* wbase = static_cast<const uint8_t*>(W.data);
  // Small problems are not worth waking a thread team for.
  const int nt = uint64_t(N) * w_row * uint64_t(M) < (64u << 10) ? 1 : num_threads();
  const Activations act = quantize_activations(k, kern::act_format(wf), x, M, K, nt);
  const float* wscale = W.row_scale;

  // Tiles of at most ~128 KiB of weights: a tile stays in L2 while all M rows of x
  // pass over it. At least ~8 tiles per thread, handed out dynamically, so a thread
  // slowed by a busy neighbour core does not hold up the others at the barrier.
  // Within a tile, row i of the first half goes with row i of the second (dot2, or
  // dot on each in that order): two weight streams tens of KiB apart, each on its
  // own pages, which the hardware prefetchers follow side by side. One stream per
  // core left decode ~25% below the bandwidth two reach (docs/performance.md).
  const int64_t max_tile = std::max<int64_t>(1, int64_t((128u << 10) / w_row));
  const int64_t tile = std::clamp<int64_t>((N + 8 * nt - 1) / (8 * nt), 1, max_tile);
  const int64_t ntiles = (N + tile - 1) / tile;
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt) if (nt > 1)
  for (int64_t t = 0; t < ntiles; ++t) {
    const int64_t r0 = t * tile, r1 = std::min(N, r0 + tile);
    for (int64_t m = 0; m < M; ++m) {
      const void* a = act.row(m);
      float* ym = y + m * N;
      const int64_t h = (r1 - r0 + 1) / 2;
      for (int64_t i = 0; i < h; ++i) {
        const int64_t ra = r0 + i, rb = ra + h;
        const uint8_t* wa = wbase + size_t(ra) * w_row;
        if (rb >= r1) {
          ym[ra] = dot(K, wa, a);
        } else if (dot2) {
          float o[2];
          dot2(K, wa, wbase + size_t(rb) * w_row, a, o);
          ym[ra] = o[0];
          ym[rb] = o[1];
        } else {
          ym[ra] = dot(K, wa, a);
          ym[rb] = dot(K, wbase + size_t(rb) * w_row, a);
        }
      }
      if (act.i8_scale) {
        const float sa = act.i8_scale[m];
        for (int64_t r = r0; r < r1; ++r) ym[r] *= wscale[r] * sa;
      }
      if (bias)
        for (int64_t r = r0; r < r1; ++r) ym[r] += bias[r];
    }
  }
}

}  // namespace sprout
