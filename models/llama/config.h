// The decoder's hyper-parameters, whatever file they came from:
//   * a Hugging Face config.json (Qwen2ForCausalLM / LlamaForCausalLM; Qwen1.5 uses qwen2),
//   * GGUF metadata (general.architecture "qwen2" or "llama", keys <arch>.*),
//   * the 7-int header of a llama2.c checkpoint.
// validate() rejects anything the forward pass cannot run before a tensor is touched.
#pragma once
#include <cstdint>
#include <string>

#include "engine/ops.h"

namespace sprout {
class GgufFile;
}

namespace sprout::llama {

struct Config {
  std::string arch = "llama";  // "llama" | "qwen2"
  int vocab = 0;               // rows of the embedding / output head
  int dim = 0;                 // hidden size
  int layers = 0;
  int heads = 0;               // query heads
  int kv_heads = 0;            // key/value heads (GQA when < heads)
  int head_dim = 0;            // dim / heads
  int ffn = 0;                 // intermediate size of the SwiGLU MLP
  int max_ctx = 0;             // trained context (max_position_embeddings)
  float eps = 1e-6f;           // RMSNorm epsilon
  float rope_theta = 10000.0f;
  ops::RopeLayout rope = ops::RopeLayout::rotate_half;
  bool tied = false;           // output head shares the embedding
  bool qkv_bias = false;       // q/k/v projections carry a bias (Qwen)
  int32_t bos = -1, eos = -1;  // from the config, if it names them

  // Throws Error(subject, cause) for inconsistent or absurd values.
  void validate(const std::string& subject) const;
};

// config.json of a HF directory. tensor presence decides qkv_bias/tied at load time.
Config config_from_hf(const std::string& config_json_path);
// GGUF metadata of arch "qwen2" or "llama" (anything else is an error naming the arch).
Config config_from_gguf(const GgufFile& g);

}  // namespace sprout::llama
