#include "models/m2m100/weights.h"

#include <cstring>

#include "engine/error.h"
#include "engine/quantize.h"

namespace sprout::m2m100 {

namespace {

struct Loader {
  const Config& c;
  const TensorSource& src;
  const LoadOptions& opt;
  Weights& w;

  Tensor tensor(const std::string& name, int64_t d0, int64_t d1) {
    if (!src.has(name)) fail(src.subject, "missing tensor '" + name + "'");
    Tensor t = src.get(name);
    const bool ok = d1 < 0 ? (t.ndim == 1 && t.shape[0] == d0) : (t.ndim == 2 && t.shape[0] == d0 && t.shape[1] == d1);
    if (!ok) {
      std::string want = std::to_string(d0);
      if (d1 >= 0) want += ", " + std::to_string(d1);
      want = '[' + want + ']';
      fail(src.subject, "tensor '" + name + "': expected shape " + want + ", got " + t.shape_str());
    }
    if (!t.contiguous()) fail(src.subject, "tensor '" + name + "' is not contiguous");
    return t;
  }

  std::vector<float> vec(const std::string& name, int64_t n) {
    const Tensor t = tensor(name, n, -1);
    return to_f32(t);
  }

  // A matrix as linear() will use it: the file's view, or a converted copy.
  Tensor matrix(const std::string& name, int64_t rows, int64_t cols) {
    Tensor t = tensor(name, rows, cols);
    const bool keep = !opt.convert || t.dtype == opt.matrix_type;
    if (keep && !src.transient) {
      w.matrix_bytes += t.nbytes();
      return t;
    }
    const DType to = opt.convert ? opt.matrix_type : DType::f32;
    std::vector<float> row(static_cast<size_t>(cols));
    if (to == DType::i8_row) {
      auto q = std::make_unique<uint8_t[]>(size_t(rows * cols));
      auto s = std::make_unique<uint8_t[]>(size_t(rows) * sizeof(float));
      float* scales = reinterpret_cast<float*>(s.get());
      for (int64_t r = 0; r < rows; ++r) {
        dequantize_row(t.dtype, t.row_ptr(r), cols, row.data());
        scales[r] = quantize_row_i8(row.data(), cols, reinterpret_cast<int8_t*>(q.get() + r * cols));
      }
      Tensor out = make_tensor(DType::i8_row, {rows, cols}, q.get());
      out.row_scale = scales;
      w.matrix_bytes += uint64_t(rows) * uint64_t(cols + 4);
      w.owned.push_back(std::move(q));
      w.owned.push_back(std::move(s));
      return out;
    }
    const auto rb = row_bytes(to, uint64_t(cols));
    if (!rb) fail(src.subject, "tensor '" + name + "': " + std::to_string(cols) + " columns do not fit " + dtype_name(to) + " blocks");
    auto q = std::make_unique<uint8_t[]>(size_t(*rb * uint64_t(rows)));
    for (int64_t r = 0; r < rows; ++r) {
      dequantize_row(t.dtype, t.row_ptr(r), cols, row.data());
      quantize_row(to, row.data(), cols, q.get() + uint64_t(r) * *rb);
    }
    Tensor out = make_tensor(to, {rows, cols}, q.get());
    w.matrix_bytes += *rb * uint64_t(rows);
    w.owned.push_back(std::move(q));
    return out;
  }

  Linear linear(const std::string& p, int64_t out, int64_t in) {
    return {matrix(p + ".weight", out, in), vec(p + ".bias", out)};
  }
  Norm norm(const std::string& p) { return {vec(p + ".weight", c.d_model), vec(p + ".bias", c.d_model)}; }
  Attention attention(const std::string& p) {
    const int D = c.d_model;
    return {linear(p + ".q_proj", D, D), linear(p + ".k_proj", D, D), linear(p + ".v_proj", D, D),
            linear(p + ".out_proj", D, D)};
  }
  // The feed-forward block both layer kinds end with: final_layer_norm, fc1 [F, D], fc2 [D, F].
  template <class Layer>
  void feed_forward(const std::string& p, int64_t F, Layer& l) {
    l.ffn_norm = norm(p + ".final_layer_norm");
    l.fc1 = linear(p + ".fc1", F, c.d_model);
    l.fc2 = linear(p + ".fc2", c.d_model, F);
  }
};

}  // namespace

Weights Weights::load(const Config& c, const TensorSource& src, const LoadOptions& opt) {
  Weights w;
  Loader L{c, src, opt, w};
  // The shared table under its own name or any tied alias.
  std::string shared_name;
  for (const char* n : {"model.shared.weight", "model.encoder.embed_tokens.weight",
                        "model.decoder.embed_tokens.weight", "lm_head.weight"})
    if (src.has(n)) { shared_name = n; break; }
  if (shared_name.empty()) fail(src.subject, "missing tensor 'model.shared.weight'");
  w.shared = L.matrix(shared_name, c.vocab_size, c.d_model);

  for (int i = 0; i < c.encoder_layers; ++i) {
    const std::string p = "model.encoder.layers." + std::to_string(i);
    EncoderLayer l;
    l.attn_norm = L.norm(p + ".self_attn_layer_norm");
    l.attn = L.attention(p + ".self_attn");
    L.feed_forward(p, c.encoder_ffn, l);
    w.encoder.push_back(std::move(l));
  }
  w.encoder_norm = L.norm("model.encoder.layer_norm");
  for (int i = 0; i < c.decoder_layers; ++i) {
    const std::string p = "model.decoder.layers." + std::to_string(i);
    DecoderLayer l;
    l.self_norm = L.norm(p + ".self_attn_layer_norm");
    l.self = L.attention(p + ".self_attn");
    l.cross_norm = L.norm(p + ".encoder_attn_layer_norm");
    l.cross = L.attention(p + ".encoder_attn");
    L.feed_forward(p, c.decoder_ffn, l);
    w.decoder.push_back(std::move(l));
  }
  w.decoder_norm = L.norm("model.decoder.layer_norm");
  return w;
}

}  // namespace sprout::m2m100
