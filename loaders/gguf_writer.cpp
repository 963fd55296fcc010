// GGUF writer: see gguf.h. The layout follows the GGUF specification exactly
// as llama.cpp's gguf reader checks it: unique keys, general.alignment (u32)
// when not 32, tensor names shorter than 64 bytes, at most 4 dimensions,
// offsets that are the running sum of the tensors' sizes each padded to the
// alignment, and the data section starting at an aligned offset.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <set>

#include "engine/error.h"
#include "loaders/gguf.h"
#include "loaders/mmap.h"

namespace sprout {
namespace {

constexpr size_t kMaxTensorName = 63;  // llama.cpp: GGML_MAX_NAME = 64 incl. NUL

void put_le(std::vector<uint8_t>& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(uint8_t(v >> (8 * i)));
}
void put_string(std::vector<uint8_t>& out, std::string_view s) {
  put_le(out, s.size(), 8);
  out.insert(out.end(), s.begin(), s.end());
}

// Serializes the value (without its type tag).
void put_value(std::vector<uint8_t>& out, const GgufValue& v, const std::string& key) {
  if (v.type == GgufType::string) {
    put_string(out, v.str);
    return;
  }
  if (v.type != GgufType::array) {
    const int n = gguf_scalar_size(v.type);
    if (n == 0) fail(key, "unknown GGUF value type " + std::to_string(uint32_t(v.type)));
    put_le(out, v.bits, n);
    return;
  }
  put_le(out, uint32_t(v.elem), 4);
  put_le(out, v.count, 8);
  if (v.elem == GgufType::string) {
    if (v.strs.size() != v.count) fail(key, "string array count does not match its items");
    for (std::string_view s : v.strs) put_string(out, s);
  } else if (v.elem == GgufType::array) {
    if (v.items.size() != v.count) fail(key, "nested array count does not match its items");
    for (const GgufValue& item : v.items) {
      if (item.type != GgufType::array) fail(key, "nested array item is not an array");
      put_value(out, item, key);
    }
  } else {
    const int n = gguf_scalar_size(v.elem);
    if (n == 0) fail(key, "unknown GGUF array element type " + std::to_string(uint32_t(v.elem)));
    if (v.count && !v.raw) fail(key, "array has no data");
    const uint8_t* p = v.raw;
    out.insert(out.end(), p, p + v.count * uint64_t(n));  // already little-endian
  }
}

uint64_t pad_to(uint64_t n, uint64_t al) { return (n + al - 1) / al * al; }

// Closes and deletes the temporary file unless released (on any error path).
struct TmpFile {
  std::FILE* f = nullptr;
  std::string path;
  bool keep = false;
  ~TmpFile() {
    if (f) std::fclose(f);
    if (!keep) std::remove(path.c_str());
  }
};

}  // namespace

GgufWriter::GgufWriter(uint32_t alignment) : alignment_(alignment) {
  if (alignment == 0 || (alignment & (alignment - 1)) != 0)
    fail("gguf", "alignment " + std::to_string(alignment) + " is not a power of two");
  if (alignment != kGgufDefaultAlignment) set_u32("general.alignment", alignment);
}

void GgufWriter::set(const std::string& key, const GgufValue& v) {
  if (!valid_utf8(key.data(), key.size())) fail(key, "GGUF key is not valid UTF-8");
  if (key == "general.alignment" && (v.type != GgufType::u32 || v.bits != alignment_))
    fail(key, "set the alignment through the GgufWriter constructor");
  std::vector<uint8_t> bytes;
  put_le(bytes, uint32_t(v.type), 4);
  put_value(bytes, v, key);
  for (auto& kv : kv_)
    if (kv.first == key) {
      kv.second = std::move(bytes);
      return;
    }
  kv_.emplace_back(key, std::move(bytes));
}

void GgufWriter::set_u64(const std::string& key, uint64_t v) {
  GgufValue g;
  g.type = GgufType::u64;
  g.bits = v;
  set(key, g);
}

void GgufWriter::set_strings(const std::string& key, const std::vector<std::string>& v) {
  GgufValue g;
  g.type = GgufType::array;
  g.elem = GgufType::string;
  g.count = v.size();
  g.strs.assign(v.begin(), v.end());
  set(key, g);
}

void GgufWriter::set_array(const std::string& key, GgufType elem, const void* data, uint64_t count) {
  GgufValue g;
  g.type = GgufType::array;
  g.elem = elem;
  g.count = count;
  g.raw = static_cast<const uint8_t*>(data);
  set(key, g);
}

void GgufWriter::add_tensor(const std::string& name, DType dtype, const std::vector<int64_t>& shape,
                            const void* data) {
  add_tensor(name, dtype, shape, [data](uint8_t* out, uint64_t n) { std::memcpy(out, data, size_t(n)); });
}

void GgufWriter::add_tensor(const std::string& name, DType dtype, const std::vector<int64_t>& shape, Fill fill) {
  if (name.size() > kMaxTensorName)
    fail(name, "tensor name longer than " + std::to_string(kMaxTensorName) + " bytes (llama.cpp limit)");
  if (!valid_utf8(name.data(), name.size())) fail(name, "tensor name is not valid UTF-8");
  if (dtype_info(dtype).gguf_id < 0) fail(name, std::string("dtype ") + dtype_name(dtype) + " has no GGUF type");
  if (shape.empty() || shape.size() > size_t(kMaxDims))
    fail(name, "GGUF tensors have 1 to " + std::to_string(kMaxDims) + " dimensions");
  for (const PendingTensor& t : tensors_)
    if (t.name == name) fail(name, "duplicate tensor name");
  const auto nb = tensor_bytes(dtype, shape);
  if (!nb) fail(name, "shape " + shape_string(shape) + " is not valid for " + dtype_name(dtype));
  tensors_.push_back({name, dtype, shape, *nb, std::move(fill)});
}

void GgufWriter::write(const std::string& path) const {
  std::vector<uint8_t> h;
  h.insert(h.end(), {'G', 'G', 'U', 'F'});
  put_le(h, 3, 4);
  put_le(h, tensors_.size(), 8);
  put_le(h, kv_.size(), 8);
  for (const auto& [key, bytes] : kv_) {
    put_string(h, key);
    h.insert(h.end(), bytes.begin(), bytes.end());
  }
  uint64_t offset = 0;
  for (const PendingTensor& t : tensors_) {
    put_string(h, t.name);
    put_le(h, t.shape.size(), 4);
    for (size_t d = t.shape.size(); d-- > 0;) put_le(h, uint64_t(t.shape[d]), 8);  // innermost first
    put_le(h, uint32_t(dtype_info(t.dtype).gguf_id), 4);
    put_le(h, offset, 8);
    offset += pad_to(t.nbytes, alignment_);
  }
  h.resize(size_t(pad_to(h.size(), alignment_)), 0);

  TmpFile tmp;
  tmp.path = path + ".tmp";
  tmp.f = std::fopen(tmp.path.c_str(), "wb");
  if (!tmp.f) fail(path, "cannot create " + tmp.path + ": " + errno_text(errno));
  auto put = [&](const void* p, size_t n) {
    if (n && std::fwrite(p, 1, n, tmp.f) != n) fail(path, "write failed: " + errno_text(errno));
  };
  put(h.data(), h.size());
  std::vector<uint8_t> buf;
  static const uint8_t zeros[64] = {};
  for (const PendingTensor& t : tensors_) {
    buf.resize(size_t(t.nbytes));
    t.fill(buf.data(), t.nbytes);
    put(buf.data(), buf.size());
    for (uint64_t pad = pad_to(t.nbytes, alignment_) - t.nbytes; pad > 0;) {
      const size_t n = size_t(std::min<uint64_t>(pad, sizeof zeros));
      put(zeros, n);
      pad -= n;
    }
  }
  if (std::fflush(tmp.f) != 0 || ::fsync(fileno(tmp.f)) != 0) fail(path, "write failed: " + errno_text(errno));
  const int rc = std::fclose(tmp.f);
  tmp.f = nullptr;
  if (rc != 0) fail(path, "write failed: " + errno_text(errno));
  if (std::rename(tmp.path.c_str(), path.c_str()) != 0) fail(path, "cannot rename " + tmp.path + ": " + errno_text(errno));
  tmp.keep = true;
}

}  // namespace sprout
