#include "app/gguf_export.h"

#include <sentencepiece_processor.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>

#include "engine/error.h"
#include "engine/quantize.h"
#include "engine/threads.h"
#include "loaders/config_llama.h"
#include "loaders/json_util.h"
#include "loaders/weights.h"
#include "models/llama/model.h"

namespace sprout::app {
namespace fs = std::filesystem;
namespace {

// --type names and the general.file_type (llama_ftype) each one declares.
struct TypeSpec { const char* name; DType dtype; uint32_t ftype; };
const TypeSpec kTypes[] = {
    {"f32", DType::f32, 0},    {"f16", DType::f16, 1},    {"bf16", DType::bf16, 32},
    {"q8_0", DType::q8_0, 7},  {"q4_0", DType::q4_0, 2},  {"q4_1", DType::q4_1, 3},
    {"q5_0", DType::q5_0, 8},  {"q5_1", DType::q5_1, 9},  {"q4_k", DType::q4_k, 14},
    {"q5_k", DType::q5_k, 16}, {"q6_k", DType::q6_k, 18}, {"q4_k_m", DType::q4_k, 15},
};

const TypeSpec& type_spec(const std::string& name) {
  std::string lower = name;
  for (char& c : lower) c = char(std::tolower(uint8_t(c)));
  for (const TypeSpec& t : kTypes)
    if (lower == t.name) return t;
  throw UsageError("--type", "unknown type '" + name + "' (one of " + quantize_type_names() + ")");
}

// llama.cpp's rule for which layers of a Q4_K_M mix get more bits.
bool more_bits(int layer, int n_layers) {
  return layer < n_layers / 8 || layer >= 7 * n_layers / 8 || (layer - n_layers / 8) % 3 == 2;
}

bool ends_with(const std::string& s, const char* suffix) {
  const size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

// The 32-value-block type a k-quant falls back to when rows are not multiples of 256.
DType fallback_of(DType t) {
  switch (t) {
    case DType::q4_k: return DType::q5_0;
    case DType::q5_k: return DType::q5_1;
    case DType::q6_k: return DType::q8_0;
    default: return DType::f16;
  }
}

// ---- Hugging Face names -> llama.cpp names (llama / qwen2) -------------------------------

struct Mapped { std::string name; int layer; };

std::optional<Mapped> hf_to_gguf(const std::string& hf) {
  static const std::map<std::string, std::string> kTop = {
      {"model.embed_tokens.weight", "token_embd.weight"},
      {"model.norm.weight", "output_norm.weight"},
      {"lm_head.weight", "output.weight"},
  };
  if (auto it = kTop.find(hf); it != kTop.end()) return Mapped{it->second, -1};
  static const std::map<std::string, std::string> kLayer = {
      {"input_layernorm.weight", "attn_norm.weight"},
      {"self_attn.q_proj.weight", "attn_q.weight"},   {"self_attn.q_proj.bias", "attn_q.bias"},
      {"self_attn.k_proj.weight", "attn_k.weight"},   {"self_attn.k_proj.bias", "attn_k.bias"},
      {"self_attn.v_proj.weight", "attn_v.weight"},   {"self_attn.v_proj.bias", "attn_v.bias"},
      {"self_attn.o_proj.weight", "attn_output.weight"},
      {"post_attention_layernorm.weight", "ffn_norm.weight"},
      {"mlp.gate_proj.weight", "ffn_gate.weight"},
      {"mlp.up_proj.weight", "ffn_up.weight"},
      {"mlp.down_proj.weight", "ffn_down.weight"},
  };
  static const std::regex kRe(R"(model\.layers\.(\d{1,6})\.(.+))");
  std::smatch m;
  if (!std::regex_match(hf, m, kRe)) return std::nullopt;
  auto it = kLayer.find(m[2].str());
  if (it == kLayer.end()) return std::nullopt;
  return Mapped{"blk." + m[1].str() + "." + it->second, std::stoi(m[1].str())};
}

int layer_of_gguf_name(const std::string& name) {
  if (name.rfind("blk.", 0) != 0) return -1;
  const size_t dot = name.find('.', 4);
  if (dot == std::string::npos || dot == 4 || dot - 4 > 6) return -1;
  for (size_t i = 4; i < dot; ++i)
    if (!std::isdigit(uint8_t(name[i]))) return -1;
  return std::stoi(name.substr(4, dot - 4));
}

// ---- Vocabulary from HF tokenizer files ------------------------------------------------------

// GGUF token types (llama.cpp's llama_token_type).
enum TokType : int32_t { kNormal = 1, kUnknown = 2, kControl = 3, kUserDefined = 4, kUnused = 5, kByte = 6 };

std::string token_string(const Json& v) {  // tokenizer_config "eos_token": "x" or {"content": "x"}
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.contains("content") && v["content"].is_string()) return v["content"].get<std::string>();
  return "";
}

// Byte-level BPE (tokenizer.json, or vocab.json + merges.txt) -> tokenizer.ggml.* as "gpt2".
// The decoder hyper-parameters llama.cpp reads, under "<arch>.", for every input kind.
struct Hparams {
  uint32_t context, dim, layers, ffn, heads, kv_heads, head_dim;
  float rope_theta, rms_eps;
  uint32_t vocab;
};

void write_hparams(GgufWriter& w, const std::string& arch, const Hparams& h) {
  w.set_string("general.architecture", arch);
  w.set_u32(arch + ".context_length", h.context);
  w.set_u32(arch + ".embedding_length", h.dim);
  w.set_u32(arch + ".block_count", h.layers);
  w.set_u32(arch + ".feed_forward_length", h.ffn);
  w.set_u32(arch + ".attention.head_count", h.heads);
  w.set_u32(arch + ".attention.head_count_kv", h.kv_heads);
  w.set_u32(arch + ".rope.dimension_count", h.head_dim);
  if (h.heads * h.head_dim != h.dim) {  // llama.cpp's per-head sizes when they are not dim / heads
    w.set_u32(arch + ".attention.key_length", h.head_dim);
    w.set_u32(arch + ".attention.value_length", h.head_dim);
  }
  w.set_f32(arch + ".rope.freq_base", h.rope_theta);
  w.set_f32(arch + ".attention.layer_norm_rms_epsilon", h.rms_eps);
  w.set_u32(arch + ".vocab_size", h.vocab);
}

bool write_bpe_vocab(const fs::path& dir, const std::string& arch, int64_t n_vocab, const LlamaConfig& c,
                     GgufWriter& w) {
  std::vector<std::string> tokens(static_cast<size_t>(n_vocab));
  std::vector<int32_t> types(size_t(n_vocab), kUnused);
  std::vector<std::string> merges;
  std::map<std::string, int64_t> by_text;
  auto put = [&](const std::string& text, int64_t id, int32_t type, const std::string& file) {
    if (id < 0 || id >= n_vocab)
      fail(file, "token id " + std::to_string(id) + " outside the model's vocabulary of " + std::to_string(n_vocab));
    tokens[size_t(id)] = text;
    types[size_t(id)] = type;
    by_text[text] = id;
  };
  auto add_merges = [&](const Json& arr, const std::string& file) {
    for (const Json& m : arr) {
      if (m.is_string()) merges.push_back(m.get<std::string>());
      else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string())
        merges.push_back(m[0].get<std::string>() + " " + m[1].get<std::string>());
      else fail(file, "malformed merge entry");
    }
  };
  const fs::path tj = dir / "tokenizer.json", vj = dir / "vocab.json", mt = dir / "merges.txt";
  if (fs::exists(tj)) {
    const Json j = load_json(tj.string());
    const Json& model = j.contains("model") ? j["model"] : Json();
    if (opt<std::string>(model, "type", "", tj.string()) != "BPE") return false;
    const Json vocab = req<Json>(model, "vocab", tj.string());
    if (!vocab.is_object()) fail(tj.string(), "key 'model.vocab': expected object");
    for (auto it = vocab.begin(); it != vocab.end(); ++it)
      put(it.key(), detail::json_as<int64_t>(it.value(), it.key(), tj.string()), kNormal, tj.string());
    add_merges(req<Json>(model, "merges", tj.string()), tj.string());
    if (j.contains("added_tokens") && j["added_tokens"].is_array())
      for (const Json& t : j["added_tokens"])
        put(req<std::string>(t, "content", tj.string()), req<int64_t>(t, "id", tj.string()),
            opt<bool>(t, "special", false, tj.string()) ? kControl : kUserDefined, tj.string());
  } else if (fs::exists(vj) && fs::exists(mt)) {
    const Json vocab = load_json(vj.string());
    if (!vocab.is_object()) fail(vj.string(), "expected a JSON object of token -> id");
    for (auto it = vocab.begin(); it != vocab.end(); ++it)
      put(it.key(), detail::json_as<int64_t>(it.value(), it.key(), vj.string()), kNormal, vj.string());
    std::ifstream in(mt);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("#version", 0) == 0 || line.empty()) continue;
      if (line.find(' ') == std::string::npos) fail(mt.string(), "malformed merge line '" + line.substr(0, 40) + "'");
      merges.push_back(line);
    }
  } else {
    return false;
  }
  // Added tokens declared in tokenizer_config.json (Qwen's <|im_start|> ... live only there).
  const fs::path tc = dir / "tokenizer_config.json";
  Json cfg;
  if (fs::exists(tc)) {
    cfg = load_json(tc.string());
    if (cfg.contains("added_tokens_decoder") && cfg["added_tokens_decoder"].is_object())
      for (auto it = cfg["added_tokens_decoder"].begin(); it != cfg["added_tokens_decoder"].end(); ++it) {
        int64_t id = -1;
        try { id = std::stoll(it.key()); } catch (...) { fail(tc.string(), "added token id '" + it.key() + "' is not a number"); }
        put(req<std::string>(it.value(), "content", tc.string()), id,
            opt<bool>(it.value(), "special", false, tc.string()) ? kControl : kUserDefined, tc.string());
      }
  }
  for (int64_t i = 0; i < n_vocab; ++i)
    if (tokens[size_t(i)].empty()) tokens[size_t(i)] = "[PAD" + std::to_string(i) + "]";

  w.set_string("tokenizer.ggml.model", "gpt2");
  w.set_string("tokenizer.ggml.pre", arch == "qwen2" ? "qwen2" : "default");
  w.set_strings("tokenizer.ggml.tokens", tokens);
  w.set_array("tokenizer.ggml.token_type", GgufType::i32, types.data(), types.size());
  w.set_strings("tokenizer.ggml.merges", merges);
  // Special ids: tokenizer_config.json names them; config.json's ids are the fallback.
  auto special = [&](const char* cfg_key, const char* gguf_key, int64_t fallback) {
    const std::string text = cfg.is_object() && cfg.contains(cfg_key) ? token_string(cfg[cfg_key]) : "";
    if (auto it = by_text.find(text); !text.empty() && it != by_text.end()) w.set_u32(gguf_key, uint32_t(it->second));
    else if (fallback >= 0 && fallback < n_vocab) w.set_u32(gguf_key, uint32_t(fallback));
  };
  special("bos_token", "tokenizer.ggml.bos_token_id", c.bos_token_id);
  special("eos_token", "tokenizer.ggml.eos_token_id", c.eos_token_id);
  special("pad_token", "tokenizer.ggml.padding_token_id", -1);
  special("unk_token", "tokenizer.ggml.unknown_token_id", -1);
  w.set_bool("tokenizer.ggml.add_bos_token", false);
  if (cfg.is_object() && cfg.contains("chat_template") && cfg["chat_template"].is_string())
    w.set_string("tokenizer.chat_template", cfg["chat_template"].get<std::string>());
  return true;
}

