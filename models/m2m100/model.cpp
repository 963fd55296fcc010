#include "models/m2m100/model.h"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>

#include "engine/attention.h"
#include "engine/error.h"
#include "engine/linear.h"
#include "engine/ops.h"
#include "loaders/weights.h"

namespace sprout::m2m100 {

namespace {
constexpr float kLnEps = 1e-5f;  // nn.LayerNorm default, all M2M100 norms
constexpr float kNegInf = -std::numeric_limits<float>::infinity();

void layernorm(const Norm& n, const float* x, int64_t rows, int64_t d, float* y) {
  ops::layernorm(x, n.gamma.data(), n.beta.data(), kLnEps, rows, d, y);
}
void linear(const Linear& l, const float* x, int64_t rows, float* y) {
  sprout::linear(l.w, x, rows, y, l.b.data());
}
// M2M100SinusoidalPositionalEmbedding, row p, in the float32 arithmetic torch uses:
// f_i = exp(i * -(ln 10000 / (half - 1))), row = [sin(p f_i) ..., cos(p f_i) ...];
// the padding row is zero.
void sinusoid(int p, int D, int pad, float* out) {
  const int half = D / 2;
  if (p == pad) { std::memset(out, 0, size_t(D) * sizeof(float)); return; }
  const float step = float(std::log(10000.0) / double(half - 1));
  for (int i = 0; i < half; ++i) {
    const float freq = std::exp(float(i) * -step);
    const float a = float(p) * freq;
    out[i] = std::sin(a);
    out[half + i] = std::cos(a);
  }
}

}  // namespace

// ---------------------------------------------------------------- caches

void HypCache::reserve(int layers, int tokens, int d_model) {
  if (int(k.size()) != layers) { k.assign(size_t(layers), {}); v.assign(size_t(layers), {}); }
  const size_t need = size_t(tokens) * size_t(d_model);
  if (k[0].size() >= need) return;
  const size_t cap = std::max(need, 2 * k[0].size());
  for (int l = 0; l < layers; ++l) { k[size_t(l)].resize(cap); v[size_t(l)].resize(cap); }
}

void HypCache::copy_from(const HypCache& o, int d_model) {
  const int layers = int(o.k.size());
  reserve(layers, std::max(o.len, 1), d_model);
  const size_t n = size_t(o.len) * size_t(d_model);
  for (int l = 0; l < layers; ++l) {
    std::memcpy(k[size_t(l)].data(), o.k[size_t(l)].data(), n * sizeof(float));
    std::memcpy(v[size_t(l)].data(), o.v[size_t(l)].data(), n * sizeof(float));
  }
  len = o.len;
}

// ---------------------------------------------------------------- setup

Model::Model(Config c, Weights w) : c_(c), w_(std::move(w)), arena_(size_t(8) << 20) {
  // HF builds max_position_embeddings + 2 rows up front and grows on demand; position()
  // computes rows past the table the same way.
  const int rows = c_.max_positions + 2, D = c_.d_model;
  pos_table_.assign(size_t(rows) * size_t(D), 0.f);
  for (int p = 0; p < rows; ++p) sinusoid(p, D, c_.pad_id, pos_table_.data() + size_t(p) * size_t(D));
}

Model::~Model() = default;

std::unique_ptr<Model> Model::load(const std::string& dir, const LoadOptions& opt) {
  if (!std::filesystem::is_directory(dir)) fail(dir, "not a model directory (config.json + *.safetensors)");
  const Config c = load_config(dir);
  auto store = WeightStore::open(dir);
  TensorSource src;
  src.subject = dir;
  src.has = [&](const std::string& n) { return store->has(n); };
  src.get = [&](const std::string& n) { return store->get(n); };
  Weights w = Weights::load(c, src, opt);
  auto m = std::make_unique<Model>(c, std::move(w));
  m->file_bytes_ = store->file_bytes();
  m->store_ = std::move(store);  // the views point into its mapping
  return m;
}

void Model::position(int p, float* out) const {
  const size_t D = size_t(c_.d_model);
  if (p >= 0 && size_t(p) < pos_table_.size() / D)
    std::memcpy(out, pos_table_.data() + size_t(p) * D, D * sizeof(float));
  else
    sinusoid(p, c_.d_model, c_.pad_id, out);
}

// ---------------------------------------------------------------- encoder

void Model::encode(std::vector<Source>& srcs) const {
  const int D = c_.d_model, F = c_.encoder_ffn, H = c_.encoder_heads, hd = c_.head_dim(false);
  // All sentences' tokens are stacked into one [T, D] activation so each matmul
  // streams its weights once for the whole batch; attention stays per sentence.
  std::vector<int64_t> off(srcs.size() + 1, 0);
  for (size_t s = 0; s < srcs.size(); ++s) {
    if (srcs[s].ids.empty()) fail("encoder", "empty source sentence");
    off[s + 1] = off[s] + srcs[s].len();
  }
  const int64_t T = off.back();
  std::vector<int32_t> ids;
  ids.reserve(size_t(T));
  for (auto& s : srcs) ids.insert(ids.end(), s.ids.begin(), s.ids.end());

  const Arena::Mark mark = arena_.mark();
  float* x = arena_.alloc<float>(size_t(T * D));  // residual stream [T, D]
  float* h = arena_.alloc<float>(size_t(T * D));  // normed input     [T, D]
  float* q = arena_.alloc<float>(size_t(T * D));
  float* k = arena_.alloc<float>(size_t(T * D));
  float* v = arena_.alloc<float>(size_t(T * D));
  float* a = arena_.alloc<float>(size_t(T * D));  // attention output [T, D]
  float* f = arena_.alloc<float>(size_t(T * F));  // FFN hidden       [T, F]

  // x = shared[ids] * sqrt(D) + sinpos(positions); positions skip pads.
  ops::embedding(w_.shared, ids.data(), T, x);
  if (c_.scale_embedding) ops::scale(x, std::sqrt(float(D)), T * D);
  std::vector<float> pos(static_cast<size_t>(D));
  for (size_t s = 0; s < srcs.size(); ++s) {
    Source& src = srcs[s];
    src.key_mask.assign(size_t(src.len()), 0.f);
    int seen = 0;
    for (int t = 0; t < src.len(); ++t) {
      const bool pad = src.ids[size_t(t)] == c_.pad_id;
      if (pad) src.key_mask[size_t(t)] = kNegInf; else ++seen;
      position(pad ? c_.pad_id : c_.pad_id + seen, pos.data());
      ops::add(x + (off[s] + t) * D, pos.data(), D, x + (off[s] + t) * D);
    }
  }

  for (const EncoderLayer& L : w_.encoder) {
    // x += out_proj(attention(LN(x)))        per sentence, pads masked as keys
    layernorm(L.attn_norm, x, T, D, h);
    linear(L.attn.q, h, T, q);  // [T, D]
    linear(L.attn.k, h, T, k);
    linear(L.attn.v, h, T, v);
    for (size_t s = 0; s < srcs.size(); ++s) {
      AttentionArgs args{};
      args.n_q = args.n_kv = srcs[s].len();
      args.n_heads = args.n_kv_heads = H;
      args.head_dim = hd;
      args.scale = 1.0f / std::sqrt(float(hd));
      args.causal = false;
      args.key_mask = srcs[s].key_mask.data();
      const int64_t o = off[s] * D;
      attention(args, q + o, k + o, v + o, a + o, arena_);
    }
    linear(L.attn.o, a, T, h);
    ops::add(x, h, T * D, x);
    // x += fc2(relu(fc1(LN(x))))
    layernorm(L.ffn_norm, x, T, D, h);
    linear(L.fc1, h, T, f);  // [T, F]
    ops::relu(f, T * F);
    linear(L.fc2, f, T, h);  // [T, D]
    ops::add(x, h, T * D, x);
  }
  layernorm(w_.encoder_norm, x, T, D, h);  // enc = LN(x)  [T, D]

  // Cross-attention keys/values of every decoder layer, once per source.
  const int NL = c_.decoder_layers;
  for (size_t s = 0; s < srcs.size(); ++s) {
    const int64_t S = srcs[s].len();
    srcs[s].enc.assign(h + off[s] * D, h + off[s + 1] * D);
    srcs[s].cross_k.resize(size_t(NL * S * D));
    srcs[s].cross_v.resize(size_t(NL * S * D));
  }
  for (int l = 0; l < NL; ++l) {
    const Attention& cr = w_.decoder[size_t(l)].cross;
    linear(cr.k, h, T, k);  // [T, D]
    linear(cr.v, h, T, v);
    for (size_t s = 0; s < srcs.size(); ++s) {
      const int64_t S = srcs[s].len();
      std::memcpy(srcs[s].cross_k.data() + l * S * D, k + off[s] * D, size_t(S * D) * sizeof(float));
      std::memcpy(srcs[s].cross_v.data() + l * S * D, v + off[s] * D, size_t(S * D) * sizeof(float));
    }
  }
  arena_.rewind(mark);
}

// ---------------------------------------------------------------- decoder step

void Model::decode_step(const int32_t* tokens, int M, int step, HypCache* const* caches,
                        const Source* const* src, float* logits, const Tensor* out_rows) const {
  const int D = c_.d_model, F = c_.decoder_ffn, H = c_.decoder_heads, hd = c_.head_dim(true);
  const int NL = c_.decoder_layers;
  const Arena::Mark mark = arena_.mark();
  float* x = arena_.alloc<float>(size_t(M) * D);  // residual stream [M, D]
  float* h = arena_.alloc<float>(size_t(M) * D);
  float* q = arena_.alloc<float>(size_t(M) * D);
  float* k = arena_.alloc<float>(size_t(M) * D);
  float* v = arena_.alloc<float>(size_t(M) * D);
  float* a = arena_.alloc<float>(size_t(M) * D);
  float* f = arena_.alloc<float>(size_t(M) * F);  // [M, F]

  for (int m = 0; m < M; ++m) {
    if (caches[m]->len != step) fail("decoder", "cache length does not match the step");
    caches[m]->reserve(NL, step + 1, D);
  }

  // y = shared[tokens] * sqrt(D) + sinpos(pad + 1 + step)
  ops::embedding(w_.shared, tokens, M, x);
  if (c_.scale_embedding) ops::scale(x, std::sqrt(float(D)), int64_t(M) * D);
  std::vector<float> pos(static_cast<size_t>(D));
  position(c_.pad_id + 1 + step, pos.data());
  for (int m = 0; m < M; ++m) ops::add(x + size_t(m) * D, pos.data(), D, x + size_t(m) * D);

  AttentionArgs args{};
  args.n_q = 1;
  args.n_heads = args.n_kv_heads = H;
  args.head_dim = hd;
  args.scale = 1.0f / std::sqrt(float(hd));
  args.causal = false;  // one query row sees every cached row

  for (int l = 0; l < NL; ++l) {
    const DecoderLayer& L = w_.decoder[size_t(l)];
    // y += out_proj(self_attention(LN(y)))    keys/values: rows 0..step of each hypothesis
    layernorm(L.self_norm, x, M, D, h);
    linear(L.self.q, h, M, q);  // [M, D]
    linear(L.self.k, h, M, k);
    linear(L.self.v, h, M, v);
    for (int m = 0; m < M; ++m) {
      HypCache& c = *caches[m];
      float* kc = c.k[size_t(l)].data();
      float* vc = c.v[size_t(l)].data();
      std::memcpy(kc + size_t(step) * D, k + size_t(m) * D, size_t(D) * sizeof(float));
      std::memcpy(vc + size_t(step) * D, v + size_t(m) * D, size_t(D) * sizeof(float));
      args.n_kv = step + 1;
      args.key_mask = nullptr;
      attention(args, q + size_t(m) * D, kc, vc, a + size_t(m) * D, arena_);
    }
    linear(L.self.o, a, M, h);
    ops::add(x, h, int64_t(M) * D, x);

    // y += out_proj(cross_attention(LN(y)))   keys/values: the sentence's encoder output
    layernorm(L.cross_norm, x, M, D, h);
    linear(L.cross.q, h, M, q);
    for (int m = 0; m < M; ++m) {
      const Source& s = *src[m];
      const size_t o = size_t(l) * size_t(s.len()) * D;
      args.n_kv = s.len();
      args.key_mask = s.key_mask.data();
      attention(args, q + size_t(m) * D, s.cross_k.data() + o, s.cross_v.data() + o, a + size_t(m) * D, arena_);
    }
    linear(L.cross.o, a, M, h);
    ops::add(x, h, int64_t(M) * D, x);

    // y += fc2(relu(fc1(LN(y))))
    layernorm(L.ffn_norm, x, M, D, h);
    linear(L.fc1, h, M, f);  // [M, F]
    ops::relu(f, int64_t(M) * F);
    linear(L.fc2, f, M, h);
    ops::add(x, h, int64_t(M) * D, x);
  }
  for (int m = 0; m < M; ++m) caches[m]->len = step + 1;

  if (logits) {
    layernorm(w_.decoder_norm, x, M, D, h);
    // tied output projection: [M, D] @ [V, D]^T -> [M, V], or over the shortlisted rows -> [M, K]
    sprout::linear(out_rows ? *out_rows : w_.shared, h, M, logits);
  }
  arena_.rewind(mark);
}

}  // namespace sprout::m2m100
