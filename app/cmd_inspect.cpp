// sprout inspect FILE_OR_DIR [--json] — see the command-line contract.
//
// Prints the format, the metadata (GGUF key/values, safetensors __metadata__,
// a HF directory's config.json) and one row per tensor: name, dtype, shape
// (outermost first, for GGUF too), bytes. Only headers are read, so a
// multi-gigabyte model inspects in milliseconds. With --json: one object
//   {"path", "format", "files", "file_bytes", "gguf_version"?, "alignment"?,
//    "metadata": {...}, "config"?: {...}, "tensor_count", "tensor_bytes",
//    "tensors": [{"name", "dtype", "shape", "bytes", "offset"}]}
// GGUF arrays longer than 64 items appear as {"type": "array", "element_type",
// "count", "head": [first 8 items]} so a 150k-token vocabulary stays readable.
#include <sys/stat.h>

#include <cstdio>
#include <string>

#include "app/args.h"
#include "app/commands.h"
#include "engine/error.h"
#include "loaders/json_util.h"
#include "loaders/weights.h"
#include "models/llama/model.h"

namespace sprout::app {
namespace {

constexpr uint64_t kJsonArrayMax = 64;

Json gguf_json(const GgufValue& v, bool top = true);

Json gguf_array_items(const GgufValue& v, uint64_t n) {
  Json a = Json::array();
  for (uint64_t i = 0; i < n; ++i) {
    if (v.elem == GgufType::string) a.push_back(std::string(v.strs[size_t(i)]));
    else if (v.elem == GgufType::array) a.push_back(gguf_json(v.items[size_t(i)], false));
    else if (v.elem == GgufType::f32 || v.elem == GgufType::f64) a.push_back(*v.float_at(i));
    else if (v.elem == GgufType::bool_) a.push_back(*v.int_at(i) != 0);
    else if (v.elem == GgufType::u64) a.push_back(uint64_t(*v.float_at(i)));
    else a.push_back(*v.int_at(i));
  }
  return a;
}

Json gguf_json(const GgufValue& v, bool top) {
  switch (v.type) {
    case GgufType::string: return std::string(v.str);
    case GgufType::bool_: return v.bits != 0;
    case GgufType::f32: case GgufType::f64: return *v.as_float();
    case GgufType::u64: return v.bits;
    case GgufType::array:
      if (v.count <= kJsonArrayMax) return gguf_array_items(v, v.count);
      return Json{{"type", "array"}, {"element_type", gguf_type_name(v.elem)}, {"count", v.count},
                  {"head", gguf_array_items(v, 8)}};
    default: return *v.as_int();
  }
}

std::string with_commas(uint64_t n) {
  std::string s = std::to_string(n), out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i && (s.size() - i) % 3 == 0) out += ',';
    out += s[i];
  }
  return out;
}

// config.json of a HF directory, if there is one (scalars only in the text view).
Json dir_config(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return nullptr;
  const std::string cfg = path + "/config.json";
  if (::stat(cfg.c_str(), &st) != 0) return nullptr;
  return load_json(cfg);
}

