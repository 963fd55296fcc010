// BERT tensor names and shapes -> Weights (see weights.h).
#include "models/bert/weights.h"

#include <cstring>

#include "engine/error.h"
#include "engine/quantize.h"
#include "loaders/weights.h"

namespace sprout::bert {
namespace {

// The name of each tensor in one layout. `layer` is substituted for {L}.
struct Names {
  std::string word, pos, type, emb_norm_w, emb_norm_b;
  std::string q, k, v, attn_out, attn_norm, up, down, out_norm;  // without .weight/.bias
  const char* norm_w; const char* norm_b;                        // LayerNorm suffixes
};

Names hf_names(const std::string& p) {
  const std::string l = p + "encoder.layer.{L}.";
  return {p + "embeddings.word_embeddings.weight", p + "embeddings.position_embeddings.weight",
          p + "embeddings.token_type_embeddings.weight", p + "embeddings.LayerNorm.weight",
          p + "embeddings.LayerNorm.bias",
          l + "attention.self.query", l + "attention.self.key", l + "attention.self.value",
          l + "attention.output.dense", l + "attention.output.LayerNorm", l + "intermediate.dense",
          l + "output.dense", l + "output.LayerNorm", ".weight", ".bias"};
}

Names gguf_names() {
  return {"token_embd.weight", "position_embd.weight", "token_types.weight", "token_embd_norm.weight",
          "token_embd_norm.bias", "blk.{L}.attn_q", "blk.{L}.attn_k", "blk.{L}.attn_v", "blk.{L}.attn_output",
          "blk.{L}.attn_output_norm", "blk.{L}.ffn_up", "blk.{L}.ffn_down", "blk.{L}.layer_output_norm",
          ".weight", ".bias"};
}

std::string at_layer(const std::string& pattern, int layer) {
  std::string s = pattern;
  s.replace(s.find("{L}"), 3, std::to_string(layer));
  return s;
}

class Reader {
 public:
  Reader(const WeightStore& s, const std::string& subject, Weights& w) : s_(s), subject_(subject), w_(w) {}

  Tensor matrix(const std::string& name, int64_t rows, int64_t cols) const {
    Tensor t = s_.get(name);
    if (t.ndim != 2 || (rows && t.shape[0] != rows) || t.shape[1] != cols || !t.contiguous())
      fail(subject_, "tensor '" + name + "' has shape " + t.shape_str() + ", expected [" +
                         (rows ? std::to_string(rows) : std::string("N")) + ", " + std::to_string(cols) + "]");
    return t;
  }

  // A [n] vector as f32: mapped when stored as f32, else converted once into an owned buffer.
  const float* vec(const std::string& name, int64_t n) {
    Tensor t = s_.get(name);
    if (t.numel() != n || t.rows() != 1 || !t.contiguous())
      fail(subject_, "tensor '" + name + "' has shape " + t.shape_str() + ", expected [" + std::to_string(n) + "]");
    if (t.dtype == DType::f32) return t.as<float>();
    auto buf = std::make_unique<float[]>(size_t(n));
    to_f32(t, buf.get());
    w_.owned_bytes_ += uint64_t(n) * 4;
    return w_.owned_f32.emplace_back(std::move(buf)).get();
  }

