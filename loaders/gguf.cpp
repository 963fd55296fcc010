// GGUF reader: see gguf.h for the layout and what is checked.
#include "loaders/gguf.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>

#include "engine/error.h"

namespace sprout {
namespace {

constexpr const char* kGgmlTypeNames[] = {
    "f32",     "f16",    "q4_0",    "q4_1",   "q4_2",   "q4_3",  "q5_0",  "q5_1",   "q8_0",  "q8_1",
    "q2_k",    "q3_k",   "q4_k",    "q5_k",   "q6_k",   "q8_k",  "iq2_xxs", "iq2_xs", "iq3_xxs", "iq1_s",
    "iq4_nl",  "iq3_s",  "iq2_s",   "iq4_xs", "i8",     "i16",   "i32",   "i64",    "f64",   "iq1_m",
    "bf16",    "q4_0_4_4", "q4_0_4_8", "q4_0_8_8", "tq1_0", "tq2_0", "iq4_nl_4_4", "iq4_nl_4_8", "iq4_nl_8_8", "mxfp4",
};

// Bounds-checked little-endian reader over the file bytes. Every read names
// what it was reading so a truncated file says where it ends; the name is a
// string or a callable producing one, built only when an error is reported
// (a vocabulary array has 150,000 strings).
template <class W> std::string describe(const W& w) {
  if constexpr (std::is_invocable_v<W>) return w();
  else return std::string(w);
}

struct Cursor {
  const uint8_t* base;
  uint64_t size, pos = 0;
  const std::string& path;

  uint64_t left() const { return size - pos; }
  template <class W> void need(uint64_t n, const W& what) const {
    if (n > left())
      fail(path, "truncated: file ends at byte " + std::to_string(size) + " while reading " + describe(what) +
                     " at offset " + std::to_string(pos));
  }
  template <class W> uint64_t uint(int bytes, const W& what) {
    need(uint64_t(bytes), what);
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | base[pos + uint64_t(i)];
    pos += uint64_t(bytes);
    return v;
  }
  template <class W> uint32_t u32(const W& what) { return uint32_t(uint(4, what)); }
  template <class W> uint64_t u64(const W& what) { return uint(8, what); }
  template <class W> std::string_view string(const W& what) {
    const uint64_t n = uint(8, [&] { return describe(what) + " length"; });
    if (n > left())
      fail(path, describe(what) + ": string length " + std::to_string(n) + " exceeds the " + std::to_string(left()) +
                     " bytes left in the file");
    std::string_view s(reinterpret_cast<const char*>(base + pos), size_t(n));
    pos += n;
    if (!valid_utf8(s.data(), s.size())) fail(path, describe(what) + ": string is not valid UTF-8");
    return s;
  }
};

// Smallest encoding of one element of type t (to bound counts before allocating).
uint64_t min_elem_size(GgufType t) {
  if (t == GgufType::string) return 8;
  if (t == GgufType::array) return 12;
  return uint64_t(gguf_scalar_size(t));
}

GgufValue read_value(Cursor& c, GgufType type, const std::string& what, int depth) {
  GgufValue v;
  v.type = type;
  if (type == GgufType::string) {
    v.str = c.string(what);
    return v;
  }
  if (type != GgufType::array) {
    const int n = gguf_scalar_size(type);
    if (n == 0) fail(c.path, what + ": unknown value type " + std::to_string(uint32_t(type)));
    v.bits = c.uint(n, what);
    return v;
  }
  const uint32_t et = c.u32([&] { return what + " array type"; });
  v.elem = GgufType(et);
  if (min_elem_size(v.elem) == 0) fail(c.path, what + ": unknown array element type " + std::to_string(et));
  v.count = c.u64([&] { return what + " array length"; });
  if (v.count > c.left() / min_elem_size(v.elem))
    fail(c.path, what + ": array of " + std::to_string(v.count) + " " + gguf_type_name(v.elem) +
                     " elements exceeds the " + std::to_string(c.left()) + " bytes left in the file");
  if (v.elem == GgufType::string) {
    v.strs.reserve(size_t(v.count));  // bounded by the bytes left / 8
    for (uint64_t i = 0; i < v.count; ++i)
      v.strs.push_back(c.string([&] { return what + "[" + std::to_string(i) + "]"; }));
  } else if (v.elem == GgufType::array) {
    if (depth + 1 >= kGgufMaxArrayDepth)
      fail(c.path, what + ": arrays nested deeper than " + std::to_string(kGgufMaxArrayDepth));
    for (uint64_t i = 0; i < v.count; ++i)
      v.items.push_back(read_value(c, GgufType::array, what + "[" + std::to_string(i) + "]", depth + 1));
  } else {
    v.raw = c.base + c.pos;
    c.pos += v.count * uint64_t(gguf_scalar_size(v.elem));  // fits: checked against left() above
  }
  return v;
}

bool is_integer(GgufType t) {
  switch (t) {
    case GgufType::u8: case GgufType::i8: case GgufType::u16: case GgufType::i16: case GgufType::u32:
    case GgufType::i32: case GgufType::u64: case GgufType::i64: case GgufType::bool_: return true;
    default: return false;
  }
}

std::optional<int64_t> scalar_int(GgufType t, uint64_t bits) {
  switch (t) {
    case GgufType::u8: case GgufType::u16: case GgufType::u32: return int64_t(bits);
    case GgufType::bool_: return bits != 0;
    case GgufType::i8: return int64_t(int8_t(bits));
    case GgufType::i16: return int64_t(int16_t(bits));
    case GgufType::i32: return int64_t(int32_t(bits));
    case GgufType::i64: return int64_t(bits);
    case GgufType::u64: if (bits > uint64_t(INT64_MAX)) return std::nullopt; return int64_t(bits);
    default: return std::nullopt;
  }
}

std::optional<double> scalar_float(GgufType t, uint64_t bits) {
  if (t == GgufType::f32) {
    float f;
    const uint32_t b = uint32_t(bits);
    std::memcpy(&f, &b, 4);
    return f;
  }
  if (t == GgufType::f64) {
    double d;
    std::memcpy(&d, &bits, 8);
    return d;
  }
  if (t == GgufType::u64) return double(bits);
  if (auto i = scalar_int(t, bits)) return double(*i);
  return std::nullopt;
}

uint64_t load_le(const uint8_t* p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') out += "\\n";
    else out += c;
  }
  return out + "\"";
}

}  // namespace