void print_text(const std::string& path, const WeightStore& ws, const Json& config) {
  const GgufFile* g = ws.gguf();
  std::printf("file:    %s\n", path.c_str());
  if (g)
    std::printf("format:  gguf (version %u, alignment %llu, data at byte %llu)\n", g->version(),
                (unsigned long long)g->alignment(), (unsigned long long)g->data_offset());
  else
    std::printf("format:  safetensors (%zu file%s)\n", ws.files().size(), ws.files().size() == 1 ? "" : "s");
  std::printf("size:    %s bytes\n", with_commas(ws.file_bytes()).c_str());

  if (g) {
    std::printf("\nmetadata (%zu keys):\n", g->metadata().size());
    for (const auto& [k, v] : g->metadata()) {
      const std::string type = v.is_array() ? std::string(gguf_type_name(v.elem)) + "[" + std::to_string(v.count) + "]"
                                            : gguf_type_name(v.type);
      std::printf("  %-44s %-14s %s\n", k.c_str(), type.c_str(), v.to_string(8).c_str());
    }
  } else {
    const auto meta = ws.metadata();
    if (!meta.empty()) {
      std::printf("\nmetadata (%zu keys):\n", meta.size());
      for (const auto& [k, v] : meta) std::printf("  %-44s %s\n", k.c_str(), v.c_str());
    }
  }
  if (config.is_object()) {
    std::printf("\nconfig.json:\n");
    for (auto it = config.begin(); it != config.end(); ++it)
      if (it->is_primitive()) std::printf("  %-44s %s\n", it.key().c_str(), it->dump().c_str());
  }

  const auto& ts = ws.infos();
  uint64_t total = 0;
  size_t wname = 4, wshape = 5;
  for (const TensorInfo& t : ts) {
    total += t.nbytes;
    wname = std::max(wname, t.name.size());
    wshape = std::max(wshape, shape_string(t.shape).size());
  }
  std::printf("\ntensors (%zu, %s bytes):\n", ts.size(), with_commas(total).c_str());
  if (ts.empty()) return;
  std::printf("  %-*s  %-6s  %-*s  %15s\n", int(wname), "name", "dtype", int(wshape), "shape", "bytes");
  for (const TensorInfo& t : ts)
    std::printf("  %-*s  %-6s  %-*s  %15s\n", int(wname), t.name.c_str(), dtype_name(t.dtype), int(wshape),
                shape_string(t.shape).c_str(), with_commas(t.nbytes).c_str());
}

void print_json(const std::string& path, const WeightStore& ws, const Json& config) {
  Json out;
  out["path"] = path;
  out["format"] = ws.format();
  out["files"] = ws.files();
  out["file_bytes"] = ws.file_bytes();
  Json meta = Json::object();
  if (const GgufFile* g = ws.gguf()) {
    out["gguf_version"] = g->version();
    out["alignment"] = g->alignment();
    for (const auto& [k, v] : g->metadata()) meta[k] = gguf_json(v);
  } else {
    for (const auto& [k, v] : ws.metadata()) meta[k] = v;
  }
  out["metadata"] = std::move(meta);
  if (!config.is_null()) out["config"] = config;
  Json ts = Json::array();
  uint64_t total = 0;
  for (const TensorInfo& t : ws.infos()) {
    total += t.nbytes;
    ts.push_back({{"name", t.name}, {"dtype", dtype_name(t.dtype)}, {"shape", t.shape}, {"bytes", t.nbytes},
                  {"offset", t.offset}});
  }
  out["tensor_count"] = ws.infos().size();
  out["tensor_bytes"] = total;
  out["tensors"] = std::move(ts);
  std::printf("%s\n", out.dump().c_str());
}

// A llama2.c checkpoint (.bin) has no tensor table of its own: list the arrays its
// header implies, under llama2.c's TransformerWeights names, one row per layer slice.
bool is_llama2c_path(const std::string& path) {
  struct stat st{};
  return path.size() > 4 && path.compare(path.size() - 4, 4, ".bin") == 0 && ::stat(path.c_str(), &st) == 0 &&
         S_ISREG(st.st_mode);
}

