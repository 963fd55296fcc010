// GGUF (versions 2 and 3, little-endian), the llama.cpp model format:
//
//   "GGUF" u32 version, u64 tensor_count, u64 kv_count
//   kv_count x  { string key, u32 value_type, value }
//   tensor_count x { string name, u32 n_dims, u64 ne[n_dims], u32 ggml_type, u64 offset }
//   padding to general.alignment (default 32), then the tensor data;
//   each offset is relative to the data start and a multiple of the alignment.
//   string = u64 length + bytes (no NUL); array = u32 elem_type, u64 count, elements.
//
// ne[0] is the innermost dimension; Sprout exposes shapes outermost-first
// (reversed) like safetensors, so a linear weight reads {out, in} either way.
//
// The reader trusts nothing: every count is checked against the bytes left in
// the file before anything is allocated (a tensor count of 2^63 fails at once),
// strings must be valid UTF-8, keys and tensor names unique, tensor data aligned,
// inside the file and not overlapping. Values are views into the file.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loaders/mmap.h"
#include "loaders/tensor_info.h"

namespace sprout {

enum class GgufType : uint32_t {
  u8 = 0, i8 = 1, u16 = 2, i16 = 3, u32 = 4, i32 = 5, f32 = 6, bool_ = 7,
  string = 8, array = 9, u64 = 10, i64 = 11, f64 = 12,
};
const char* gguf_type_name(GgufType t);  // "u32", "string", ... ("?" if unknown)
int gguf_scalar_size(GgufType t);         // bytes of a scalar, 0 for string/array/unknown

constexpr uint32_t kGgufDefaultAlignment = 32;
constexpr int kGgufMaxArrayDepth = 8;

// One metadata value. Strings and arrays are views into the file (or into
// memory the creator keeps alive); copying a GgufValue copies the views.
struct GgufValue {
  GgufType type = GgufType::u8;
  uint64_t bits = 0;        // scalar: its little-endian bytes, zero-extended
  std::string_view str;     // string
  GgufType elem = GgufType::u8;           // array: element type
  uint64_t count = 0;                     // array: element count
  const uint8_t* raw = nullptr;           // array of scalars: count packed elements
  std::vector<std::string_view> strs;     // array of strings
  std::vector<GgufValue> items;           // array of arrays

  bool is_array() const { return type == GgufType::array; }
  // Integer types and bool as int64 (nullopt for u64 values above INT64_MAX and non-integers).
  std::optional<int64_t> as_int() const;
  std::optional<double> as_float() const;  // f32, f64 and integer types
  std::optional<std::string_view> as_string() const;
  // Element i of an array of scalars, as for as_int() / as_float().
  std::optional<int64_t> int_at(uint64_t i) const;
  std::optional<double> float_at(uint64_t i) const;
  // Human-readable, arrays cut after max_items ("[1, 2, 3, ... (151936 items)]").
  std::string to_string(size_t max_items = 8) const;

  static GgufValue of_int(GgufType t, int64_t v);  // any integer type or bool
  static GgufValue of_f32(float v);
  static GgufValue of_f64(double v);
  static GgufValue of_string(std::string_view s);  // view: s must outlive the value
};

class GgufFile {
 public:
  static std::unique_ptr<GgufFile> open(const std::string& path, bool use_mmap = true);
  static std::unique_ptr<GgufFile> parse(std::shared_ptr<MappedFile> file);

  uint32_t version() const { return version_; }
  uint64_t alignment() const { return alignment_; }
  uint64_t data_offset() const { return data_offset_; }
  const std::vector<std::pair<std::string, GgufValue>>& metadata() const { return kv_; }
  const GgufValue* find(std::string_view key) const;
  // Typed getters; errors name the key and the file.
  int64_t get_int(std::string_view key) const;
  int64_t get_int(std::string_view key, int64_t def) const;
  double get_float(std::string_view key) const;
  double get_float(std::string_view key, double def) const;
  std::string get_string(std::string_view key) const;
  std::string get_string(std::string_view key, std::string def) const;

  const std::vector<TensorInfo>& tensors() const { return tensors_; }  // in file order
  const TensorInfo* tensor(std::string_view name) const;
  Tensor view(const TensorInfo& t) const { return tensor_view(t, file_->data(), file_->path()); }
  const MappedFile& file() const { return *file_; }
  const std::shared_ptr<MappedFile>& file_ptr() const { return file_; }

 private:
  std::shared_ptr<MappedFile> file_;
  uint32_t version_ = 0;
  uint64_t alignment_ = kGgufDefaultAlignment, data_offset_ = 0;
  std::vector<std::pair<std::string, GgufValue>> kv_;
  std::map<std::string, size_t, std::less<>> kv_index_, tensor_index_;
  std::vector<TensorInfo> tensors_;
};

// "q2_k", "iq4_xs", ... for any ggml type id (also those Sprout cannot read).
std::string ggml_type_name(uint32_t id);

// Writes a GGUF v3 file that llama.cpp's reader accepts: keys in the order
// set, tensors in the order added, each tensor's data padded to the alignment.
// write() goes to OUT.tmp and renames it over OUT only when complete, so no
// partial OUT is ever left behind.
class GgufWriter {
 public:
  explicit GgufWriter(uint32_t alignment = kGgufDefaultAlignment);

  // The value is serialized now: views in v need only live through this call.
  void set(const std::string& key, const GgufValue& v);
  void set_u32(const std::string& key, uint32_t v) { set(key, GgufValue::of_int(GgufType::u32, v)); }
  void set_i32(const std::string& key, int32_t v) { set(key, GgufValue::of_int(GgufType::i32, v)); }
  void set_u64(const std::string& key, uint64_t v);
  void set_bool(const std::string& key, bool v) { set(key, GgufValue::of_int(GgufType::bool_, v)); }
  void set_f32(const std::string& key, float v) { set(key, GgufValue::of_f32(v)); }
  void set_string(const std::string& key, std::string_view v) { set(key, GgufValue::of_string(v)); }
  void set_strings(const std::string& key, const std::vector<std::string>& v);
  // Array of `count` packed little-endian scalars of type elem.
  void set_array(const std::string& key, GgufType elem, const void* data, uint64_t count);

  // shape outermost-first. `data` (row-major, nbytes of the dtype) must stay
  // valid until write(); or give a function that fills the bytes at write time.
  using Fill = std::function<void(uint8_t* out, uint64_t nbytes)>;
  void add_tensor(const std::string& name, DType dtype, const std::vector<int64_t>& shape, const void* data);
  void add_tensor(const std::string& name, DType dtype, const std::vector<int64_t>& shape, Fill fill);

  void write(const std::string& path) const;

 private:
  struct PendingTensor {
    std::string name;
    DType dtype;
    std::vector<int64_t> shape;
    uint64_t nbytes;
    Fill fill;
  };
  uint32_t alignment_;
  std::vector<std::pair<std::string, std::vector<uint8_t>>> kv_;  // key -> serialized type + value
  std::vector<PendingTensor> tensors_;
};

}  // namespace sprout
