// The decoder forward pass, top to bottom.
//
//   x = embed[tokens]                                   [T, dim]
//   for each layer:
//     h = rmsnorm(x) * attn_norm                         [T, dim]
//     q = h Wq^T (+bq)  k = h Wk^T (+bk)  v = h Wv^T (+bv) [T, H*D] [T, KV*D] [T, KV*D]
//     q, k = rope(q, k, positions)                       rotate-half (HF) or interleaved (GGUF llama, llama2.c)
//     cache[layer][pos..pos+T) = k, v
//     a = softmax(q K^T / sqrt(D) + causal) V            [T, H*D]   (GQA: KV heads shared by H/KV queries)
//     x = x + a Wo^T                                     [T, dim]
//     h = rmsnorm(x) * ffn_norm
//     x = x + (silu(h Wgate^T) * (h Wup^T)) Wdown^T      [T, ffn] -> [T, dim]
//   logits = rmsnorm(x) * final_norm @ Wout^T             [T or 1, vocab]
//
// T = n tokens of this call: a prompt (prefill; every linear is a GEMM with M = T) or
// one token (decode; GEMV). Long prompts run in chunks to bound scratch memory.
#include <cmath>
#include <vector>

#include "engine/attention.h"
#include "engine/error.h"
#include "engine/linear.h"
#include "engine/ops.h"
#include "models/llama/model.h"

namespace sprout::llama {

namespace {
constexpr int kChunk = 256;  // prompt tokens per pass: scratch stays ~ kChunk x (4 dim + 2 ffn) floats
}  // namespace

DType check_kv_dtype(const Model& m, DType kv_dtype) {
  if (kv_dtype == DType::q8_0 && m.config().head_dim % 32 != 0)
    fail(m.path(), "a q8_0 KV cache needs head_dim a multiple of 32; this model's is " +
                       std::to_string(m.config().head_dim) + " (use f16)");
  return kv_dtype;
}

State::State(const Model& m, int max_tokens, DType kv_dtype)
    : max_tokens_(max_tokens),
      cache_(m.config().layers, max_tokens, m.config().kv_heads, m.config().head_dim, check_kv_dtype(m, kv_dtype)) {
  if (max_tokens <= 0) fail("context", "size must be positive");
}

void State::truncate(int n) {
  if (n < 0 || n > pos_) fail("context", "cannot truncate to " + std::to_string(n));
  pos_ = n;
  cache_.truncate(n);
}

// One chunk of T tokens at positions s.pos_ ...; out: [T, dim] final hidden states (pre-norm).
static void run_layers(const Model& m, KvCache& cache, Arena& arena, const int32_t* tokens, int T, int pos0,
                       float* x) {
  const Config& c = m.config();
  const Weights& w = m.weights();
  const int H = c.heads, KV = c.kv_heads, D = c.head_dim;
  float* h = arena.alloc<float>(size_t(T) * c.dim);
  float* q = arena.alloc<float>(size_t(T) * H * D);
  float* k = arena.alloc<float>(size_t(T) * KV * D);
  float* v = arena.alloc<float>(size_t(T) * KV * D);
  float* a = arena.alloc<float>(size_t(T) * H * D);
  float* g = arena.alloc<float>(size_t(T) * c.ffn);
  float* u = arena.alloc<float>(size_t(T) * c.ffn);
  std::vector<int32_t> pos(static_cast<size_t>(T));
  for (int t = 0; t < T; ++t) pos[size_t(t)] = pos0 + t;

  ops::embedding(w.embed, tokens, T, x);                               // x [T, dim]
  for (int l = 0; l < c.layers; ++l) {
    const LayerWeights& L = w.layers[size_t(l)];
    // --- attention block
    ops::rmsnorm(x, L.attn_norm, c.eps, T, c.dim, h);                  // h [T, dim]
    linear(L.wq, h, T, q, L.bq);                                       // q [T, H*D]
    linear(L.wk, h, T, k, L.bk);                                       // k [T, KV*D]
    linear(L.wv, h, T, v, L.bv);                                       // v [T, KV*D]
    ops::rope(q, T, H, D, pos.data(), c.rope_theta, c.rope);
    ops::rope(k, T, KV, D, pos.data(), c.rope_theta, c.rope);
    cache.write(l, pos0, T, k, v);                                     // cache[l][pos0 .. pos0+T)
    AttentionArgs args{};
    args.n_q = T;
    args.n_kv = pos0 + T;
    args.n_heads = H;
    args.n_kv_heads = KV;
    args.head_dim = D;
    args.scale = 1.0f / std::sqrt(float(D));
    args.causal = true;
    args.q_pos0 = pos0;
    args.key_mask = nullptr;
    attention(args, q, cache, l, a, arena);                            // a [T, H*D]
    linear(L.wo, a, T, h);                                             // h [T, dim]
    ops::add(x, h, int64_t(T) * c.dim, x);                             // x += attn
    // --- MLP block (SwiGLU)
    ops::rmsnorm(x, L.ffn_norm, c.eps, T, c.dim, h);                   // h [T, dim]
    linear(L.gate, h, T, g);                                           // g [T, ffn]
    linear(L.up, h, T, u);                                             // u [T, ffn]
    ops::swiglu(g, u, int64_t(T) * c.ffn, g);                          // g = silu(g) * u
    linear(L.down, g, T, h);                                           // h [T, dim]
    ops::add(x, h, int64_t(T) * c.dim, x);                             // x += mlp
  }
}

void forward(const Model& m, State& s, const int32_t* tokens, int n, float* logits, bool all_logits) {
  const Config& c = m.config();
  if (n <= 0) return;
  if (n > s.max_tokens_ - s.pos_)
    fail("context", std::to_string(s.pos_ + n) + " tokens do not fit in the context of " +
                        std::to_string(s.max_tokens_) + " (use a shorter prompt or a larger --ctx)");
  for (int i = 0; i < n; ++i)
    if (tokens[i] < 0 || tokens[i] >= c.vocab)
      fail("token", "id " + std::to_string(tokens[i]) + " outside the vocabulary [0, " + std::to_string(c.vocab) + ")");

  for (int done = 0; done < n; done += kChunk) {
    const int T = std::min(kChunk, n - done);
    const Arena::Mark mark = s.arena_.mark();
    float* x = s.arena_.alloc<float>(size_t(T) * c.dim);
    run_layers(m, s.cache_, s.arena_, tokens + done, T, s.pos_, x);
    s.pos_ += T;
    // Logits: every row when asked, otherwise only the last token of the last chunk.
    const bool last_chunk = done + T == n;
    if (all_logits || last_chunk) {
      const int rows = all_logits ? T : 1;
      const float* xr = x + size_t(T - rows) * c.dim;
      float* hn = s.arena_.alloc<float>(size_t(rows) * c.dim);
      ops::rmsnorm(xr, m.weights().final_norm, c.eps, rows, c.dim, hn);        // [rows, dim]
      float* out = all_logits ? logits + size_t(done) * c.vocab : logits;
      linear(m.weights().output, hn, rows, out);                             // [rows, vocab]
    }
    s.arena_.rewind(mark);
  }
}

}  // namespace sprout::llama
