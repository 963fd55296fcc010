// NLLB-200-distilled-600M shapes (d_model 1024, 12+12 layers, 16 heads, FFN 4096,
// vocab 256206) with random weights made at start-up (nothing is read from disk):
// 64 source sentences of 20 tokens, every target run to max_length 22 (start,
// language, 20 tokens) so each configuration does the same work. `shortlist:K`
// restricts the output vocabulary to K ids (the four specials, the 202 language
// codes and random pieces: the size of one language's pieces in a real corpus,
// models/m2m100/shortlist.h); shortlist:0 is the full 256206. Reports target
// tokens/s, sentences/s and the process' peak RSS (VmHWM): run one configuration
// per process for a meaningful RSS, e.g.
//
//   build/bench/sprout_bench_m2m100 --benchmark_filter='Translate/q8_0/beam:4/threads:2/shortlist:0/'
//
// tools/m2m100_reference/bench_m2m100.py runs every configuration this way and
// PyTorch on the same shapes, and prints the table of docs/performance.md.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <sys/resource.h>

#include "engine/dtype.h"
#include "engine/tensor.h"
#include "engine/threads.h"
#include "models/m2m100/model.h"
#include "models/m2m100/search.h"

namespace {

using namespace sprout;
using namespace sprout::m2m100;

Config nllb_600m() {
  Config c;
  c.d_model = 1024;
  c.encoder_layers = c.decoder_layers = 12;
  c.encoder_heads = c.decoder_heads = 16;
  c.encoder_ffn = c.decoder_ffn = 4096;
  c.vocab_size = 256206;
  c.max_positions = 1024;
  c.scale_embedding = true;
  return c;
}

// Resets VmHWM to the current RSS (Linux clear_refs "5"), so the peak covers translation only.
void reset_peak_rss() {
  if (FILE* f = std::fopen("/proc/self/clear_refs", "w")) { std::fputs("5", f); std::fclose(f); }
}

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

double peak_rss_mb() {
  FILE* f = std::fopen("/proc/self/status", "r");
  if (!f) return 0;
  char line[256];
  double kb = 0;
  while (std::fgets(line, sizeof line, f))
    if (std::strncmp(line, "VmHWM:", 6) == 0) kb = std::atof(line + 6);
  std::fclose(f);
  return kb / 1024.0;
}

// Random weights with the shapes the loader expects, one tensor at a time (the
// loader converts each into its own buffer, so only one f32 tensor is alive).
struct RandomSource {
  Config c;
  std::vector<float> buf;
  uint64_t state = 0x9e3779b97f4a7c15ull;

