// engine/ops.h: dispatch to kernels/* and threading over rows or chunks.
#include "engine/ops.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "engine/error.h"
#include "engine/quantize.h"
#include "engine/threads.h"
#include "kernels/act/act.h"
#include "kernels/attn/attn.h"
#include "kernels/common/fp16.h"
#include "kernels/conv1d/conv1d.h"
#include "kernels/elementwise/elementwise.h"
#include "kernels/lstm/lstm.h"
#include "kernels/norm/norm.h"
#include "kernels/rope/rope.h"
#include "kernels/softmax/softmax.h"


namespace sprout::ops {
namespace {

// Below this many floats of work an op runs on the calling thread.
constexpr int64_t kParallelMin = 1 << 15;
// Elementwise ops split into chunks of this many floats (fits in L2 with its inputs).
constexpr int64_t kChunk = 1 << 14;

int threads_for(int64_t work) { return work >= kParallelMin ? num_threads() : 1; }

void check_int(int64_t n, const char* op) {
  if (n < 0 || n > (int64_t(1) << 30)) fail(op, "row length " + std::to_string(n) + " out of range");
}

// f(row) for each row, threaded when rows * n is large.
template <class F>
void for_rows(int64_t rows, int64_t n, F f) {
  const int nt = rows > 1 ? threads_for(rows * n) : 1;
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
  for (int64_t r = 0; r < rows; ++r) f(r);
}

// f(offset, len) over [0, n) in chunks of kChunk, threaded when n is large.
template <class F>
void for_chunks(int64_t n, F f) {
  const int64_t chunks = (n + kChunk - 1) / kChunk;
  const int nt = chunks > 1 ? threads_for(n) : 1;
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
  for (int64_t c = 0; c < chunks; ++c) {
    const int64_t o = c * kChunk;
    f(o, int(std::min(kChunk, n - o)));
  }
}

}  // namespace

void rmsnorm(const float* x, const float* w, float eps, int64_t rows, int64_t n, float* y) {
  check_int(n, "rmsnorm");
  const auto k = kern::norm_kernels().rmsnorm;
  for_rows(rows, n, [&](int64_t r) { k(x + r * n, w, eps, int(n), y + r * n); });
}

void layernorm(const float* x, const float* gamma, const float* beta, float eps, int64_t rows, int64_t n, float* y) {
  check_int(n, "layernorm");
  const auto k = kern::norm_kernels().layernorm;
  for_rows(rows, n, [&](int64_t r) { k(x + r * n, gamma, beta, eps, int(n), y + r * n); });
}

void softmax(float* x, int64_t rows, int64_t n) {
  check_int(n, "softmax");
  const auto k = kern::softmax_kernels().softmax;
  for_rows(rows, n * 4, [&](int64_t r) { k(x + r * n, int(n)); });  // exp costs ~4 simple ops
}

void silu(float* x, int64_t n) {
  const auto k = kern::act_kernels().silu;
  for_chunks(n, [&](int64_t o, int len) { k(x + o, len); });
}
void gelu_erf(float* x, int64_t n) {
  const auto k = kern::act_kernels().gelu_erf;
  for_chunks(n, [&](int64_t o, int len) { k(x + o, len); });
}
void gelu_tanh(float* x, int64_t n) {
  const auto k = kern::act_kernels().gelu_tanh;
  for_chunks(n, [&](int64_t o, int len) { k(x + o, len); });
}
void relu(float* x, int64_t n) {
  const auto k = kern::act_kernels().relu;
  for_chunks(n, [&](int64_t o, int len) { k(x + o, len); });
}
void swiglu(const float* gate, const float* up, int64_t n, float* y) {
  const auto k = kern::act_kernels().swiglu;
  for_chunks(n, [&](int64_t o, int len) { k(gate + o, up + o, len, y + o); });
}
void add(const float* a, const float* b, int64_t n, float* y) {
  const auto k = kern::elementwise_kernels().add;
  for_chunks(n, [&](int64_t o, int len) { k(a + o, b + o, len, y + o); });
}
void mul(const float* a, const float* b, int64_t n, float* y) {
  const auto k = kern::elementwise_kernels().mul;
  for_chunks(n, [&](int64_t o, int len) { k(a + o, b + o, len, y + o); });
}
void scale(float* x, float s, int64_t n) {
  const auto k = kern::elementwise_kernels().scale;
  for_chunks(n, [&](int64_t o, int len) { k(x + o, s, len); });
}

void rope(float* x, int64_t tokens, int64_t heads, int64_t head_dim, const int32_t* pos, float theta,
          RopeLayout layout) {
  constexpr int64_t kMaxHalf = 1024;
  if (head_dim <= 0 || head_dim % 2 != 0 || head_dim / 2 > kMaxHalf)
    fail("rope", "head_dim " + std::to_string(head_dim) + " must be even and at most " + std::to_string(2 * kMaxHalf));
  check_int(heads * head_dim, "rope");
  const int half = int(head_dim / 2);
  // inv_freq[i] = 1 / theta^(2i / d), in f32 as HF's rotary embedding computes it.
  float inv_freq[kMaxHalf];
  for (int i = 0; i < half; ++i) inv_freq[i] = 1.0f / std::pow(theta, float(2 * i) / float(head_dim));
  const auto& rk = kern::rope_kernels();
  const auto k = layout == RopeLayout::rotate_half ? rk.rotate_half : rk.interleaved;
  for_rows(tokens, heads * head_dim, [&](int64_t t) {
    float c[kMaxHalf], s[kMaxHalf];
    for (int i = 0; i < half; ++i) {
      const float a = float(pos[t]) * inv_freq[i];
      c[i] = std::cos(a);
      s[i] = std::sin(a);
    }
    k(x + t * heads * head_dim, int(heads), int(head_dim), c, s);
  });
}

void embedding(const Tensor& table, const int32_t* ids, int64_t count, float* out) {
  if (table.ndim != 2 || !table.contiguous()) fail("embedding", "table must be a contiguous 2-D tensor, got " + table.shape_str());
  const int64_t vocab = table.dim(0), dim = table.dim(1);
  for (int64_t i = 0; i < count; ++i)
    if (ids[i] < 0 || ids[i] >= vocab)
      fail("embedding", "token id " + std::to_string(ids[i]) + " out of range [0, " + std::to_string(vocab) + ")");
  const DType dt = table.dtype;
  if (!is_quantized(dt) && dt != DType::f32 && dt != DType::f16 && dt != DType::bf16 && dt != DType::i8_row)
    fail("embedding", std::string("dtype ") + dtype_name(dt) + " not supported");
  if (dt == DType::i8_row && !table.row_scale) fail("embedding", "i8_row table without row scales");
  const auto from_f16 = kern::attn_kernels().from_f16;
  for_rows(count, dim, [&](int64_t i) {
    const uint8_t* row = table.row_ptr(ids[i]);
    float* y = out + i * dim;
    switch (dt) {
      case DType::f32: std::copy_n(reinterpret_cast<const float*>(row), dim, y); break;
      case DType::f16: from_f16(reinterpret_cast<const kern::f16_t*>(row), int(dim), y); break;
      case DType::bf16: {
        const auto* p = reinterpret_cast<const kern::bf16_t*>(row);
        for (int64_t j = 0; j < dim; ++j) y[j] = kern::bf16_to_f32(p[j]);
        break;
      }
      case DType::i8_row: {
        const auto* p = reinterpret_cast<const int8_t*>(row);
        const float s = table.row_scale[ids[i]];
        for (int64_t j = 0; j < dim; ++j) y[j] = float(p[j]) * s;
        break;
      }
      default: dequantize_row(dt, row, dim, y); break;  // block-quantized
    }
  });
}

void conv1d(const float* x, int64_t T, int64_t Cin, const float* w, const float* b, int64_t Cout, int64_t k, float* y) {
  if (k <= 0 || k % 2 == 0) fail("conv1d", "kernel width " + std::to_string(k) + " must be odd");
  check_int(T, "conv1d");
  check_int(Cin * Cout * k, "conv1d");
  // Repack [Cout, Cin, k] -> [k, Cin, Cout] once per call (weights are small in
  // the models that use conv1d); the buffer is reused across calls per thread.
  thread_local std::vector<float> wp;
  wp.resize(size_t(Cout * Cin * k));
  kern::conv1d_pack(w, int(Cout), int(Cin), int(k), wp.data());
  const auto kc = kern::conv1d_kernels().conv1d;
  const float* wpp = wp.data();
  const int64_t blocks = std::min<int64_t>(T, 64);
  const int nt = threads_for(T * Cin * Cout * k);
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
  for (int64_t blk = 0; blk < blocks; ++blk) {
    const int t0 = int(T * blk / blocks), t1 = int(T * (blk + 1) / blocks);
    kc(x, int(T), int(Cin), wpp, b, int(Cout), int(k), t0, t1, y);
  }
}

void lstm_cell(const float* gates, float* c, float* h, int64_t H) {
  check_int(H, "lstm_cell");
  kern::lstm_kernels().lstm_cell(gates, c, h, int(H));
}

}  // namespace sprout::ops
