// safetensors: an 8-byte little-endian header length N, N bytes of JSON
//   {"__metadata__": {"k": "v"}, "name": {"dtype": "F32", "shape": [2, 3],
//    "data_offsets": [begin, end]}, ...}
// then the data; offsets are relative to the byte after the header.
//
// Everything is checked before any tensor is exposed: header length against
// the file size, well-formed JSON with unique keys, dtype known, shape
// non-negative, end - begin = product(shape) x dtype size (overflow-safe),
// offsets inside the data and no two tensors overlapping.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "loaders/mmap.h"
#include "loaders/tensor_info.h"

namespace sprout {

constexpr uint64_t kMaxSafetensorsHeader = uint64_t(100) << 20;  // the reference implementation's limit

class SafetensorsFile {
 public:
  static std::unique_ptr<SafetensorsFile> open(const std::string& path, bool use_mmap = true);
  // Validates an already opened (or in-memory) file.
  static std::unique_ptr<SafetensorsFile> parse(std::shared_ptr<MappedFile> file);

  const std::vector<TensorInfo>& tensors() const { return tensors_; }  // in file order of their data
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  const MappedFile& file() const { return *file_; }
  const std::shared_ptr<MappedFile>& file_ptr() const { return file_; }
  Tensor view(const TensorInfo& t) const { return tensor_view(t, file_->data(), file_->path()); }

 private:
  std::shared_ptr<MappedFile> file_;
  std::vector<TensorInfo> tensors_;
  std::map<std::string, std::string> metadata_;
};

// "F32" -> f32 ... for the dtypes Sprout reads from safetensors; nullopt otherwise.
std::optional<DType> safetensors_dtype(std::string_view name);
const char* safetensors_dtype_name(DType t);  // inverse ("F32"), "?" if none

}  // namespace sprout
