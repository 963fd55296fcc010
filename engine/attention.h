// Scaled dot-product attention shared by every graph: the Qwen/Llama decoder
// (causal, GQA, KV cache across turns), the BERT encoder (bidirectional with a
// padding mask, plain f32 K/V), the M2M100 encoder self-attention, decoder
// self-attention over its cache, and cross-attention over cached encoder K/V.
//
// For each query token i and head h (kv head g = h / (n_heads / n_kv_heads)):
//   s_j   = scale * q[i, h] . k[j, g] + key_mask[j]     for visible keys j
//   p     = softmax(s)                                   (kernels/softmax)
//   out[i, h] = sum_j p_j v[j, g]
// Visible keys: j < n_kv, and with causal also j <= q_pos0 + i (q_pos0 is the
// position of the first query, i.e. the number of tokens already cached).
// A query whose visible keys are all masked (-inf) gets a zero output.
//
// Dots and the weighted V sum use kernels/attn (f32, f16 or q8_0 K/V rows, f32
// accumulation; the AVX2 q8_0 weighted sum rounds its weights to int16, see
// kernels/attn/attn.h), with each query's heads split over OpenMP threads. Calls
// with 8 or more queries (prefill) instead run per (head, block of queries) as
// small GEMMs on the kernels/gemm f32 tile (q8_0 rows dequantized first). Score rows come from `scratch` (rewound
// before returning), so a call does not allocate once the arena has grown.
#pragma once
#include "engine/arena.h"
#include "engine/kv_cache.h"

namespace sprout {

struct AttentionArgs {
  int n_q = 0, n_kv = 0;                          // query tokens; key/value tokens visible
  int n_heads = 0, n_kv_heads = 0, head_dim = 0;  // GQA when n_kv_heads < n_heads
  float scale = 1.f;                              // usually 1/sqrt(head_dim)
  bool causal = false;
  int q_pos0 = 0;                                 // causal: query i sees keys 0 .. q_pos0 + i
  const float* key_mask = nullptr;                // optional additive mask per key (0 or -inf), length n_kv
};

// q [n_q, n_heads, head_dim] f32; out [n_q, n_heads, head_dim] f32 (must not alias q).
// K/V from a KvCache layer (its first n_kv positions) ...
void attention(const AttentionArgs& a, const float* q, const KvCache& cache, int layer, float* out, Arena& scratch);
// ... or plain f32 k, v [n_kv, n_kv_heads, head_dim].
void attention(const AttentionArgs& a, const float* q, const float* k, const float* v, float* out, Arena& scratch);

}  // namespace sprout