// SentencePiece tokenizer.model (Llama 2) -> tokenizer.ggml.* as "llama".
bool write_spm_vocab(const fs::path& dir, int64_t n_vocab, GgufWriter& w) {
  const fs::path p = dir / "tokenizer.model";
  if (!fs::exists(p)) return false;
  sentencepiece::SentencePieceProcessor sp;
  if (!sp.Load(p.string()).ok()) fail(p.string(), "not a readable SentencePiece model");
  const int n = sp.GetPieceSize();
  if (n > n_vocab) fail(p.string(), "has " + std::to_string(n) + " pieces, more than the model's " + std::to_string(n_vocab));
  std::vector<std::string> tokens(static_cast<size_t>(n_vocab));
  std::vector<float> scores(size_t(n_vocab), -1000.f);
  std::vector<int32_t> types(size_t(n_vocab), kUnused);
  for (int i = 0; i < n_vocab; ++i) {
    if (i >= n) { tokens[size_t(i)] = "[PAD" + std::to_string(i) + "]"; continue; }
    tokens[size_t(i)] = sp.IdToPiece(i);
    scores[size_t(i)] = sp.GetScore(i);
    types[size_t(i)] = sp.IsUnknown(i) ? kUnknown : sp.IsControl(i) ? kControl : sp.IsByte(i) ? kByte
                     : sp.IsUnused(i) ? kUnused : kNormal;
  }
  w.set_string("tokenizer.ggml.model", "llama");
  w.set_string("tokenizer.ggml.pre", "default");
  w.set_strings("tokenizer.ggml.tokens", tokens);
  w.set_array("tokenizer.ggml.scores", GgufType::f32, scores.data(), scores.size());
  w.set_array("tokenizer.ggml.token_type", GgufType::i32, types.data(), types.size());
  if (sp.bos_id() >= 0) w.set_u32("tokenizer.ggml.bos_token_id", uint32_t(sp.bos_id()));
  if (sp.eos_id() >= 0) w.set_u32("tokenizer.ggml.eos_token_id", uint32_t(sp.eos_id()));
  if (sp.unk_id() >= 0) w.set_u32("tokenizer.ggml.unknown_token_id", uint32_t(sp.unk_id()));
  w.set_bool("tokenizer.ggml.add_bos_token", true);
  return true;
}

