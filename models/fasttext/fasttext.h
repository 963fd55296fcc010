// A thin, safe wrapper over Debian's libfasttext for supervised classifiers
// (language ID such as lid.176.ftz, intent models such as clinc150_ft.ftz).
//
// libfasttext trusts its input: a truncated dictionary makes it loop forever,
// bad matrix sizes make it read out of bounds. So before the library sees a
// file, validate_model() walks the whole binary layout (header, args,
// dictionary, input and output matrices, dense or product-quantized) and checks
// every size against the bytes that remain and against the other fields. Only
// a file that passes is handed to libfasttext, and anything it still throws is
// turned into sprout::Error(file, cause).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace fasttext {
class FastText;
}

namespace sprout::fasttext {

struct Prediction {
  std::string label;  // e.g. "__label__en"
  float prob;         // exp of the log-probability, as `fasttext predict-prob` prints it
};

// What validate_model() learned from the file (also useful for `inspect`-style output).
struct ModelInfo {
  int32_t dim = 0, nwords = 0, nlabels = 0, loss = 0;
  bool quantized = false;
  uint64_t file_bytes = 0;
};

// Throws sprout::Error(path, cause) unless `path` is a well-formed fastText
// supervised model (magic 793712314, version 12).
ModelInfo validate_model(const std::string& path);

class Classifier {
 public:
  // Validates, then loads. Throws sprout::Error(path, cause).
  explicit Classifier(const std::string& path);
  ~Classifier();
  Classifier(const Classifier&) = delete;
  Classifier& operator=(const Classifier&) = delete;

  // Top-k labels for one line of text, best first, exactly as the CLI's
  // `fasttext predict-prob MODEL FILE k` does for that line (it reads the line,
  // appends the end-of-sentence token, and scores). k <= 0 means all labels.
  std::vector<Prediction> predict(const std::string& line, int k) const;

  const ModelInfo& info() const { return info_; }
  const std::string& path() const { return path_; }
  // Approximate resident bytes of the loaded model: the matrices (about the
  // file size) plus the dictionary (entry, subword list and hash slots, ~64
  // bytes per word or label).
  uint64_t resident_bytes() const { return info_.file_bytes + uint64_t(info_.nwords + info_.nlabels) * 64; }

 private:
  std::string path_;
  ModelInfo info_;
  std::unique_ptr<::fasttext::FastText> ft_;
};

}  // namespace sprout::fasttext
