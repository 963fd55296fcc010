// `sprout quantize`: any model Sprout reads -> a GGUF file llama.cpp can load.
//
//   HF directory (llama / qwen2)  -> tensors renamed to llama.cpp's names
//                                    (model.layers.0.self_attn.q_proj.weight -> blk.0.attn_q.weight),
//                                    architecture metadata from config.json, vocabulary from the
//                                    tokenizer files (byte-level BPE -> "gpt2", SentencePiece -> "llama").
//   GGUF                          -> same names and metadata, tensors re-encoded.
//
// Which dtype each tensor gets (`plan_dtype`):
//   - 1-D tensors (norms, biases) stay f32, as llama.cpp keeps them;
//   - 2-D weights get the requested type; a row length that is not a whole number of
//     the type's blocks falls back per tensor (q4_k -> q5_0, q5_k -> q5_1, q6_k -> q8_0,
//     a 32-block type -> f16), as llama.cpp does; each fallback is reported;
//   - "q4_k_m" is q4_k with q6_k for output.weight and for attn_v / ffn_down in the
//     layers llama.cpp's Q4_K_M mix gives more bits (first and last eighth, every third between).
//
// The output is written to OUT.tmp and renamed only when complete: a failure never
// leaves a partial OUT behind.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "engine/dtype.h"

namespace sprout::app {

struct QuantizeReport {
  int tensors = 0;
  uint64_t in_bytes = 0, out_bytes = 0;
  std::vector<std::string> notes;  // fallbacks, skipped tensors, missing vocabulary
};

// Names accepted by --type, for help and errors: "f32, f16, bf16, q8_0, ...".
std::string quantize_type_names();

// The dtype a tensor gets. `type` is a --type name; n_layers/layer describe where a
// blk.N tensor sits (layer = -1 for others). Sets *fallback when the row length forced
// a different type than the request.
DType plan_dtype(const std::string& type, const std::string& gguf_name, const std::vector<int64_t>& shape,
                 int layer, int n_layers, bool* fallback);

// Converts `in` to a GGUF file at `out` with tensors of --type `type`. Progress lines go to `log`
// (may be null). Throws Error(file, cause) / UsageError("--type", ...).
QuantizeReport quantize_to_gguf(const std::string& in, const std::string& out, const std::string& type,
                                std::FILE* log);

}  // namespace sprout::app