  float next() {  // xorshift64*, uniform in [-1, 1)
    state ^= state >> 12; state ^= state << 25; state ^= state >> 27;
    return float(int32_t((state * 0x2545f4914f6cdd1dull) >> 32)) * (1.0f / 2147483648.0f);
  }
  std::vector<int64_t> shape(const std::string& n) const {
    const int64_t D = c.d_model, F = c.decoder_ffn;
    auto ends = [&](const char* s) { return n.size() >= std::strlen(s) && n.compare(n.size() - std::strlen(s), std::string::npos, s) == 0; };
    if (n == "model.shared.weight") return {c.vocab_size, D};
    if (ends("fc1.weight")) return {F, D};
    if (ends("fc2.weight")) return {D, F};
    if (ends("fc1.bias")) return {F};
    if (ends("proj.weight")) return {D, D};
    return {D};
  }
  Tensor get(const std::string& n) {
    const auto s = shape(n);
    int64_t count = 1;
    for (int64_t d : s) count *= d;
    buf.resize(size_t(count));
    const bool norm_gain = n.find("layer_norm.weight") != std::string::npos;
    const float scale = s.size() == 2 ? 1.0f / std::sqrt(float(s[1])) : 0.05f;
    for (float& x : buf) x = norm_gain ? 1.0f + 0.1f * next() : scale * next();
    return s.size() == 2 ? make_tensor(DType::f32, {s[0], s[1]}, buf.data())
                         : make_tensor(DType::f32, {s[0]}, buf.data());
  }
};

std::unique_ptr<Model> make_model(bool convert, DType type) {
  auto rs = std::make_shared<RandomSource>();
  rs->c = nllb_600m();
  TensorSource src;
  src.subject = "random nllb-600m";
  src.has = [](const std::string& n) { return n != "model.encoder.embed_tokens.weight" &&
                                              n != "model.decoder.embed_tokens.weight" && n != "lm_head.weight"; };
  src.get = [rs](const std::string& n) { return rs->get(n); };
  src.transient = true;
  LoadOptions lo;
  lo.convert = convert;
  lo.matrix_type = type;
  Weights w = Weights::load(rs->c, src, lo);
  return std::make_unique<Model>(rs->c, std::move(w));
}

// K ids: <s> <pad> </s> <unk>, the NLLB language codes (256001..256202) and random pieces.
std::vector<int32_t> shortlist_ids(int K, int vocab) {
  std::vector<char> in(size_t(vocab), 0);
  std::vector<int32_t> ids;
  auto add = [&](int32_t t) { if (!in[size_t(t)]) { in[size_t(t)] = 1; ids.push_back(t); } };
  for (int32_t t = 0; t < 4; ++t) add(t);
  for (int32_t t = 256001; t <= 256202 && t < vocab; ++t) add(t);
  uint32_t r = 777;
  while (int(ids.size()) < K) { r = r * 1664525u + 1013904223u; add(int32_t(4 + (r >> 8) % 255996)); }
  return ids;
}

void BM_Translate(benchmark::State& state, bool convert, DType type, int beam, int threads, int shortlist) {
  set_num_threads(threads);
  const auto t0 = std::chrono::steady_clock::now();
  auto model = make_model(convert, type);
  std::unique_ptr<Shortlist> sl;
  if (shortlist > 0) sl = std::make_unique<Shortlist>(*model, shortlist_ids(shortlist, model->config().vocab_size),
                                                      std::vector<int32_t>{2, 256147});
  const double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // 64 sentences (SPROUT_M2M100_SENTENCES): eng_Latn, 18 pieces, </s>.
  const char* ns = std::getenv("SPROUT_M2M100_SENTENCES");
  std::vector<std::vector<int32_t>> src(size_t(ns ? std::max(1, std::atoi(ns)) : 64));
  uint32_t r = 12345;
  for (auto& s : src) {
    s.push_back(256047);
    for (int i = 0; i < 18; ++i) { r = r * 1664525u + 1013904223u; s.push_back(int32_t(4 + (r >> 8) % 200000)); }
    s.push_back(2);
  }
  SearchOptions so;
  so.beam = beam;
  so.max_length = 22;
  so.forced_bos = 256147;  // yor_Latn
  so.max_batch = std::getenv("SPROUT_M2M100_BATCH") ? std::atoi(std::getenv("SPROUT_M2M100_BATCH")) : 32;
  so.min_length = so.max_length;  // </s> banned: every sentence runs to max_length
  so.shortlist = sl.get();
  double tokens = 0, seconds = 0;
  reset_peak_rss();
  const double cpu0 = cpu_seconds();
  for (auto _ : state) {
    const auto a = std::chrono::steady_clock::now();
    const auto out = translate(*model, src, so);
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count();
    tokens = 0;
    for (const auto& t : out) tokens += double(t.ids.size() - 1);
    state.SetIterationTime(seconds);
  }
  state.counters["tok_s"] = tokens / seconds;
  state.counters["sent_s"] = double(src.size()) / seconds;
  state.counters["tok_per_cpu_s"] = tokens / (cpu_seconds() - cpu0);  // robust to a busy machine
  state.counters["peak_rss_mb"] = peak_rss_mb();  // weights + activations + caches while translating
  state.counters["weights_mb"] = double(model->weights().matrix_bytes) / 1048576.0;
  state.counters["setup_s"] = load_s;
}

const int kRegistered = [] {
  struct T { const char* name; bool convert; DType type; };
  for (T t : {T{"f32", false, DType::f32}, T{"q8_0", true, DType::q8_0}, T{"i8_row", true, DType::i8_row}})
    for (int beam : {1, 4})
      for (int threads : {1, 2})
        for (int shortlist : {0, 25000}) {
          const std::string name = std::string("Translate/") + t.name + "/beam:" + std::to_string(beam) +
                                   "/threads:" + std::to_string(threads) + "/shortlist:" + std::to_string(shortlist);
          benchmark::RegisterBenchmark(name.c_str(), [=](benchmark::State& s) { BM_Translate(s, t.convert, t.type, beam, threads, shortlist); })
              ->Iterations(1)->UseManualTime()->Unit(benchmark::kSecond);
        }
  return 0;
}();

}  // namespace

BENCHMARK_MAIN();
