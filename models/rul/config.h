// RulConfig: the architecture and preprocessing of a CNN + BiLSTM + attention
// remaining-useful-life model, parsed and validated from its config.json
// (written by tools/rul/rul_model.py; see docs/rul.md for every key).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace sprout::rul {

enum class Pooling { mean, max, last };

struct RulConfig {
  int window = 50;                      // time steps per input window
  std::vector<std::string> features;    // feature names, in input order
  std::vector<int> feature_columns;     // column of each feature in a C-MAPSS row (0-based, of 26)
  std::vector<double> scale_min, scale_max;  // min-max statistics of the training set, per feature
  std::vector<int> conv_channels;       // output channels of each conv block
  std::vector<int> conv_kernels;        // kernel size of each conv block (odd: "same" padding)
  float bn_eps = 1e-5f;
  int lstm_hidden = 128;
  int lstm_layers = 2;
  bool bidirectional = true;
  float ln_eps = 1e-5f;
  int heads = 8;
  bool residual = true;
  Pooling pooling = Pooling::mean;
  int rul_hidden = 128, health_hidden = 64;
  float rul_scale = 125.f;              // RUL in cycles = rul head output * rul_scale
  std::vector<std::string> classes;     // health classes, index = logit index
  double healthy_above = 75, critical_at_or_below = 25;  // documentation of the labels

  int n_features() const { return int(features.size()); }
  int directions() const { return bidirectional ? 2 : 1; }
  int embed() const { return lstm_hidden * directions(); }   // E: width after the LSTM
  int n_classes() const { return int(classes.size()); }
};

// Reads and validates DIR/config.json (or a config.json path). Throws
// Error(path, cause) naming the offending key.
RulConfig load_rul_config(const std::string& path);

}  // namespace sprout::rul