// ---- The conversion of one tensor -------------------------------------------------------

struct Item {
  std::string name;        // GGUF name
  Tensor src;
  DType dst;
  int permute_heads = 0;   // llama q/k from HF: rotate-half rows -> interleaved pairs
};

// Row r of the output comes from row src_row(r) of the input. llama.cpp's converter
// reorders each head's rows from [first halves | second halves] to interleaved pairs.
int64_t src_row(int64_t r, int64_t rows, int heads) {
  if (heads <= 0) return r;
  const int64_t d = rows / heads, h = r / d, j = r % d;
  return h * d + (j % 2) * (d / 2) + j / 2;
}

void convert(const Item& it, uint8_t* out, uint64_t nbytes) {
  const int64_t rows = it.src.rows(), n = it.src.dim(-1);
  const uint64_t out_rb = *row_bytes(it.dst, uint64_t(n));
  if (it.src.dtype == it.dst && it.permute_heads == 0) {
    std::memcpy(out, it.src.data, nbytes);
    return;
  }
#pragma omp parallel num_threads(num_threads())
  {
    std::vector<float> buf(static_cast<size_t>(n));
#pragma omp for schedule(dynamic, 16)
    for (int64_t r = 0; r < rows; ++r) {
      dequantize_row(it.src.dtype, it.src.row_ptr(src_row(r, rows, it.permute_heads)), n, buf.data());
      quantize_row(it.dst, buf.data(), n, out + uint64_t(r) * out_rb);
    }
  }
}

