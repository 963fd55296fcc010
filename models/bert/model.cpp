// Loading a BERT embedding model (HF / sentence-transformers directory or GGUF), tokenizing
// with truncation, and pooling batches of sentences into embeddings.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>

#include "engine/error.h"
#include "loaders/json_util.h"
#include "loaders/tokenizer.h"
#include "loaders/weights.h"
#include "models/bert/bert.h"
#include "models/bert/config.h"

namespace fs = std::filesystem;

namespace sprout::bert {

const char* pooling_name(Pooling p) {
  switch (p) {
    case Pooling::mean: return "mean";
    case Pooling::cls: return "cls";
    case Pooling::max: return "max";
  }
  return "?";
}

Model::~Model() = default;

uint64_t Model::file_bytes() const { return store_ ? store_->file_bytes() : 0; }

namespace {

bool has_tokenizer_files(const fs::path& dir) {
  for (const char* f : {"tokenizer.json", "vocab.txt", "vocab.json", "sentencepiece.bpe.model", "tokenizer.model"})
    if (fs::exists(dir / f)) return true;
  return false;
}

}  // namespace

std::unique_ptr<Model> Model::load(const std::string& path, const LoadOptions& opt) {
  std::unique_ptr<Model> m(new Model());
  std::error_code ec;
  const bool is_dir = fs::is_directory(path, ec);
  if (!is_dir && !fs::exists(path, ec)) fail(path, "no such file or directory");
  m->store_ = WeightStore::open(path, opt.use_mmap);

  ModelSettings st = is_dir ? read_hf_settings(path) : read_gguf_settings(*m->store_, path);
  m->w_ = load_weights(*m->store_, path, st.hp, opt.linear_type);
  m->pooling_ = st.pooling;
  m->max_seq_length_ = std::min(st.max_seq_length > 0 ? st.max_seq_length : m->w_.hp.max_positions,
                                m->w_.hp.max_positions);
  if (opt.load_tokenizer && is_dir && has_tokenizer_files(path)) m->tokenizer_ = Tokenizer::load(path);
  if (opt.load_tokenizer && !is_dir) {
    // A GGUF's vocabulary is needed only for text input: a problem with it is reported when
    // text is tokenized, so token-id input still works.
    try {
      m->tokenizer_ = Tokenizer::load(path);
    } catch (const Error& e) {
      m->tokenizer_error_ = e.what();
    }
  }
  return m;
}

std::vector<int32_t> Model::truncate(std::vector<int32_t> ids) const {
  // sentence-transformers truncates the text's tokens and keeps the specials at both ends,
  // so the last id survives: [CLS] t1 .. t(max-2) [SEP].
  if (int(ids.size()) > max_seq_length_) {
    const int32_t last = ids.back();
    ids.resize(size_t(max_seq_length_));
    if (max_seq_length_ > 1) ids.back() = last;
  }
  return ids;
}

std::vector<int32_t> Model::tokenize(std::string_view text) const {
  if (!tokenizer_)
    fail("model", tokenizer_error_.empty() ? "has no tokenizer files (give token ids with --ids)"
                                           : "cannot tokenize text: " + tokenizer_error_);
  return tokenizer_->encode_truncated(text, max_seq_length_, true);
}

void l2_normalize(float* x, int64_t n) {
  double ss = 0;
  for (int64_t i = 0; i < n; ++i) ss += double(x[i]) * x[i];
  const float inv = float(1.0 / std::max(std::sqrt(ss), 1e-12));
  for (int64_t i = 0; i < n; ++i) x[i] *= inv;
}

void pool(const float* h, int64_t len, int64_t dim, Pooling p, float* out) {
  switch (p) {
    case Pooling::cls:
      std::copy(h, h + dim, out);
      return;
    case Pooling::mean: {
      std::vector<double> acc(size_t(dim), 0.0);
      for (int64_t t = 0; t < len; ++t)
        for (int64_t d = 0; d < dim; ++d) acc[size_t(d)] += h[t * dim + d];
      for (int64_t d = 0; d < dim; ++d) out[d] = float(acc[size_t(d)] / double(len));
      return;
    }
    case Pooling::max:
      std::copy(h, h + dim, out);
      for (int64_t t = 1; t < len; ++t)
        for (int64_t d = 0; d < dim; ++d) out[d] = std::max(out[d], h[t * dim + d]);
      return;
  }
}

std::vector<float> Model::embed(const std::vector<std::vector<int32_t>>& input, const EmbedOptions& opt) const {
  const int64_t H = w_.hp.hidden, n = int64_t(input.size());
  std::vector<std::vector<int32_t>> seqs;
  seqs.reserve(input.size());
  for (const auto& s : input) {
    if (s.empty()) fail("input", "empty token sequence");
    seqs.push_back(truncate(s));
  }
  // Longest first, so each batch holds sentences of similar length (bounded attention
  // scratch, balanced threads) and the first batch sizes the arena for the rest.
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return seqs[size_t(a)].size() > seqs[size_t(b)].size();
  });

  const Pooling pooling = opt.pooling.value_or(pooling_);
  const int64_t bs = std::max(1, opt.batch_size);
  std::vector<float> result(size_t(n * H));
  std::vector<float> hidden;
  Arena scratch;
  for (int64_t b0 = 0; b0 < n; b0 += bs) {
    const int64_t b1 = std::min(n, b0 + bs);
    std::vector<std::span<const int32_t>> batch;
    int64_t tokens = 0;
    for (int64_t i = b0; i < b1; ++i) {
      batch.emplace_back(seqs[size_t(order[size_t(i)])]);
      tokens += int64_t(batch.back().size());
    }
    hidden.resize(size_t(tokens * H));
    encode(batch, hidden.data(), scratch);
    const float* h = hidden.data();
    for (int64_t i = b0; i < b1; ++i) {
      const int64_t len = int64_t(batch[size_t(i - b0)].size());
      float* e = result.data() + order[size_t(i)] * H;
      pool(h, len, H, pooling, e);
      if (opt.normalize) l2_normalize(e, H);
      h += len * H;
    }
  }
  return result;
}

std::vector<float> Model::embed_texts(const std::vector<std::string>& texts, const EmbedOptions& opt) const {
  std::vector<std::vector<int32_t>> ids;
  ids.reserve(texts.size());
  for (const auto& t : texts) ids.push_back(tokenize(t));
  return embed(ids, opt);
}

}  // namespace sprout::bert
