// Walks a fastText .bin/.ftz file (format version 12, as libfasttext 0.9.x
// writes it) without trusting any field: every count is checked against the
// bytes left in the file and against the fields it must agree with, so that
// libfasttext, which does no such checks, only ever sees a consistent model.
//
// Layout: magic i32, version i32 | Args: 12 x i32 (dim ws epoch minCount neg
// wordNgrams loss model bucket minn maxn lrUpdateRate) + f64 t | Dictionary:
// size i32, nwords i32, nlabels i32, ntokens i64, pruneidx_size i64, `size`
// entries (NUL-terminated word, count i64, type i8), pruneidx_size pairs of
// i32 | quant_input u8 | input matrix | qout u8 | output matrix.
// Dense matrix: m i64, n i64, m*n f32. Quantized: qnorm u8, m i64, n i64,
// codesize i32, codes u8[codesize], PQ, [norm codes u8[m], norm PQ].
// PQ: dim i32, nsubq i32, dsub i32, lastdsub i32, dim*256 f32 centroids.
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "engine/error.h"
#include "models/fasttext/fasttext.h"

namespace sprout::fasttext {
namespace {

constexpr int32_t kMagic = 793712314;
constexpr int32_t kVersion = 12;
constexpr int64_t kMaxVocab = 30000000;  // libfasttext's hash table size
constexpr int kMaxWordBytes = 1 << 16;

// A bounds-checked cursor over the whole file held in memory.
class Reader {
 public:
  Reader(const std::string& path, std::vector<char> bytes) : path_(path), b_(std::move(bytes)) {}
  size_t left() const { return b_.size() - pos_; }
  size_t pos() const { return pos_; }
  template <class T>
  T get(const char* what) {
    need(sizeof(T), what);
    T v;
    std::memcpy(&v, b_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  void skip(uint64_t n, const char* what) {
    need(n, what);
    pos_ += size_t(n);
  }
  std::string cstring(const char* what) {
    const void* end = std::memchr(b_.data() + pos_, 0, left() < size_t(kMaxWordBytes) ? left() : size_t(kMaxWordBytes));
    if (!end) bad(std::string("unterminated or overlong ") + what);
    const size_t n = size_t(static_cast<const char*>(end) - (b_.data() + pos_));
    std::string s(b_.data() + pos_, n);
    pos_ += n + 1;
    return s;
  }
  void need(uint64_t n, const char* what) const {
    if (n > left()) bad(std::string("truncated (") + what + " needs " + std::to_string(n) + " bytes at offset " +
                        std::to_string(pos_) + ", " + std::to_string(left()) + " left)");
  }
  [[noreturn]] void bad(const std::string& cause) const { fail(path_, cause); }

 private:
  std::string path_;
  std::vector<char> b_;
  size_t pos_ = 0;
};

int32_t check_pq(Reader& r, int64_t dim, const char* what) {
  const int32_t d = r.get<int32_t>(what), nsubq = r.get<int32_t>(what);
  const int32_t dsub = r.get<int32_t>(what), lastdsub = r.get<int32_t>(what);
  if (d != dim) r.bad(std::string(what) + ": dimension " + std::to_string(d) + " != " + std::to_string(dim));
  if (dsub < 1 || dsub > d) r.bad(std::string(what) + ": bad sub-vector size");
  const int32_t want_nsubq = (d + dsub - 1) / dsub, want_last = d - (want_nsubq - 1) * dsub;
  if (nsubq != want_nsubq || lastdsub != want_last) r.bad(std::string(what) + ": inconsistent sub-quantizer layout");
  r.skip(uint64_t(d) * 256 * 4, what);
  return nsubq;
}

// Returns the number of rows.
int64_t check_matrix(Reader& r, bool quantized, int64_t dim, const char* what) {
  if (!quantized) {
    const int64_t m = r.get<int64_t>(what), n = r.get<int64_t>(what);
    if (m < 0 || n != dim) r.bad(std::string(what) + ": bad shape");
    if (m > 0 && uint64_t(m) > r.left() / 4 / uint64_t(n)) r.need(uint64_t(r.left()) + 1, what);
    r.skip(uint64_t(m) * uint64_t(n) * 4, what);
    return m;
  }
  const uint8_t qnorm = r.get<uint8_t>(what);
  const int64_t m = r.get<int64_t>(what), n = r.get<int64_t>(what);
  const int32_t codesize = r.get<int32_t>(what);
  if (qnorm > 1 || m < 0 || n != dim || codesize < 0) r.bad(std::string(what) + ": bad quantized header");
  r.skip(uint64_t(codesize), what);
  // Each row has one code per sub-quantizer.
  const int32_t nsubq = check_pq(r, dim, what);
  if (m > int64_t(codesize) || int64_t(codesize) != m * nsubq) r.bad(std::string(what) + ": code count does not match rows x sub-quantizers");
  if (qnorm) {
    r.skip(uint64_t(m), what);
    check_pq(r, 1, what);
  }
  return m;
}

}  // namespace

ModelInfo validate_model(const std::string& path) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  if (!f) fail(path, "cannot open file");
  const std::streamoff size = f.tellg();
  if (size < 0) fail(path, "cannot read file");
  if (size < 8) fail(path, "too small for a fastText model (" + std::to_string(size) + " bytes)");
  if (uint64_t(size) > (uint64_t(4) << 30)) fail(path, "implausibly large for a fastText model");
  std::vector<char> bytes(static_cast<size_t>(size));
  f.seekg(0);
  if (!f.read(bytes.data(), size)) fail(path, "read error");
  Reader r(path, std::move(bytes));