bool convertible(DType t) {
  switch (t) {
    case DType::f32: case DType::f16: case DType::bf16: case DType::q8_0: case DType::q4_0:
    case DType::q4_1: case DType::q5_0: case DType::q5_1: case DType::q4_k: case DType::q5_k:
    case DType::q6_k: return true;
    default: return false;
  }
}

// A llama2.c checkpoint -> arch "llama" with llama.cpp's names. Its q/k rows are already in
// the interleaved-RoPE order llama.cpp's "llama" expects, so nothing is permuted; a shared
// classifier is written as no output.weight (llama.cpp then uses token_embd, as Sprout does).
// The returned model owns the mapped file the items point into.
std::unique_ptr<llama::Model> collect_llama2c(const std::string& in, GgufWriter& w, std::vector<Item>& items,
                                              QuantizeReport& rep) {
  auto m = llama::load_llama2c(in, llama::Model::Options{});
  const llama::Config& c = m->config();
  const llama::Weights& W = m->weights();
  write_hparams(w, "llama",
                {uint32_t(c.max_ctx), uint32_t(c.dim), uint32_t(c.layers), uint32_t(c.ffn), uint32_t(c.heads),
                 uint32_t(c.kv_heads), uint32_t(c.head_dim), c.rope_theta, c.eps, uint32_t(c.vocab)});
  w.set_string("general.name", fs::path(in).stem().string());
  w.set_u32("tokenizer.ggml.bos_token_id", 1);  // llama2.c's fixed BOS / EOS
  w.set_u32("tokenizer.ggml.eos_token_id", 2);
  rep.notes.push_back("llama2.c checkpoint: the GGUF carries no vocabulary (run it with --tokenizer FILE)");
  const auto vec = [&](const std::string& name, const float* x) {
    items.push_back({name, make_tensor(DType::f32, {int64_t(c.dim)}, x), DType::f32, 0});
  };
  items.push_back({"token_embd.weight", W.embed, DType::f32, 0});
  for (int l = 0; l < c.layers; ++l) {
    const llama::LayerWeights& L = W.layers[size_t(l)];
    const std::string b = "blk." + std::to_string(l) + ".";
    vec(b + "attn_norm.weight", L.attn_norm);
    items.push_back({b + "attn_q.weight", L.wq, DType::f32, 0});
    items.push_back({b + "attn_k.weight", L.wk, DType::f32, 0});
    items.push_back({b + "attn_v.weight", L.wv, DType::f32, 0});
    items.push_back({b + "attn_output.weight", L.wo, DType::f32, 0});
    vec(b + "ffn_norm.weight", L.ffn_norm);
    items.push_back({b + "ffn_gate.weight", L.gate, DType::f32, 0});
    items.push_back({b + "ffn_up.weight", L.up, DType::f32, 0});
    items.push_back({b + "ffn_down.weight", L.down, DType::f32, 0});
  }
  vec("output_norm.weight", W.final_norm);
  if (!c.tied) items.push_back({"output.weight", W.output, DType::f32, 0});
  rep.in_bytes = m->file_bytes();
  return m;
}

