// llama2.c checkpoints (karpathy/llama2.c, legacy "v0" export used by stories15M/260K):
//
//   int32 dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len
//   (vocab_size < 0 means the classifier is NOT shared with the embedding)
//   then float32 arrays, each layer-major:
//     token_embedding [vocab, dim]
//     rms_att [L, dim]   wq [L, dim, dim]   wk [L, kv_dim, dim]   wv [L, kv_dim, dim]   wo [L, dim, dim]
//     rms_ffn [L, dim]   w1 [L, hidden, dim]   w2 [L, dim, hidden]   w3 [L, hidden, dim]
//     rms_final [dim]    freq_cis_real/imag [seq_len, head_size/2] (unused; RoPE is recomputed)
//     wcls [vocab, dim]  (only when not shared)
//
// w1 is the SwiGLU gate, w3 the up projection, w2 down. Weights come from Meta's
// layout, so RoPE rotates interleaved pairs (x[2i], x[2i+1]) with theta 10000, and
// RMSNorm uses eps 1e-5, exactly as run.c computes them.
#include <cstring>

#include "engine/error.h"
#include "loaders/mmap.h"
#include "models/llama/model.h"

namespace sprout::llama {

std::unique_ptr<Model> load_llama2c(const std::string& path, const Model::Options& opt) {
  std::shared_ptr<MappedFile> f = MappedFile::open(path, opt.use_mmap);
  if (f->size() < 28) fail(path, "too small for a llama2.c checkpoint header (" + std::to_string(f->size()) + " bytes)");
  int32_t h[7];
  std::memcpy(h, f->data(), sizeof h);
  Config c;
  c.arch = "llama";
  c.dim = h[0];
  c.ffn = h[1];
  c.layers = h[2];
  c.heads = h[3];
  c.kv_heads = h[4];
  const bool shared = h[5] > 0;
  const int64_t v5 = h[5] < 0 ? -int64_t(h[5]) : int64_t(h[5]);
  c.vocab = v5 > (1 << 24) ? -1 : int(v5);  // validate() rejects -1
  c.max_ctx = h[6];
  c.head_dim = c.heads > 0 ? c.dim / c.heads : 0;
  c.eps = 1e-5f;
  c.rope_theta = 10000.0f;
  c.rope = ops::RopeLayout::interleaved;
  c.tied = shared;
  c.qkv_bias = false;
  c.bos = 1;
  c.eos = 2;
  if (c.heads > 0 && c.dim % c.heads != 0) fail(path, "dim not divisible by heads: not a llama2.c checkpoint?");
  c.validate(path);
  if (c.max_ctx > (1 << 20)) fail(path, "seq_len " + std::to_string(c.max_ctx) + " is implausible");

  // Expected size, in floats, computed in 64 bits before any pointer is formed.
  const int64_t d = c.dim, hd = c.ffn, L = c.layers, kv = int64_t(c.kv_heads) * c.head_dim, V = c.vocab;
  const int64_t per_layer = d + d * d + 2 * kv * d + d * d + d + 3 * hd * d;
  const int64_t floats = V * d + L * per_layer + d + int64_t(c.max_ctx) * c.head_dim + (shared ? 0 : V * d);
  const uint64_t need = 28 + uint64_t(floats) * 4;
  if (f->size() != need)
    fail(path, "size " + std::to_string(f->size()) + " bytes does not match its header (" + std::to_string(need) +
                   " expected): truncated or not a llama2.c v0 checkpoint");

  std::unique_ptr<Model> m(new Model());
  m->cfg_ = c;
  m->path_ = path;
  m->format_ = "llama2c";
  m->file_bytes_ = f->size();
  const float* p = reinterpret_cast<const float*>(f->data() + 28);
  auto take = [&](int64_t n) { const float* r = p; p += n; return r; };
  auto mat = [](const float* base, int64_t rows, int64_t cols) { return make_tensor(DType::f32, {rows, cols}, base); };

  Weights& w = m->w_;
  w.embed = mat(take(V * d), V, d);
  w.layers.resize(size_t(L));
  const float* rms_att = take(L * d);
  const float* wq = take(L * d * d);
  const float* wk = take(L * kv * d);
  const float* wv = take(L * kv * d);
  const float* wo = take(L * d * d);
  const float* rms_ffn = take(L * d);
  const float* w1 = take(L * hd * d);
  const float* w2 = take(L * d * hd);
  const float* w3 = take(L * hd * d);
  for (int64_t l = 0; l < L; ++l) {
    LayerWeights& Lw = w.layers[size_t(l)];
    Lw.attn_norm = rms_att + l * d;
    Lw.ffn_norm = rms_ffn + l * d;
    Lw.wq = mat(wq + l * d * d, d, d);
    Lw.wk = mat(wk + l * kv * d, kv, d);
    Lw.wv = mat(wv + l * kv * d, kv, d);
    Lw.wo = mat(wo + l * d * d, d, d);
    Lw.gate = mat(w1 + l * hd * d, hd, d);
    Lw.down = mat(w2 + l * d * hd, d, hd);
    Lw.up = mat(w3 + l * hd * d, hd, d);
  }
  w.final_norm = take(d);
  take(int64_t(c.max_ctx) * c.head_dim);  // freq_cis_real + freq_cis_imag
  w.output = shared ? w.embed : mat(take(V * d), V, d);
  m->file_ = std::move(f);
  return m;
}

}  // namespace sprout::llama