  ModelInfo info;
  info.file_bytes = uint64_t(size);
  if (r.get<int32_t>("magic") != kMagic) r.bad("not a fastText model (bad magic number)");
  const int32_t version = r.get<int32_t>("version");
  if (version != kVersion) r.bad("unsupported fastText format version " + std::to_string(version) + " (want 12)");

  int32_t a[12];
  for (int32_t& v : a) v = r.get<int32_t>("args");
  r.get<double>("args");
  const int32_t dim = a[0], word_ngrams = a[5], loss = a[6], model = a[7], bucket = a[8], minn = a[9], maxn = a[10];
  if (model != 3) r.bad("not a supervised fastText model (model type " + std::to_string(model) + ")");
  if (dim < 1 || dim > 4096) r.bad("bad dimension " + std::to_string(dim));
  if (loss < 1 || loss > 4) r.bad("bad loss type " + std::to_string(loss));
  if (word_ngrams < 1 || word_ngrams > 64) r.bad("bad wordNgrams " + std::to_string(word_ngrams));
  if (bucket < 0 || minn < 0 || maxn < 0 || maxn > 64 || (maxn > 0 && minn > maxn))
    r.bad("bad subword settings (bucket/minn/maxn)");
  if (bucket == 0 && (maxn > 0 || word_ngrams > 1)) r.bad("subwords or word n-grams need a non-zero bucket count");

  const int32_t n = r.get<int32_t>("dictionary"), nwords = r.get<int32_t>("dictionary");
  const int32_t nlabels = r.get<int32_t>("dictionary");
  r.get<int64_t>("dictionary");
  const int64_t prune = r.get<int64_t>("dictionary");
  if (n < 0 || n >= kMaxVocab || nwords < 0 || nlabels < 1 || int64_t(nwords) + nlabels != n)
    r.bad("bad dictionary sizes");
  if (uint64_t(n) > r.left() / 10) r.need(r.left() + 1, "dictionary");
  for (int32_t i = 0; i < n; ++i) {
    r.cstring("dictionary word");
    if (r.get<int64_t>("dictionary") < 0) r.bad("negative word count in dictionary");
    const int8_t type = r.get<int8_t>("dictionary");
    if (type != (i < nwords ? 0 : 1)) r.bad("dictionary entry " + std::to_string(i) + " has the wrong type");
  }
  if (prune < -1 || prune > kMaxVocab) r.bad("bad pruned n-gram count");
  if (prune > 0) {
    if (uint64_t(prune) > r.left() / 8) r.need(r.left() + 1, "pruned n-gram index");
    for (int64_t i = 0; i < prune; ++i) {
      const int32_t from = r.get<int32_t>("pruned index"), to = r.get<int32_t>("pruned index");
      if (from < 0 || from >= bucket || to < 0 || to >= prune) r.bad("pruned n-gram index out of range");
    }
  }

  const uint8_t quant_in = r.get<uint8_t>("input matrix");
  if (quant_in > 1) r.bad("bad quantization flag");
  if (!quant_in && prune >= 0) r.bad("pruned dictionary without a quantized input matrix");
  const int64_t in_rows = check_matrix(r, quant_in, dim, "input matrix");
  const int64_t need_rows = int64_t(nwords) + (prune >= 0 ? prune : bucket);
  if (in_rows < need_rows) r.bad("input matrix has " + std::to_string(in_rows) + " rows, dictionary needs " + std::to_string(need_rows));
  const uint8_t qout = r.get<uint8_t>("output matrix");
  if (qout > 1) r.bad("bad quantization flag");
  const int64_t out_rows = check_matrix(r, quant_in && qout, dim, "output matrix");
  if (out_rows != nlabels) r.bad("output matrix has " + std::to_string(out_rows) + " rows for " + std::to_string(nlabels) + " labels");
  if (r.left() != 0) r.bad(std::to_string(r.left()) + " trailing bytes after the model");

  info.dim = dim;
  info.nwords = nwords;
  info.nlabels = nlabels;
  info.loss = loss;
  info.quantized = quant_in;
  return info;
}

}  // namespace sprout::fasttext
