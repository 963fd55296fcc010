// M2M100 / NLLB-200 encoder-decoder graph (HF modeling_m2m100):
//
//   encoder  x = shared[src] * sqrt(D) + sinpos(src)                     [S, D]
//            per layer:  x += SelfAttn(LN(x))  (pads masked as keys)
//                        x += fc2(relu(fc1(LN(x))))
//            enc = LN(x)
//   decoder  y = shared[tok] * sqrt(D) + sinpos(step)                    [M, D]
//            per layer:  y += SelfAttn(LN(y))   keys/values: this hypothesis' cache
//                        y += CrossAttn(LN(y))  keys/values: its source, computed once
//                        y += fc2(relu(fc1(LN(y))))
//            logits = LN(y) @ shared^T                                   [M, V]
//                     (or @ shared[shortlist]^T                          [M, K])
//
// The matmuls are engine/linear.h and the attention engine/attention.h, the
// same code the decoder-only and encoder-only graphs use.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/arena.h"
#include "models/m2m100/config.h"
#include "models/m2m100/weights.h"

namespace sprout {
class WeightStore;
}

namespace sprout::m2m100 {

// One source sentence after encoding: what every decoder step reads from it.
struct Source {
  std::vector<int32_t> ids;        // as given (language token, pieces, </s>; pads allowed)
  std::vector<float> key_mask;     // [S] 0 for tokens, -inf for pads
  std::vector<float> enc;          // [S, D] encoder output
  std::vector<float> cross_k, cross_v;  // [decoder_layers][S, D] cross-attention keys/values
  int len() const { return int(ids.size()); }
};

// Self-attention keys/values of one decoder hypothesis: per layer [cap, D], f32.
struct HypCache {
  std::vector<std::vector<float>> k, v;
  int len = 0;
  void reserve(int layers, int tokens, int d_model);
  void copy_from(const HypCache& o, int d_model);
};

class Model {
 public:
  Model(Config c, Weights w);
  // A HF directory (config.json + safetensors); weights stay mapped.
  static std::unique_ptr<Model> load(const std::string& dir, const LoadOptions& opt = {});
  ~Model();

  const Config& config() const { return c_; }
  const Weights& weights() const { return w_; }
  uint64_t file_bytes() const { return file_bytes_; }

  // Encodes every source (ids must be set) and computes its cross-attention K/V.
  // Sentences are batched through the matmuls. Error on an id outside the vocabulary.
  void encode(std::vector<Source>& srcs) const;

  // One decoder step for M hypotheses that all stand at decoder index `step`
  // (0 = the decoder start token). tokens[m] is hypothesis m's input token;
  // its cache grows by one row; src[m] is its sentence. logits: [M, V], or
  // nullptr when the caller does not need them (a forced step). With `out_rows`
  // (a Shortlist's compact {K, D} rows of the tied projection) logits are [M, K].
  void decode_step(const int32_t* tokens, int M, int step, HypCache* const* caches,
                   const Source* const* src, float* logits, const Tensor* out_rows = nullptr) const;

  // Sinusoidal position embedding row for position id p (HF numbering: pad_id + 1 + index).
  void position(int p, float* out) const;

 private:
  void attention_block(const Attention& a, const float* h, int64_t n, float* q) const;
  Config c_;
  Weights w_;
  std::unique_ptr<WeightStore> store_;
  uint64_t file_bytes_ = 0;
  std::vector<float> pos_table_;   // [max_positions + 2, D]
  mutable Arena arena_;
};

}  // namespace sprout::m2m100
