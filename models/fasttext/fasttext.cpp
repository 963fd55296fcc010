#include "models/fasttext/fasttext.h"

#include <fasttext/fasttext.h>

#include <exception>
#include <fstream>
#include <sstream>

#include "engine/error.h"

namespace sprout::fasttext {

Classifier::Classifier(const std::string& path) : path_(path), info_(validate_model(path)) {
  try {
    std::ifstream in(path, std::ios::binary);
    if (!in) fail(path, "cannot open file");
    // loadModel(istream) expects the stream past magic and version (which
    // loadModel(filename) reads itself); validate_model checked both.
    in.seekg(8);
    auto ft = std::make_unique<::fasttext::FastText>();
    ft->loadModel(in);
    ft_ = std::move(ft);
  } catch (const sprout::Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    fail(path, "out of memory loading the fastText model");
  } catch (const std::exception& e) {
    fail(path, std::string("fastText could not load the model: ") + e.what());
  } catch (...) {
    fail(path, "fastText could not load the model");
  }
}

Classifier::~Classifier() = default;

std::vector<Prediction> Classifier::predict(const std::string& line, int k) const {
  // The CLI reads the file line by line through Dictionary::getLine, which
  // splits on whitespace and appends "</s>" at the newline; feed it the same.
  std::istringstream in(line + "\n");
  std::vector<std::pair<::fasttext::real, std::string>> raw;
  try {
    ft_->predictLine(in, raw, k <= 0 ? info_.nlabels : k, 0.0f);
  } catch (const std::exception& e) {
    fail(path_, std::string("prediction failed: ") + e.what());
  }
  std::vector<Prediction> out;
  out.reserve(raw.size());
  for (auto& [p, label] : raw) out.push_back({std::move(label), float(p)});
  return out;
}

}  // namespace sprout::fasttext