void inspect_llama2c(const std::string& path, bool json, bool use_mmap) {
  llama::Model::Options opt;
  opt.use_mmap = use_mmap;
  const auto m = llama::load_llama2c(path, opt);
  const llama::Config& c = m->config();
  const llama::Weights& w = m->weights();
  struct Row { std::string name; int64_t rows, cols; };
  std::vector<Row> rows;
  rows.push_back({"token_embedding_table", c.vocab, c.dim});
  for (int l = 0; l < c.layers; ++l) {
    const std::string p = "layers." + std::to_string(l) + ".";
    const llama::LayerWeights& L = w.layers[size_t(l)];
    rows.push_back({p + "rms_att_weight", 0, c.dim});
    for (auto [n, t] : {std::pair{"wq", &L.wq}, {"wk", &L.wk}, {"wv", &L.wv}, {"wo", &L.wo}})
      rows.push_back({p + n, t->dim(0), t->dim(1)});
    rows.push_back({p + "rms_ffn_weight", 0, c.dim});
    for (auto [n, t] : {std::pair{"w1", &L.gate}, {"w2", &L.down}, {"w3", &L.up}})
      rows.push_back({p + n, t->dim(0), t->dim(1)});
  }
  rows.push_back({"rms_final_weight", 0, c.dim});
  if (!c.tied) rows.push_back({"wcls", c.vocab, c.dim});
  const Json config = {{"dim", c.dim},           {"hidden_dim", c.ffn},  {"n_layers", c.layers},
                       {"n_heads", c.heads},     {"n_kv_heads", c.kv_heads}, {"vocab_size", c.vocab},
                       {"seq_len", c.max_ctx},   {"shared_classifier", c.tied}};
  uint64_t total = 0;
  for (const Row& r : rows) total += uint64_t(r.rows ? r.rows : 1) * uint64_t(r.cols) * 4;
  if (json) {
    Json ts = Json::array();
    for (const Row& r : rows) {
      const Json shape = r.rows ? Json{r.rows, r.cols} : Json{r.cols};
      ts.push_back({{"name", r.name}, {"dtype", "f32"}, {"shape", shape},
                    {"bytes", uint64_t(r.rows ? r.rows : 1) * uint64_t(r.cols) * 4}});
    }
    const Json out = {{"path", path},       {"format", "llama2c"},        {"files", {path}},
                      {"file_bytes", m->file_bytes()}, {"metadata", Json::object()}, {"config", config},
                      {"tensor_count", rows.size()},   {"tensor_bytes", total},      {"tensors", ts}};
    std::printf("%s\n", out.dump().c_str());
    return;
  }
  std::printf("file:    %s\nformat:  llama2c (legacy v0 checkpoint)\nsize:    %s bytes\n\nconfig:\n", path.c_str(),
              with_commas(m->file_bytes()).c_str());
  for (auto it = config.begin(); it != config.end(); ++it) std::printf("  %-44s %s\n", it.key().c_str(), it->dump().c_str());
  std::printf("\ntensors (%zu, %s bytes):\n", rows.size(), with_commas(total).c_str());
  for (const Row& r : rows) {
    const std::string shape = r.rows ? "[" + std::to_string(r.rows) + ", " + std::to_string(r.cols) + "]"
                                     : "[" + std::to_string(r.cols) + "]";
    std::printf("  %-26s  f32     %-14s  %15s\n", r.name.c_str(), shape.c_str(),
                with_commas(uint64_t(r.rows ? r.rows : 1) * uint64_t(r.cols) * 4).c_str());
  }
}

}  // namespace

int cmd_inspect(int argc, char** argv) {
  ArgParser p("inspect", "FILE_OR_DIR [--json]",
              "Format, metadata and the table of tensors of a .gguf, a .safetensors, a llama2.c .bin or a HF model directory.");
  p.positional("FILE_OR_DIR", "a .gguf file, a .safetensors file or a Hugging Face model directory");
  p.flag("--json", "print one JSON object instead of text");
  p.flag("--no-mmap", "read the file(s) into memory instead of mapping them");
  if (!p.parse(argc, argv)) return 0;
  if (p.positionals().empty()) throw UsageError("FILE_OR_DIR", "required (see 'sprout inspect --help')");
  const std::string path = p.positionals()[0];
  if (is_llama2c_path(path)) {
    inspect_llama2c(path, p.has("--json"), !p.has("--no-mmap"));
    return 0;
  }
  const auto ws = WeightStore::open(path, !p.has("--no-mmap"));
  const Json config = dir_config(path);
  if (p.has("--json")) print_json(path, *ws, config);
  else print_text(path, *ws, config);
  return 0;
}

}  // namespace sprout::app
