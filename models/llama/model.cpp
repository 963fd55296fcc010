// Loading: file -> Config -> Weights (views into the mapping).
#include "models/llama/model.h"

#include <filesystem>

#include "engine/error.h"
#include "engine/quantize.h"
#include "loaders/gguf.h"
#include "loaders/mmap.h"
#include "loaders/weights.h"

namespace sprout::llama {

namespace fs = std::filesystem;

Model::~Model() = default;

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Tensor names in the two naming schemes. HF: model.layers.N.self_attn.q_proj.weight;
// GGUF (llama.cpp): blk.N.attn_q.weight.
struct Names {
  bool gguf;
  std::string embed() const { return gguf ? "token_embd.weight" : "model.embed_tokens.weight"; }
  std::string output() const { return gguf ? "output.weight" : "lm_head.weight"; }
  std::string final_norm() const { return gguf ? "output_norm.weight" : "model.norm.weight"; }
  std::string layer(int l, const char* hf, const char* gg, const char* suffix = "weight") const {
    return gguf ? "blk." + std::to_string(l) + "." + gg + "." + suffix
                : "model.layers." + std::to_string(l) + "." + hf + "." + suffix;
  }
};

// Checks a weight's shape against the config before the forward pass relies on it.
Tensor expect(const WeightStore& ws, const std::string& name, int64_t rows, int64_t cols, const std::string& file) {
  Tensor t = ws.get(name);
  const bool ok = cols == 0 ? (t.ndim == 1 && t.shape[0] == rows)
                            : (t.ndim == 2 && t.shape[0] == rows && t.shape[1] == cols);
  if (!ok) {
    std::string want("[");  // appended piece by piece: GCC 12 warns (-Wrestrict) on "[" + std::string
    want += std::to_string(rows);
    if (cols != 0) want += ", " + std::to_string(cols);
    want += "]";
    fail(file, "tensor '" + name + "' has shape " + t.shape_str() + ", expected " + want);
  }
  if (!t.contiguous()) fail(file, "tensor '" + name + "' is not contiguous");
  return t;
}

}  // namespace

const float* Model::keep_f32(const Tensor& t) {
  w_.owned_f32.push_back(to_f32(t));
  return w_.owned_f32.back().data();
}

void Model::bind(const WeightStore& ws) {
  const Config& c = cfg_;
  const Names n{format_ == "gguf"};
  const int64_t q_out = int64_t(c.heads) * c.head_dim, kv_out = int64_t(c.kv_heads) * c.head_dim;
  w_.embed = expect(ws, n.embed(), c.vocab, c.dim, path_);
  w_.output = ws.has(n.output()) && !c.tied ? expect(ws, n.output(), c.vocab, c.dim, path_) : w_.embed;
  if (!c.tied && !ws.has(n.output())) fail(path_, "missing tensor '" + n.output() + "' (config says untied)");
  w_.final_norm = keep_f32(expect(ws, n.final_norm(), c.dim, 0, path_));
  w_.layers.resize(size_t(c.layers));
  for (int l = 0; l < c.layers; ++l) {
    LayerWeights& L = w_.layers[size_t(l)];
    L.attn_norm = keep_f32(expect(ws, n.layer(l, "input_layernorm", "attn_norm"), c.dim, 0, path_));
    L.ffn_norm = keep_f32(expect(ws, n.layer(l, "post_attention_layernorm", "ffn_norm"), c.dim, 0, path_));
    L.wq = expect(ws, n.layer(l, "self_attn.q_proj", "attn_q"), q_out, c.dim, path_);
    L.wk = expect(ws, n.layer(l, "self_attn.k_proj", "attn_k"), kv_out, c.dim, path_);
    L.wv = expect(ws, n.layer(l, "self_attn.v_proj", "attn_v"), kv_out, c.dim, path_);
    L.wo = expect(ws, n.layer(l, "self_attn.o_proj", "attn_output"), c.dim, q_out, path_);
    L.gate = expect(ws, n.layer(l, "mlp.gate_proj", "ffn_gate"), c.ffn, c.dim, path_);
    L.up = expect(ws, n.layer(l, "mlp.up_proj", "ffn_up"), c.ffn, c.dim, path_);
    L.down = expect(ws, n.layer(l, "mlp.down_proj", "ffn_down"), c.dim, c.ffn, path_);
    // Biases: required for Qwen2, optional (attention_bias) for Llama.
    const std::string bq = n.layer(l, "self_attn.q_proj", "attn_q", "bias");
    if (c.qkv_bias || ws.has(bq)) {
      L.bq = keep_f32(expect(ws, bq, q_out, 0, path_));
      L.bk = keep_f32(expect(ws, n.layer(l, "self_attn.k_proj", "attn_k", "bias"), kv_out, 0, path_));
      L.bv = keep_f32(expect(ws, n.layer(l, "self_attn.v_proj", "attn_v", "bias"), kv_out, 0, path_));
    }
  }
}

std::unique_ptr<Model> Model::load(const std::string& path, const Options& opt) {
  std::error_code ec;
  if (!fs::exists(path, ec)) fail(path, "no such file or directory");
  if (!fs::is_directory(path, ec) && ends_with(path, ".bin")) return load_llama2c(path, opt);

  std::unique_ptr<Model> m(new Model());
  m->path_ = path;
  m->store_ = WeightStore::open(path, opt.use_mmap);
  m->format_ = m->store_->format();
  if (m->format_ == "gguf") {
    if (!m->store_->gguf()) fail(path, "GGUF metadata unavailable");
    m->cfg_ = config_from_gguf(*m->store_->gguf());
  } else {
    const fs::path dir = fs::is_directory(path, ec) ? fs::path(path) : fs::path(path).parent_path();
    const std::string cfg = (dir / "config.json").string();
    if (!fs::exists(cfg, ec)) fail(path, "no config.json next to the weights");
    m->cfg_ = config_from_hf(cfg);
  }
  m->file_bytes_ = m->store_->file_bytes();
  m->bind(*m->store_);
  return m;
}

}  // namespace sprout::llama
