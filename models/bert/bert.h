// BERT encoders for sentence embeddings (all-MiniLM-L6-v2, paraphrase-multilingual-MiniLM-L12-v2
// and any HF BertModel / llama.cpp `bert` GGUF).
//
//   auto m = bert::Model::load("models/paraphrase-multilingual-MiniLM-L12-v2");
//   std::vector<float> e = m->embed_texts({"first sentence", "second"});   // [2, hidden]
//
// Architecture (transformers' modeling_bert.BertModel, eval mode): word + learned absolute
// position + token-type embeddings -> LayerNorm, then post-LN blocks
//   x = LN(x + Wo·attention(x));  x = LN(x + W2·gelu_erf(W1·x))
// followed by sentence-transformers pooling (mean over the tokens, CLS or max) and an
// optional L2 normalisation.
//
// Batching: sentences are sorted by length and run in batches whose tokens are packed back
// to back ([sum of lengths, hidden], no padding rows): every matmul sees only real tokens and
// attention runs per sentence over that sentence's keys. This is the padded batch with its
// attention mask minus the padding work, so a sentence gets the same vector in any batch.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/arena.h"
#include "engine/tensor.h"
#include "models/bert/weights.h"

namespace sprout {
class Tokenizer;
class WeightStore;
}

namespace sprout::bert {

enum class Pooling { mean, cls, max };
const char* pooling_name(Pooling p);

struct LoadOptions {
  // Convert the linear layers' weights at load time (e.g. DType::q8_0 or DType::i8_row for
  // int8); nullopt keeps them as stored. The embedding tables always stay as stored, mapped.
  std::optional<DType> linear_type;
  bool load_tokenizer = true;  // a directory without tokenizer files still loads (ids only)
  bool use_mmap = true;
};

struct EmbedOptions {
  bool normalize = true;   // L2-normalise each embedding
  int batch_size = 32;     // sentences per forward pass
  std::optional<Pooling> pooling;  // override the model's configured pooling
};

class Model {
 public:
  static std::unique_ptr<Model> load(const std::string& path, const LoadOptions& opt = {});
  ~Model();

  const Hparams& hparams() const { return w_.hp; }
  int hidden() const { return w_.hp.hidden; }
  Pooling pooling() const { return pooling_; }
  int max_seq_length() const { return max_seq_length_; }   // truncation length (specials included)
  const Tokenizer* tokenizer() const { return tokenizer_.get(); }  // null when the model has none
  const Weights& weights() const { return w_; }
  uint64_t file_bytes() const;        // bytes of the model file(s)
  uint64_t converted_bytes() const { return w_.owned_bytes(); }  // weights converted at load

  // Token ids of a text, special tokens added, truncated to max_seq_length() as
  // sentence-transformers does (the final special token is kept). Needs a tokenizer.
  std::vector<int32_t> tokenize(std::string_view text) const;
  // Ids given by the caller (specials included) truncated the same way.
  std::vector<int32_t> truncate(std::vector<int32_t> ids) const;

  // Last hidden states of the sequences, packed: out [sum of lengths, hidden]. Every
  // sequence must be non-empty and at most max_position_embeddings long; ids are checked.
  void encode(std::span<const std::span<const int32_t>> seqs, float* out, Arena& scratch) const;

  // Pooled embeddings [seqs.size(), hidden] (ids are truncated first).
  std::vector<float> embed(const std::vector<std::vector<int32_t>>& seqs, const EmbedOptions& opt = {}) const;
  std::vector<float> embed_texts(const std::vector<std::string>& texts, const EmbedOptions& opt = {}) const;

 private:
  Model() = default;
  std::unique_ptr<WeightStore> store_;
  Weights w_;
  std::unique_ptr<Tokenizer> tokenizer_;
  std::string tokenizer_error_;  // why a GGUF's vocabulary could not be loaded
  Pooling pooling_ = Pooling::mean;
  int max_seq_length_ = 512;
};

// Pools the hidden states of one sequence ([len, dim]) into out[dim].
void pool(const float* hidden, int64_t len, int64_t dim, Pooling p, float* out);
// Scales x[n] to unit L2 norm (x / max(|x|, 1e-12), as torch.nn.functional.normalize).
void l2_normalize(float* x, int64_t n);

}  // namespace sprout::bert
