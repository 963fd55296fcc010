// Goldens written by tools/bert_reference/make_tiny_bert.py (float64 reference forward pass
// of transformers' BertModel + sentence-transformers pooling on the tiny fixtures).
#pragma once
#include <cmath>
#include <string>
#include <vector>

#include "../test_util.h"
#include "loaders/json_util.h"

namespace sprout::test {

struct BertGolden {
  std::vector<std::string> sentences;
  std::vector<std::vector<int32_t>> input_ids;  // tokenizer output before truncation
  std::vector<std::vector<int32_t>> ids;        // after truncation to max_seq_length
  std::vector<std::vector<float>> hidden;       // [len_i * hidden] per sentence
  std::vector<std::vector<float>> pooled_mean, pooled_cls, pooled_max;
  std::vector<std::vector<float>> normalized_mean, normalized_cls, normalized_max;
  int hidden_size = 0, max_seq_length = 0;

  explicit BertGolden(const std::string& name) {
    const std::string path = repo_path("tests/data/bert/golden/" + name + ".json");
    const Json j = load_json(path);
    sentences = j.at("sentences").get<std::vector<std::string>>();
    input_ids = j.at("input_ids").get<std::vector<std::vector<int32_t>>>();
    ids = j.at("ids").get<std::vector<std::vector<int32_t>>>();
    hidden = j.at("hidden").get<std::vector<std::vector<float>>>();
    pooled_mean = j.at("pooled_mean").get<std::vector<std::vector<float>>>();
    pooled_cls = j.at("pooled_cls").get<std::vector<std::vector<float>>>();
    pooled_max = j.at("pooled_max").get<std::vector<std::vector<float>>>();
    normalized_mean = j.at("normalized_mean").get<std::vector<std::vector<float>>>();
    normalized_cls = j.at("normalized_cls").get<std::vector<std::vector<float>>>();
    normalized_max = j.at("normalized_max").get<std::vector<std::vector<float>>>();
    hidden_size = j.at("hidden_size").get<int>();
    max_seq_length = j.at("max_seq_length").get<int>();
  }
};

inline double cosine(const float* a, const float* b, size_t n) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < n; ++i) {
    ab += double(a[i]) * b[i];
    aa += double(a[i]) * a[i];
    bb += double(b[i]) * b[i];
  }
  return ab / std::sqrt(aa * bb);
}

inline float max_abs(const std::vector<float>& v) {
  float m = 0;
  for (float x : v) m = std::fmax(m, std::fabs(x));
  return m;
}

}  // namespace sprout::test