const char* gguf_type_name(GgufType t) {
  static const char* names[] = {"u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "string", "array",
                                "u64", "i64", "f64"};
  const uint32_t i = uint32_t(t);
  return i < 13 ? names[i] : "?";
}

int gguf_scalar_size(GgufType t) {
  switch (t) {
    case GgufType::u8: case GgufType::i8: case GgufType::bool_: return 1;
    case GgufType::u16: case GgufType::i16: return 2;
    case GgufType::u32: case GgufType::i32: case GgufType::f32: return 4;
    case GgufType::u64: case GgufType::i64: case GgufType::f64: return 8;
    default: return 0;
  }
}

std::string ggml_type_name(uint32_t id) {
  if (id < sizeof(kGgmlTypeNames) / sizeof(kGgmlTypeNames[0])) return kGgmlTypeNames[id];
  return "unknown";
}

// ---- GgufValue ----

std::optional<int64_t> GgufValue::as_int() const { return scalar_int(type, bits); }
std::optional<double> GgufValue::as_float() const { return scalar_float(type, bits); }
std::optional<std::string_view> GgufValue::as_string() const {
  if (type != GgufType::string) return std::nullopt;
  return str;
}
std::optional<int64_t> GgufValue::int_at(uint64_t i) const {
  if (type != GgufType::array || !raw || i >= count) return std::nullopt;
  const int n = gguf_scalar_size(elem);
  return scalar_int(elem, load_le(raw + i * uint64_t(n), n));
}
std::optional<double> GgufValue::float_at(uint64_t i) const {
  if (type != GgufType::array || !raw || i >= count) return std::nullopt;
  const int n = gguf_scalar_size(elem);
  return scalar_float(elem, load_le(raw + i * uint64_t(n), n));
}

std::string GgufValue::to_string(size_t max_items) const {
  if (type == GgufType::string) return quoted(str);
  if (type == GgufType::bool_) return bits ? "true" : "false";
  if (type == GgufType::f32 || type == GgufType::f64) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.9g", *as_float());
    return buf;
  }
  if (type == GgufType::u64) return std::to_string(bits);
  if (type != GgufType::array) return std::to_string(*as_int());
  std::string s = "[";
  const uint64_t shown = std::min<uint64_t>(count, max_items);
  for (uint64_t i = 0; i < shown; ++i) {
    if (i) s += ", ";
    if (elem == GgufType::string) s += quoted(strs[size_t(i)]);
    else if (elem == GgufType::array) s += items[size_t(i)].to_string(max_items);
    else {
      GgufValue e;
      e.type = elem;
      const int n = gguf_scalar_size(elem);
      e.bits = load_le(raw + i * uint64_t(n), n);
      s += e.to_string();
    }
  }
  if (shown < count) s += ", ... (" + std::to_string(count) + " items)";
  return s + "]";
}