bool is_llama2c_checkpoint(const std::string& path) {
  std::error_code ec;
  return !fs::is_directory(path, ec) && ends_with(path, ".bin");
}

}  // namespace

std::string quantize_type_names() {
  std::string s;
  for (const TypeSpec& t : kTypes) s += (s.empty() ? "" : ", ") + std::string(t.name);
  return s;
}

DType plan_dtype(const std::string& type, const std::string& name, const std::vector<int64_t>& shape,
                 int layer, int n_layers, bool* fallback) {
  *fallback = false;
  if (shape.size() != 2) return DType::f32;  // norms, biases
  const TypeSpec& spec = type_spec(type);
  DType want = spec.dtype;
  if (std::strcmp(spec.name, "q4_k_m") == 0) {
    if (name == "output.weight") want = DType::q6_k;
    else if ((ends_with(name, ".attn_v.weight") || ends_with(name, ".ffn_down.weight")) && layer >= 0 &&
             more_bits(layer, n_layers))
      want = DType::q6_k;
  }
  DType t = want;
  while (!row_bytes(t, uint64_t(shape[1]))) {
    t = fallback_of(t);
    *fallback = true;
    if (t == DType::f16 && !row_bytes(t, uint64_t(shape[1]))) return DType::f32;
  }
  return t;
}

