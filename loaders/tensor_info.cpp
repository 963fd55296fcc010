#include "loaders/tensor_info.h"

#include "engine/error.h"

namespace sprout {

std::optional<uint64_t> tensor_bytes(DType dtype, const std::vector<int64_t>& shape) {
  if (shape.empty()) return uint64_t(dtype_info(dtype).block_bytes);  // a scalar
  for (int64_t d : shape)
    if (d < 0) return std::nullopt;
  const auto row = row_bytes(dtype, uint64_t(shape.back()));
  if (!row) return std::nullopt;
  uint64_t total = *row;
  for (size_t i = 0; i + 1 < shape.size(); ++i) {
    const uint64_t d = uint64_t(shape[i]);
    if (d != 0 && total > UINT64_MAX / d) return std::nullopt;
    total *= d;
  }
  return total;
}

std::string shape_string(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

Tensor tensor_view(const TensorInfo& info, const uint8_t* base, const std::string& subject) {
  if (info.shape.size() > size_t(kMaxDims))
    fail(subject, "tensor '" + info.name + "' has " + std::to_string(info.shape.size()) + " dimensions, at most " +
                      std::to_string(kMaxDims) + " are supported");
  return make_tensor(info.dtype, info.shape.data(), int(info.shape.size()), base + info.offset);
}

bool valid_utf8(const char* str, size_t n) {
  const auto* s = reinterpret_cast<const unsigned char*>(str);
  size_t i = 0;
  while (i < n) {
    const unsigned c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    int len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) len = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF) len = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4) len = 4, cp = c & 0x07;
    else return false;
    if (i + size_t(len) > n) return false;
    for (int k = 1; k < len; ++k) {
      const unsigned cc = s[i + size_t(k)];
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return false;
    if (cp >= 0xD800 && cp <= 0xDFFF) return false;
    i += size_t(len);
  }
  return true;
}

}  // namespace sprout
