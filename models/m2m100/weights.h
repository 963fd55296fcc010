// M2M100 weights: matrices are views into the mapped checkpoint (or into
// owned buffers when converted to int8 at load); biases and LayerNorm vectors
// are small and kept as f32 copies whatever the file stores.
//
// HF names: model.shared.weight (tied: model.encoder.embed_tokens.weight,
// model.decoder.embed_tokens.weight and lm_head.weight may also be present and
// are accepted as the shared table when model.shared.weight is not),
// model.{encoder,decoder}.layers.N.{self_attn,encoder_attn}.{q,k,v,out}_proj.{weight,bias},
// ...self_attn_layer_norm, encoder_attn_layer_norm, fc1, fc2, final_layer_norm,
// model.{encoder,decoder}.layer_norm.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/dtype.h"
#include "engine/tensor.h"
#include "models/m2m100/config.h"

namespace sprout::m2m100 {

struct Linear {
  Tensor w;                 // {out, in}
  std::vector<float> b;     // [out]
};
struct Norm {
  std::vector<float> gamma, beta;  // [d_model]
};
struct Attention {
  Linear q, k, v, o;
};
struct EncoderLayer {
  Norm attn_norm;  Attention attn;
  Norm ffn_norm;   Linear fc1, fc2;
};
struct DecoderLayer {
  Norm self_norm;  Attention self;
  Norm cross_norm; Attention cross;
  Norm ffn_norm;   Linear fc1, fc2;
};

// Where tensors come from: a WeightStore, or a synthetic source in benchmarks.
// get() may return a view that is only valid until the next call when the
// weights are converted at load (transient = true).
struct TensorSource {
  std::string subject;                                   // file or directory, for errors
  std::function<bool(const std::string&)> has;
  std::function<Tensor(const std::string&)> get;
  bool transient = false;
};

struct LoadOptions {
  // Convert every matrix (all linear layers and the shared embedding) to this
  // dtype at load; f32/f16/bf16 keep what the file stores when equal to it.
  // Supported targets: q8_0, i8_row, f16, f32. Unset: keep the file's dtype.
  bool convert = false;
  DType matrix_type = DType::q8_0;
};

struct Weights {
  Tensor shared;  // {vocab, d_model}: token embedding and (tied) output projection
  std::vector<EncoderLayer> encoder;
  Norm encoder_norm;
  std::vector<DecoderLayer> decoder;
  Norm decoder_norm;

  uint64_t matrix_bytes = 0;  // bytes of all matrices as used (after conversion)
  std::vector<std::unique_ptr<uint8_t[]>> owned;  // converted matrices, row scales

  static Weights load(const Config& c, const TensorSource& src, const LoadOptions& opt = {});
};

}  // namespace sprout::m2m100
