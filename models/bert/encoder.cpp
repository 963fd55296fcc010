// The BERT encoder forward pass over a packed batch (see bert.h).
//
// N = total tokens of the batch (sequences back to back), H = hidden, F = ffn width,
// nh heads of hd = H / nh. Sequence s occupies rows off[s] .. off[s] + len[s].
#include <cmath>
#include <string>

#include "engine/attention.h"
#include "engine/error.h"
#include "engine/linear.h"
#include "engine/ops.h"
#include "models/bert/bert.h"

namespace sprout::bert {

static void activate(Activation a, float* x, int64_t n) {
  switch (a) {
    case Activation::gelu_erf: ops::gelu_erf(x, n); return;   // HF "gelu"
    case Activation::gelu_tanh: ops::gelu_tanh(x, n); return;
    case Activation::relu: ops::relu(x, n); return;
    case Activation::silu: ops::silu(x, n); return;
  }
}

void Model::encode(std::span<const std::span<const int32_t>> seqs, float* out, Arena& scratch) const {
  const Hparams& hp = w_.hp;
  const int64_t H = hp.hidden, F = hp.ffn, nh = hp.heads, hd = hp.head_dim();

  // Token ids and positions, packed: ids[N], pos[N], types[N] (all type 0: one segment).
  int64_t N = 0;
  for (auto s : seqs) {
    if (s.empty()) fail("bert", "empty sequence");
    if (int64_t(s.size()) > hp.max_positions)
      fail("bert", "sequence of " + std::to_string(s.size()) + " tokens exceeds max_position_embeddings " +
                       std::to_string(hp.max_positions));
    N += int64_t(s.size());
  }
  const Arena::Mark mark = scratch.mark();
  int32_t* ids = scratch.alloc<int32_t>(size_t(N));
  int32_t* pos = scratch.alloc<int32_t>(size_t(N));
  int32_t* types = scratch.alloc<int32_t>(size_t(N));
  for (int64_t s = 0, t = 0; s < int64_t(seqs.size()); ++s)
    for (size_t i = 0; i < seqs[size_t(s)].size(); ++i, ++t) {
      ids[t] = seqs[size_t(s)][i];
      if (ids[t] < 0 || ids[t] >= hp.vocab)
        fail("input", "token id " + std::to_string(ids[t]) + " out of range (vocabulary " + std::to_string(hp.vocab) + ")");
      pos[t] = int32_t(i);
      types[t] = 0;
    }

  float* x = out;                                          // [N, H] the residual stream
  float* tmp = scratch.alloc<float>(size_t(N * H));        // [N, H]
  float* q = scratch.alloc<float>(size_t(N * H));          // [N, nh, hd]
  float* k = scratch.alloc<float>(size_t(N * H));          // [N, nh, hd]
  float* v = scratch.alloc<float>(size_t(N * H));          // [N, nh, hd]
  float* ctx = scratch.alloc<float>(size_t(N * H));        // [N, nh, hd]
  float* ffn = scratch.alloc<float>(size_t(N * F));        // [N, F]

  // Embeddings: word[ids] + position[pos] + token_type[0] -> LayerNorm.   x [N, H]
  ops::embedding(w_.word_emb, ids, N, x);                  // bad ids throw
  ops::embedding(w_.pos_emb, pos, N, tmp);
  ops::add(x, tmp, N * H, x);
  ops::embedding(w_.type_emb, types, N, tmp);
  ops::add(x, tmp, N * H, x);
  ops::layernorm(x, w_.emb_norm.gamma, w_.emb_norm.beta, hp.ln_eps, N, H, x);

  for (const Layer& L : w_.layers) {
    // Self-attention: q, k, v = x Wq^T + bq, ...                      [N, H] each
    linear(L.q.w, x, N, q, L.q.b);
    linear(L.k.w, x, N, k, L.k.b);
    linear(L.v.w, x, N, v, L.v.b);
    // Each sequence attends over its own tokens only (= the padding mask of a padded batch).
    for (int64_t s = 0, off = 0; s < int64_t(seqs.size()); off += int64_t(seqs[size_t(s)].size()), ++s) {
      AttentionArgs a{};
      a.n_q = a.n_kv = int(seqs[size_t(s)].size());
      a.n_heads = a.n_kv_heads = int(nh);
      a.head_dim = int(hd);
      a.scale = 1.0f / std::sqrt(float(hd));
      a.causal = false;
      a.q_pos0 = 0;
      a.key_mask = nullptr;
      attention(a, q + off * H, k + off * H, v + off * H, ctx + off * H, scratch);
    }
    // x = LayerNorm(x + ctx Wo^T + bo)                                [N, H]
    linear(L.attn_out.w, ctx, N, tmp, L.attn_out.b);
    ops::add(tmp, x, N * H, tmp);
    ops::layernorm(tmp, L.attn_norm.gamma, L.attn_norm.beta, hp.ln_eps, N, H, x);

    // Feed-forward: x = LayerNorm(x + gelu(x W1^T + b1) W2^T + b2)  [N, F] -> [N, H]
    linear(L.ffn_up.w, x, N, ffn, L.ffn_up.b);
    activate(hp.act, ffn, N * F);
    linear(L.ffn_down.w, ffn, N, tmp, L.ffn_down.b);
    ops::add(tmp, x, N * H, tmp);
    ops::layernorm(tmp, L.out_norm.gamma, L.out_norm.beta, hp.ln_eps, N, H, x);
  }
  scratch.rewind(mark);
}

}  // namespace sprout::bert
