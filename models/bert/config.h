// What a BERT embedding model's files say about it: hyper-parameters (config.json or GGUF
// metadata), pooling (sentence-transformers 1_Pooling/config.json via modules.json, or GGUF
// bert.pooling_type) and the truncation length (sentence_bert_config.json max_seq_length).
#pragma once
#include <string>

#include "models/bert/bert.h"

namespace sprout {
class WeightStore;
}

namespace sprout::bert {

struct ModelSettings {
  Hparams hp;
  Pooling pooling = Pooling::mean;   // sentence-transformers' default when no config says otherwise
  int max_seq_length = 0;            // 0: max_position_embeddings
};

ModelSettings read_hf_settings(const std::string& dir);
ModelSettings read_gguf_settings(const WeightStore& store, const std::string& path);
// Parses a sentence-transformers Pooling config.json; only one of mean / cls / max may be set.
Pooling read_pooling_config(const std::string& path);

}  // namespace sprout::bert