GgufValue GgufValue::of_int(GgufType t, int64_t v) {
  GgufValue g;
  g.type = t;
  const int n = gguf_scalar_size(t);
  g.bits = n == 8 ? uint64_t(v) : uint64_t(v) & ((uint64_t(1) << (8 * n)) - 1);
  return g;
}
GgufValue GgufValue::of_f32(float v) {
  GgufValue g;
  g.type = GgufType::f32;
  uint32_t b;
  std::memcpy(&b, &v, 4);
  g.bits = b;
  return g;
}
GgufValue GgufValue::of_f64(double v) {
  GgufValue g;
  g.type = GgufType::f64;
  std::memcpy(&g.bits, &v, 8);
  return g;
}
GgufValue GgufValue::of_string(std::string_view s) {
  GgufValue g;
  g.type = GgufType::string;
  g.str = s;
  return g;
}

// ---- GgufFile ----

std::unique_ptr<GgufFile> GgufFile::open(const std::string& path, bool use_mmap) {
  return parse(MappedFile::open(path, use_mmap));
}

std::unique_ptr<GgufFile> GgufFile::parse(std::shared_ptr<MappedFile> file) {
  auto g = std::make_unique<GgufFile>();
  g->file_ = file;
  const std::string& path = file->path();
  Cursor c{file->data(), file->size(), 0, path};

  c.need(4, "the magic");
  if (std::memcmp(file->data(), "GGUF", 4) != 0) fail(path, "not a GGUF file (bad magic)");
  c.pos = 4;
  g->version_ = c.u32("the version");
  if (g->version_ != 2 && g->version_ != 3)
    fail(path, "unsupported GGUF version " + std::to_string(g->version_) + " (2 and 3 are supported)");
  const uint64_t n_tensors = c.u64("the tensor count");
  const uint64_t n_kv = c.u64("the metadata count");
  // Bound the counts by the smallest possible entries before reserving anything:
  // a tensor info takes at least 24 bytes, a key/value 13.
  const uint64_t left = c.left();
  if (n_tensors > left / 24 || n_kv > left / 13 || n_tensors * 24 + n_kv * 13 > left) {
    if (n_tensors > file->size())  // absurd, not merely truncated
      fail(path, "tensor count " + std::to_string(n_tensors) + " exceeds what the file can hold");
    if (n_kv > file->size()) fail(path, "metadata count " + std::to_string(n_kv) + " exceeds what the file can hold");
    fail(path, std::to_string(n_tensors) + " tensors and " + std::to_string(n_kv) + " metadata keys need at least " +
                   std::to_string(n_tensors * 24 + n_kv * 13) + " bytes, only " + std::to_string(left) +
                   " are left (truncated?)");
  }

  g->kv_.reserve(size_t(n_kv));
  for (uint64_t i = 0; i < n_kv; ++i) {
    const std::string key(c.string([&] { return "metadata key #" + std::to_string(i); }));
    if (g->kv_index_.count(key)) fail(path, "duplicate metadata key '" + key + "'");
    const uint32_t type = c.u32([&] { return "the type of key '" + key + "'"; });
    GgufValue v = read_value(c, GgufType(type), "key '" + key + "'", 0);
    g->kv_index_.emplace(key, g->kv_.size());
    g->kv_.emplace_back(key, std::move(v));
  }

  if (const GgufValue* a = g->find("general.alignment")) {
    const auto al = a->as_int();
    if (a->type != GgufType::u32 || !al || *al == 0 || (*al & (*al - 1)) != 0)
      fail(path, "general.alignment must be a u32 power of two, got " + a->to_string());
    g->alignment_ = uint64_t(*al);
  }

  g->tensors_.reserve(size_t(n_tensors));
  for (uint64_t i = 0; i < n_tensors; ++i) {
    TensorInfo t;
    t.name = std::string(c.string([&] { return "tensor name #" + std::to_string(i); }));
    const std::string what = "tensor '" + t.name + "'";
    if (g->tensor_index_.count(t.name)) fail(path, "duplicate tensor name '" + t.name + "'");
    const uint32_t n_dims = c.u32([&] { return what + " n_dims"; });
    if (n_dims > uint32_t(kMaxDims))
      fail(path, what + ": " + std::to_string(n_dims) + " dimensions, at most " + std::to_string(kMaxDims));
    t.shape.resize(n_dims);
    for (uint32_t d = 0; d < n_dims; ++d) {
      const uint64_t ne = c.u64([&] { return what + " dimension " + std::to_string(d); });
      if (ne > uint64_t(INT64_MAX)) fail(path, what + ": dimension " + std::to_string(ne) + " too large");
      t.shape[n_dims - 1 - d] = int64_t(ne);  // ne[0] is innermost: store outermost-first
    }
    const uint32_t type = c.u32([&] { return what + " type"; });
    const auto dt = dtype_from_gguf(type);
    if (!dt) fail(path, what + ": unsupported tensor type " + ggml_type_name(type) + " (" + std::to_string(type) + ")");
    t.dtype = *dt;
    t.offset = c.u64([&] { return what + " offset"; });
    if (!t.shape.empty() && t.shape.back() % dtype_info(t.dtype).block_elems != 0)
      fail(path, what + ": row of " + std::to_string(t.shape.back()) + " values is not a whole number of " +
                     dtype_name(t.dtype) + " blocks");
    const auto nb = tensor_bytes(t.dtype, t.shape);
    if (!nb) fail(path, what + ": shape " + shape_string(t.shape) + " byte size overflows 64 bits");
    t.nbytes = *nb;
    g->tensor_index_.emplace(t.name, g->tensors_.size());
    g->tensors_.push_back(std::move(t));
  }

  // Data starts at the next multiple of the alignment after the tensor infos.
  const uint64_t al = g->alignment_;
  g->data_offset_ = (c.pos + al - 1) / al * al;
  const uint64_t size = file->size();
  std::vector<const TensorInfo*> by_offset;
  by_offset.reserve(g->tensors_.size());
  for (TensorInfo& t : g->tensors_) {
    const std::string what = "tensor '" + t.name + "'";
    if (t.offset % al != 0)
      fail(path, what + ": offset " + std::to_string(t.offset) + " is not a multiple of the alignment " +
                     std::to_string(al));
    const uint64_t rel = t.offset;
    if (g->data_offset_ > size || rel > size - g->data_offset_ || t.nbytes > size - g->data_offset_ - rel)
      fail(path, what + ": data at offset " + std::to_string(rel) + " (" + std::to_string(t.nbytes) +
                     " bytes) runs past the end of the file (" + std::to_string(size) + " bytes)");
    t.offset = g->data_offset_ + rel;  // absolute from here on
    by_offset.push_back(&t);
  }
  std::sort(by_offset.begin(), by_offset.end(), [](const TensorInfo* a, const TensorInfo* b) {
    return a->offset != b->offset ? a->offset < b->offset : a->nbytes < b->nbytes;
  });
  const TensorInfo* prev = nullptr;
  for (const TensorInfo* t : by_offset) {
    if (t->nbytes == 0) continue;
    if (prev && t->offset < prev->offset + prev->nbytes)
      fail(path, "tensors '" + prev->name + "' and '" + t->name + "' overlap");
    prev = t;
  }
  return g;
}

