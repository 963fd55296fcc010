// BERT weights as views into the model file, named per the three layouts found in the wild:
//   HF BertModel.save_pretrained:   embeddings.word_embeddings.weight, encoder.layer.N.attention.self.query.weight, ...
//   HF task heads / some exports:   the same under "bert." (BertForMaskedLM, ...)
//   llama.cpp `bert` GGUF:          token_embd.weight, blk.N.attn_q.weight, ..., layer_output_norm.bias
// Every tensor's shape is checked against the hyper-parameters. Linear weights may be
// converted at load (int8) into buffers the Weights own; everything else stays mapped,
// the embedding tables included (only the rows a batch uses are ever touched).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/dtype.h"
#include "engine/tensor.h"

namespace sprout {
class WeightStore;
}

namespace sprout::bert {

enum class Activation { gelu_erf, gelu_tanh, relu, silu };  // HF hidden_act gelu / gelu_new / relu / silu

struct Hparams {
  int vocab = 0, hidden = 0, layers = 0, heads = 0, ffn = 0;
  int max_positions = 0, type_vocab = 0;
  float ln_eps = 1e-12f;
  Activation act = Activation::gelu_erf;
  int head_dim() const { return hidden / heads; }
};

struct Linear {
  Tensor w;                     // [out, in], any dtype engine/linear.h accepts
  const float* b = nullptr;     // [out] f32
};

struct Norm {
  const float* gamma = nullptr; // [hidden] f32
  const float* beta = nullptr;
};

struct Layer {
  Linear q, k, v, attn_out;     // [hidden, hidden]
  Norm attn_norm;               // after the attention residual
  Linear ffn_up;                // [ffn, hidden]   (HF intermediate.dense)
  Linear ffn_down;              // [hidden, ffn]   (HF output.dense)
  Norm out_norm;                // after the FFN residual
};

struct Weights {
  Hparams hp;
  Tensor word_emb;              // [vocab, hidden]
  Tensor pos_emb;               // [max_positions, hidden]
  Tensor type_emb;              // [type_vocab, hidden]
  Norm emb_norm;
  std::vector<Layer> layers;

  // Buffers for converted tensors (f32 copies of non-f32 vectors, int8 linear weights).
  std::vector<std::unique_ptr<uint8_t[]>> owned;
  std::vector<std::unique_ptr<float[]>> owned_f32;
  uint64_t owned_bytes() const { return owned_bytes_; }
  uint64_t owned_bytes_ = 0;
};

// Reads the tensors of a store (safetensors or GGUF). hp.vocab / max_positions / type_vocab
// may be 0: they are then taken from the tables' shapes. linear_type converts every linear
// weight (f32 source rows are quantized with engine/quantize.h).
Weights load_weights(const WeightStore& store, const std::string& subject, Hparams hp,
                     std::optional<DType> linear_type);

}  // namespace sprout::bert