QuantizeReport quantize_to_gguf(const std::string& in, const std::string& out, const std::string& type,
                                std::FILE* log) {
  const TypeSpec& spec = type_spec(type);
  if (fs::exists(out) && fs::is_directory(out)) fail(out, "is a directory");
  QuantizeReport rep;
  GgufWriter w;
  std::vector<Item> items;
  int n_layers = 0;
  std::unique_ptr<llama::Model> llama2c;  // keeps a llama2.c checkpoint mapped while writing
  std::unique_ptr<WeightStore> ws;

  if (is_llama2c_checkpoint(in)) {
    llama2c = collect_llama2c(in, w, items, rep);
    n_layers = llama2c->config().layers;
  } else {
    ws = WeightStore::open(in);
    rep.in_bytes = ws->file_bytes();
  }

  if (llama2c) {
    // items and metadata collected above
  } else if (const GgufFile* g = ws->gguf()) {
    // GGUF -> GGUF: metadata as it is, tensors re-encoded.
    for (const auto& [key, value] : g->metadata())
      if (key != "general.file_type" && key != "general.quantization_version" && key != "general.alignment")
        w.set(key, value);
    const std::string arch = g->get_string("general.architecture", "");
    n_layers = int(g->get_int(arch + ".block_count", 0));
    for (const TensorInfo& ti : ws->infos()) items.push_back({ti.name, ws->get(ti.name), DType::f32, 0});
  } else {
    // HF directory -> llama.cpp names and metadata.
    const fs::path dir = fs::is_directory(in) ? fs::path(in) : fs::path(in).parent_path();
    const fs::path cfg_path = dir / "config.json";
    if (!fs::exists(cfg_path)) fail(in, "no config.json beside the weights");
    const LlamaConfig c = llama_config_from_json(cfg_path.string());
    const std::string arch = c.model_type;
    n_layers = int(c.num_hidden_layers);
    const int64_t n_vocab = ws->has("model.embed_tokens.weight") ? ws->get("model.embed_tokens.weight").dim(0)
                                                                  : c.vocab_size;
    write_hparams(w, arch,
                  {uint32_t(c.max_position_embeddings), uint32_t(c.hidden_size), uint32_t(c.num_hidden_layers),
                   uint32_t(c.intermediate_size), uint32_t(c.num_attention_heads), uint32_t(c.num_key_value_heads),
                   uint32_t(c.head_dim()), float(c.rope_theta), float(c.rms_norm_eps), uint32_t(n_vocab)});
    w.set_string("general.name", fs::path(in).filename().string());
    if (!write_bpe_vocab(dir, arch, n_vocab, c, w) && !write_spm_vocab(dir, n_vocab, w)) {
      rep.notes.push_back("no tokenizer files beside the model: the GGUF carries no vocabulary");
      if (c.bos_token_id >= 0) w.set_u32("tokenizer.ggml.bos_token_id", uint32_t(c.bos_token_id));
      if (c.eos_token_id >= 0) w.set_u32("tokenizer.ggml.eos_token_id", uint32_t(c.eos_token_id));
    }
    for (const std::string& hf : ws->names()) {
      const auto m = hf_to_gguf(hf);
      if (!m) {
        rep.notes.push_back("skipped " + hf + " (no llama.cpp counterpart)");
        continue;
      }
      int heads = 0;
      if (arch == "llama" && ends_with(m->name, "attn_q.weight")) heads = int(c.num_attention_heads);
      if (arch == "llama" && ends_with(m->name, "attn_k.weight")) heads = int(c.num_key_value_heads);
      items.push_back({m->name, ws->get(hf), DType::f32, heads});
    }
  }
  w.set_u32("general.quantization_version", 2);
  w.set_u32("general.file_type", spec.ftype);

  for (Item& it : items) {
    if (!convertible(it.src.dtype))
      fail(in, "tensor '" + it.name + "' has dtype " + dtype_name(it.src.dtype) + ", which quantize cannot read");
    if (!it.src.contiguous()) fail(in, "tensor '" + it.name + "' is not contiguous");
    std::vector<int64_t> shape(it.src.shape.begin(), it.src.shape.begin() + it.src.ndim);
    bool fell_back = false;
    it.dst = plan_dtype(type, it.name, shape, layer_of_gguf_name(it.name), n_layers, &fell_back);
    if (fell_back)
      rep.notes.push_back(it.name + ": row length " + std::to_string(shape.back()) +
                          " does not fit the requested type's block, written as " + dtype_name(it.dst));
    const Item* p = &it;
    w.add_tensor(it.name, it.dst, shape, [p](uint8_t* o, uint64_t nb) { convert(*p, o, nb); });
    rep.out_bytes += *row_bytes(it.dst, uint64_t(shape.back())) * uint64_t(it.src.rows());
    ++rep.tensors;
  }
  if (log) std::fprintf(log, "quantize: %d tensors -> %s (%s)\n", rep.tensors, out.c_str(), spec.name);
  w.write(out);
  return rep;
}

}  // namespace sprout::app