  const WeightStore& s_;
  const std::string& subject_;
  Weights& w_;
};

// Per-row symmetric int8 (engine/quantize.h): int8 values plus one f32 scale per row.
Tensor to_i8_row(const float* x, int64_t rows, int64_t cols, Weights& w) {
  auto q = std::make_unique<uint8_t[]>(size_t(rows * cols));
  auto sc = std::make_unique<float[]>(size_t(rows));
  for (int64_t r = 0; r < rows; ++r)
    sc[size_t(r)] = quantize_row_i8(x + r * cols, cols, reinterpret_cast<int8_t*>(q.get()) + r * cols);
  Tensor t = make_tensor(DType::i8_row, {rows, cols}, q.get());
  t.row_scale = sc.get();
  w.owned_bytes_ += uint64_t(rows * cols) + uint64_t(rows) * 4;
  w.owned.emplace_back(std::move(q));
  w.owned_f32.emplace_back(std::move(sc));
  return t;
}

// Converts a linear weight to `type` into buffers owned by w.
Tensor convert(const Tensor& src, DType type, const std::string& name, const std::string& subject, Weights& w) {
  if (src.dtype == type) return src;
  const int64_t rows = src.shape[0], cols = src.shape[1];
  std::vector<float> tmp;
  const float* x = src.as<float>();
  if (src.dtype != DType::f32) {
    tmp = to_f32(src);
    x = tmp.data();
  }
  if (type == DType::f32) {
    auto buf = std::make_unique<float[]>(size_t(rows * cols));
    std::memcpy(buf.get(), x, size_t(rows * cols) * 4);
    Tensor t = make_tensor(DType::f32, {rows, cols}, buf.get());
    w.owned_bytes_ += uint64_t(rows * cols) * 4;
    w.owned_f32.emplace_back(std::move(buf));
    return t;
  }
  if (type == DType::i8_row) return to_i8_row(x, rows, cols, w);
  const auto rb = row_bytes(type, uint64_t(cols));
  if (!rb) fail(subject, "cannot convert '" + name + "' to " + dtype_name(type) + ": row of " +
                             std::to_string(cols) + " values is not a whole number of blocks");
  auto buf = std::make_unique<uint8_t[]>(size_t(*rb * uint64_t(rows)));
  for (int64_t r = 0; r < rows; ++r) quantize_row(type, x + r * cols, cols, buf.get() + uint64_t(r) * *rb);
  Tensor t = make_tensor(type, {rows, cols}, buf.get());
  w.owned_bytes_ += *rb * uint64_t(rows);
  w.owned.emplace_back(std::move(buf));
  return t;
}

}  // namespace

Weights load_weights(const WeightStore& store, const std::string& subject, Hparams hp,
                     std::optional<DType> linear_type) {
  Names n;
  if (store.has("token_embd.weight")) n = gguf_names();
  else if (store.has("bert.embeddings.word_embeddings.weight")) n = hf_names("bert.");
  else if (store.has("embeddings.word_embeddings.weight")) n = hf_names("");
  else fail(subject, "no BERT embeddings found (expected 'embeddings.word_embeddings.weight', "
                     "'bert.embeddings.word_embeddings.weight' or GGUF 'token_embd.weight')");

  Weights w;
  Reader rd(store, subject, w);
  const int64_t H = hp.hidden, F = hp.ffn;
  if (H <= 0 || hp.layers <= 0 || hp.heads <= 0 || F <= 0 || H % hp.heads != 0)
    fail(subject, "bad BERT hyper-parameters (hidden " + std::to_string(H) + ", heads " +
                      std::to_string(hp.heads) + ", layers " + std::to_string(hp.layers) + ")");

  // Embedding tables: their row counts may come from the shapes.
  w.word_emb = rd.matrix(n.word, hp.vocab, H);
  w.pos_emb = rd.matrix(n.pos, hp.max_positions, H);
  w.type_emb = rd.matrix(n.type, hp.type_vocab, H);
  if (w.type_emb.shape[0] < 1 || w.pos_emb.shape[0] < 1 || w.word_emb.shape[0] < 1)
    fail(subject, "empty embedding table");
  hp.vocab = int(w.word_emb.shape[0]);
  hp.max_positions = int(w.pos_emb.shape[0]);
  hp.type_vocab = int(w.type_emb.shape[0]);
  w.emb_norm = {rd.vec(n.emb_norm_w, H), rd.vec(n.emb_norm_b, H)};

  auto linear = [&](const std::string& base, int64_t out, int64_t in) {
    Linear l{rd.matrix(base + ".weight", out, in), rd.vec(base + ".bias", out)};
    if (linear_type) l.w = convert(l.w, *linear_type, base + ".weight", subject, w);
    return l;
  };
  auto norm = [&](const std::string& base) {
    return Norm{rd.vec(base + n.norm_w, H), rd.vec(base + n.norm_b, H)};
  };
  for (int i = 0; i < hp.layers; ++i) {
    auto L = [&](const std::string& p) { return at_layer(p, i); };
    Layer layer;
    layer.q = linear(L(n.q), H, H);
    layer.k = linear(L(n.k), H, H);
    layer.v = linear(L(n.v), H, H);
    layer.attn_out = linear(L(n.attn_out), H, H);
    layer.attn_norm = norm(L(n.attn_norm));
    layer.ffn_up = linear(L(n.up), F, H);
    layer.ffn_down = linear(L(n.down), H, F);
    layer.out_norm = norm(L(n.out_norm));
    w.layers.push_back(layer);
  }
  w.hp = hp;
  return w;
}

}  // namespace sprout::bert
