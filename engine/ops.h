// Elementwise and row ops over f32 rows: the engine-level entry points models
// call. Each op picks the active kernel table (kernels/*) and splits large
// work across OpenMP threads (num_threads()) by rows or by chunks; small
// inputs stay on the calling thread, where thread start-up would cost more
// than the work. Outputs may alias inputs unless noted.
#pragma once
#include <cstdint>

#include "engine/tensor.h"

namespace sprout::ops {

// y = x / sqrt(mean(x^2) + eps) * w, per row of n.
void rmsnorm(const float* x, const float* w, float eps, int64_t rows, int64_t n, float* y);
// y = (x - mean) / sqrt(var + eps) * gamma + beta, per row (biased variance, as torch).
// gamma / beta may be null (1 / 0).
void layernorm(const float* x, const float* gamma, const float* beta, float eps, int64_t rows, int64_t n, float* y);
// In place, numerically stable; -inf entries become 0, an all -inf row becomes all 0.
void softmax(float* x, int64_t rows, int64_t n);

void silu(float* x, int64_t n);
void gelu_erf(float* x, int64_t n);   // PyTorch nn.GELU() default
void gelu_tanh(float* x, int64_t n);  // nn.GELU(approximate="tanh")
void relu(float* x, int64_t n);
void swiglu(const float* gate, const float* up, int64_t n, float* y);  // y = silu(gate) * up
void add(const float* a, const float* b, int64_t n, float* y);
void mul(const float* a, const float* b, int64_t n, float* y);
void scale(float* x, float s, int64_t n);

// RoPE on x[tokens, heads, head_dim] in place; pos[t] is the position of token t.
// Frequencies as HF: inv_freq[i] = 1 / theta^(2i / head_dim), angle = pos * inv_freq
// in f32. head_dim must be even (Error otherwise).
enum class RopeLayout { rotate_half /* HF Llama/Qwen2 */, interleaved /* GGUF llama, llama2.c */ };
void rope(float* x, int64_t tokens, int64_t heads, int64_t head_dim, const int32_t* pos, float theta, RopeLayout layout);

// Rows `ids` of table [vocab, dim] (f32, f16, bf16, i8_row, or a block-quantized
// dtype) -> out[count, dim] f32. An id outside [0, vocab) -> Error.
void embedding(const Tensor& table, const int32_t* ids, int64_t count, float* out);

// conv1d over time: x[T, Cin] -> y[T, Cout], weight [Cout, Cin, k] (PyTorch layout),
// bias [Cout] or null; stride 1, zero "same" padding; k must be odd. y must not alias x.
void conv1d(const float* x, int64_t T, int64_t Cin, const float* w, const float* b, int64_t Cout, int64_t k, float* y);

// One LSTM step from gate pre-activations g[4H] (PyTorch order i, f, g, o): updates c, h.
void lstm_cell(const float* gates, float* c, float* h, int64_t H);

}  // namespace sprout::ops