const GgufValue* GgufFile::find(std::string_view key) const {
  auto it = kv_index_.find(key);
  return it == kv_index_.end() ? nullptr : &kv_[it->second].second;
}

const TensorInfo* GgufFile::tensor(std::string_view name) const {
  auto it = tensor_index_.find(name);
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

namespace {
[[noreturn]] void wrong_type(const std::string& path, std::string_view key, const char* want, const GgufValue& v) {
  fail(path, "key '" + std::string(key) + "': expected " + want + ", got " + gguf_type_name(v.type));
}
}  // namespace

int64_t GgufFile::get_int(std::string_view key) const {
  const GgufValue* v = find(key);
  if (!v) fail(file_->path(), "missing key '" + std::string(key) + "'");
  const auto i = is_integer(v->type) ? v->as_int() : std::nullopt;
  if (!i) wrong_type(file_->path(), key, "integer", *v);
  return *i;
}
int64_t GgufFile::get_int(std::string_view key, int64_t def) const { return find(key) ? get_int(key) : def; }

double GgufFile::get_float(std::string_view key) const {
  const GgufValue* v = find(key);
  if (!v) fail(file_->path(), "missing key '" + std::string(key) + "'");
  const auto f = v->as_float();
  if (!f || v->type == GgufType::bool_) wrong_type(file_->path(), key, "number", *v);
  return *f;
}
double GgufFile::get_float(std::string_view key, double def) const { return find(key) ? get_float(key) : def; }

std::string GgufFile::get_string(std::string_view key) const {
  const GgufValue* v = find(key);
  if (!v) fail(file_->path(), "missing key '" + std::string(key) + "'");
  if (v->type != GgufType::string) wrong_type(file_->path(), key, "string", *v);
  return std::string(v->str);
}
std::string GgufFile::get_string(std::string_view key, std::string def) const {
  return find(key) ? get_string(key) : def;
}

}  // namespace sprout
