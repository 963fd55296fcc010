#include "loaders/safetensors.h"

#include <algorithm>
#include <cstring>

#include "engine/error.h"
#include "loaders/json_util.h"

namespace sprout {
namespace {

struct StName {
  const char* name;
  DType dtype;
};
constexpr StName kDTypes[] = {
    {"F32", DType::f32}, {"F16", DType::f16}, {"BF16", DType::bf16}, {"I8", DType::i8},
    {"U8", DType::u8},   {"I32", DType::i32}, {"I64", DType::i64},
};

uint64_t read_u64le(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// A non-negative JSON integer, or an error naming the tensor and the field.
uint64_t as_u64(const Json& v, const std::string& path, const std::string& what) {
  if (!v.is_number_integer() || (!v.is_number_unsigned() && v.get<int64_t>() < 0)) {
    std::string got = json_kind(v);
    if (v.is_number()) got += ' ' + v.dump();
    fail(path, what + ": expected a non-negative integer, got " + got);
  }
  return v.get<uint64_t>();
}

TensorInfo parse_entry(const std::string& name, const Json& e, const std::string& path, uint64_t data_start,
                       uint64_t data_size) {
  const std::string what = "tensor '" + name + "'";
  if (!e.is_object()) fail(path, what + ": expected an object, got " + std::string(json_kind(e)));
  TensorInfo t;
  t.name = name;
  auto dt = e.find("dtype");
  if (dt == e.end() || !dt->is_string()) fail(path, what + ": missing or non-string 'dtype'");
  const std::string dname = dt->get<std::string>();
  const auto d = safetensors_dtype(dname);
  if (!d) fail(path, what + ": unsupported dtype '" + dname + "'");
  t.dtype = *d;

  auto sh = e.find("shape");
  if (sh == e.end() || !sh->is_array()) fail(path, what + ": missing or non-array 'shape'");
  for (const Json& v : *sh) {
    const uint64_t dim = as_u64(v, path, what + " shape");
    if (dim > uint64_t(INT64_MAX)) fail(path, what + ": dimension " + std::to_string(dim) + " too large");
    t.shape.push_back(int64_t(dim));
  }
  const auto bytes = tensor_bytes(t.dtype, t.shape);
  if (!bytes) fail(path, what + ": shape " + shape_string(t.shape) + " byte size overflows 64 bits");

  auto off = e.find("data_offsets");
  if (off == e.end() || !off->is_array() || off->size() != 2)
    fail(path, what + ": 'data_offsets' must be an array of two integers");
  const uint64_t begin = as_u64((*off)[0], path, what + " data_offsets");
  const uint64_t end = as_u64((*off)[1], path, what + " data_offsets");
  const std::string span = "[" + std::to_string(begin) + ", " + std::to_string(end) + "]";
  if (end < begin) fail(path, what + ": data_offsets " + span + " end before begin");
  if (end > data_size)
    fail(path, what + ": data_offsets " + span + " beyond the end of the data (" + std::to_string(data_size) +
                   " bytes)");
  if (end - begin != *bytes)
    fail(path, what + ": data_offsets span " + std::to_string(end - begin) + " bytes but " + dname + " " +
                   shape_string(t.shape) + " needs " + std::to_string(*bytes));
  t.offset = data_start + begin;
  t.nbytes = *bytes;
  return t;
}

}  // namespace

std::optional<DType> safetensors_dtype(std::string_view name) {
  for (const StName& s : kDTypes)
    if (name == s.name) return s.dtype;
  return std::nullopt;
}

const char* safetensors_dtype_name(DType t) {
  for (const StName& s : kDTypes)
    if (t == s.dtype) return s.name;
  return "?";
}

std::unique_ptr<SafetensorsFile> SafetensorsFile::open(const std::string& path, bool use_mmap) {
  return parse(MappedFile::open(path, use_mmap));
}

std::unique_ptr<SafetensorsFile> SafetensorsFile::parse(std::shared_ptr<MappedFile> file) {
  const std::string& path = file->path();
  const uint64_t size = file->size();
  if (size < 8) fail(path, "file too small for a safetensors header (" + std::to_string(size) + " bytes)");
  const uint64_t n = read_u64le(file->data());
  if (n > size - 8)
    fail(path, "header length " + std::to_string(n) + " exceeds the file size (" + std::to_string(size) + " bytes)");
  if (n > kMaxSafetensorsHeader)
    fail(path, "header length " + std::to_string(n) + " exceeds the limit of " + std::to_string(kMaxSafetensorsHeader));
  const std::string_view text(reinterpret_cast<const char*>(file->data()) + 8, size_t(n));
  if (n == 0 || text[0] != '{') fail(path, "header is not a JSON object (not a safetensors file?)");
  const Json h = parse_json(text, path, kMaxJsonDepth, /*reject_duplicates=*/true);
  if (!h.is_object()) fail(path, "header is not a JSON object");

  auto out = std::make_unique<SafetensorsFile>();
  out->file_ = file;
  const uint64_t data_start = 8 + n, data_size = size - data_start;
  out->tensors_.reserve(h.size());
  for (auto it = h.begin(); it != h.end(); ++it) {
    if (it.key() == "__metadata__") {
      if (!it->is_object()) fail(path, "__metadata__ must be an object of strings");
      for (auto m = it->begin(); m != it->end(); ++m) {
        if (!m->is_string()) fail(path, "__metadata__ key '" + m.key() + "': expected string, got " + json_kind(*m));
        out->metadata_[m.key()] = m->get<std::string>();
      }
      continue;
    }
    out->tensors_.push_back(parse_entry(it.key(), *it, path, data_start, data_size));
  }
  // Order by data offset and reject overlaps (zero-byte tensors overlap nothing).
  auto& ts = out->tensors_;
  std::sort(ts.begin(), ts.end(), [](const TensorInfo& a, const TensorInfo& b) {
    return a.offset != b.offset ? a.offset < b.offset : a.nbytes < b.nbytes;
  });
  const TensorInfo* prev = nullptr;
  for (const TensorInfo& t : ts) {
    if (t.nbytes == 0) continue;
    if (prev && t.offset < prev->offset + prev->nbytes)
      fail(path, "tensors '" + prev->name + "' and '" + t.name + "' overlap");
    prev = &t;
  }
  return out;
}

}  // namespace sprout
