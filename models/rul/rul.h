// The CNN + BiLSTM + self-attention remaining-useful-life model (AMNL-style),
// for any sizes its config.json gives (models/rul/config.h).
//
//   RulModel m = RulModel::load("app/assets/rul_fd001");
//   Arena arena;
//   m.forward(x, batch, rul, logits, arena);   // x [batch, window, features], scaled
//
// Weights: PyTorch state-dict names in model.safetensors (tools/rul/rul_model.py).
// BatchNorm is folded into the conv weights at load; the LSTM's two biases are
// summed. Linear weights stay views into the mapped file unless `int8` asks for
// q8_0 copies (matrices whose input width is a multiple of 32).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/arena.h"
#include "engine/tensor.h"
#include "models/rul/config.h"

namespace sprout {
class WeightStore;
}

namespace sprout::rul {

struct RulLoadOptions {
  bool int8 = false;       // q8_0 weights for the matrix products
  int chunk = 16;          // samples per pass through the network: bounds activation memory
};

class RulModel {
 public:
  static RulModel load(const std::string& dir, const RulLoadOptions& opt = {});
  RulModel(RulModel&&) noexcept;
  RulModel& operator=(RulModel&&) noexcept;
  ~RulModel();

  // x [batch, window, n_features] -> rul [batch] (cycles), logits [batch, n_classes].
  // Activations come from `arena` (rewound before returning), plus one private
  // arena per extra thread when the batch is split across threads. Returns the
  // activation high-water mark in bytes: arena.peak() plus the private arenas'.
  // At most `chunk` samples go through the network at a time.
  size_t forward(const float* x, int64_t batch, float* rul, float* logits, Arena& arena) const;

  const RulConfig& config() const { return cfg_; }
  uint64_t weight_bytes() const { return weight_bytes_; }  // bytes of weights used (file or copies)
  int64_t parameters() const { return parameters_; }

 private:
  RulModel() = default;
  void forward_chunk(const float* x, int64_t b, float* rul, float* logits, Arena& arena) const;

  struct Conv {                 // Conv1d with BatchNorm folded in: y = relu(w * x + b)
    std::vector<float> w, b;    // w [cout, cin, k] (PyTorch layout), b [cout]
    int cin = 0, cout = 0, k = 0;
  };
  struct LstmDir {              // one direction of one layer
    Tensor w_ih, w_hh;          // [4H, in], [4H, H]; gates in PyTorch order i, f, g, o
    std::vector<float> bias;    // b_ih + b_hh [4H]
  };
  struct Dense {
    Tensor w;                   // [out, in]
    std::vector<float> b;       // [out]
  };

  RulConfig cfg_;
  std::unique_ptr<WeightStore> store_;
  std::vector<Conv> convs_;
  std::vector<LstmDir> lstm_;   // index layer * directions + direction
  std::vector<float> ln_g_, ln_b_;
  Dense in_proj_, out_proj_;    // attention: [3E, E] (q, k, v stacked), [E, E]
  Dense rul1_, rul2_, health1_, health2_;
  std::vector<std::vector<uint8_t>> owned_;  // quantized copies of weights
  int chunk_ = 16;
  uint64_t weight_bytes_ = 0;
  int64_t parameters_ = 0;

  friend class RulLoader;
};

}  // namespace sprout::rul
