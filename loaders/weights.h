// WeightStore: one interface over the ways model weights arrive —
//   * a Hugging Face directory: model.safetensors, or shards listed in
//     model.safetensors.index.json ({"weight_map": {tensor: shard file}}),
//   * a single .safetensors file,
//   * a single .gguf file (metadata through gguf()).
// Tensors are views into the mapped files (no copy) and stay valid while the
// store lives. GGUF shapes are exposed outermost-first like HF ({out, in}).
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/tensor.h"
#include "loaders/gguf.h"
#include "loaders/tensor_info.h"

namespace sprout {

class WeightStore {
 public:
  // Error(path, cause) for anything that is not a readable model.
  static std::unique_ptr<WeightStore> open(const std::string& path, bool use_mmap = true);
  virtual ~WeightStore() = default;

  virtual bool has(std::string_view name) const = 0;
  virtual Tensor get(std::string_view name) const = 0;  // Error(file, "missing tensor 'NAME'")
  virtual std::vector<std::string> names() const = 0;   // in file order
  virtual std::string format() const = 0;               // "safetensors" | "gguf"
  virtual const GgufFile* gguf() const { return nullptr; }
  virtual uint64_t file_bytes() const = 0;              // total size of the files read

  // Where each tensor lives (name, dtype, shape, size, file offset), in file order.
  virtual const std::vector<TensorInfo>& infos() const = 0;
  // safetensors "__metadata__" (merged over shards) or the index's "metadata".
  virtual std::map<std::string, std::string> metadata() const { return {}; }
  // The files read: one for .gguf/.safetensors, the shards of a directory.
  virtual std::vector<std::string> files() const = 0;
  // Error if any mapped file has shrunk since it was opened (it would fault on access).
  virtual void check_unchanged() const = 0;
};

// The safetensors file(s) a HF model directory holds: the shards named in
// model.safetensors.index.json, else model.safetensors, else the directory's
// only *.safetensors file. Error(dir, ...) when there is none or the index
// is malformed (shard names must be plain file names inside the directory).
std::vector<std::string> safetensors_files_in(const std::string& dir);

}  // namespace sprout
