// sprout bench — prompt processing and generation speed, like llama-bench.
//
//   prefill: one forward pass over -p prompt tokens (GEMM path), tokens / second;
//   decode:  -n single-token forward passes (GEMV path), tokens / second.
// As in llama-bench's pp and tg tests, each starts from an empty cache: decode is not
// timed after the -p prompt but on its own. With -d N both start at depth N: N tokens
// are prefilled first, untimed (decode after a 512-token prompt: -d 512). Each is
// repeated -r times on a fresh cache; the median is reported. Token ids are a fixed
// pseudo-random sequence (the content does not change the work done).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "app/args.h"
#include "app/cli_common.h"
#include "app/commands.h"
#include "app/decoder.h"
#include "engine/error.h"
#include "engine/threads.h"
#include "kernels/common/dispatch.h"

namespace sprout::app {

namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

double peak_rss_mb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return double(ru.ru_maxrss) / 1024.0;  // Linux: kilobytes
}

}  // namespace

int cmd_bench(int argc, char** argv) {
  ArgParser p("bench", "--model MODEL [-p 128] [-n 64] [-t THREADS] [-r REPS] [--json]",
              "Prefill and decode speed of a decoder model.");
  p.option("--model", "MODEL", "HF directory, .gguf, llama2.c .bin or registry name");
  p.option("-p", "N", "prompt tokens", "128");
  p.option("-n", "N", "generated tokens", "64");
  p.option("-t", "THREADS", "threads (default: physical cores)");
  p.option("--threads", "THREADS", "same as -t");
  p.option("-r", "REPS", "repetitions (median reported)", "3");
  p.option("-d", "N", "context depth: N tokens prefilled (untimed) before each test", "0");
  add_kv_type_option(p);
  p.flag("--json", "print one JSON object");
  if (!p.parse(argc, argv)) return 0;
  const DType kv = kv_type_option(p);

  const std::string model = p.require("--model");
  const int np = int(p.get_int("-p", 0, 1 << 20));
  const int nd = int(p.get_int("-n", 0, 1 << 20));
  const int reps = int(p.get_int("-r", 1, 1000));
  const int depth = int(p.get_int("-d", 0, 1 << 20));
  if (p.has("-t")) set_num_threads(int(p.get_int("-t", 1, 1024)));
  else if (p.has("--threads")) set_num_threads(int(p.get_int("--threads", 1, 1024)));
  if (np + nd == 0) throw UsageError("-p", "nothing to measure (-p 0 -n 0)");

  Decoder d = load_decoder(model, "", TokenizerUse::none);
  const llama::Config& c = d.model->config();
  const int ctx = depth + std::max(np, nd) + 1;
  std::vector<int32_t> ids(static_cast<size_t>(ctx));
  uint32_t x = 12345;
  for (int32_t& id : ids) {
    x = x * 1664525u + 1013904223u;
    id = int32_t((x >> 8) % uint32_t(c.vocab));
  }
  std::vector<float> logits(size_t(c.vocab));
  llama::State st(*d.model, ctx, kv);

  // Warm-up: one token (touches every weight page once).
  llama::forward(*d.model, st, ids.data(), 1, logits.data());
  std::vector<double> pre, dec;
  // A fresh cache holding `depth` tokens.
  auto start_at_depth = [&] {
    st.reset();
    if (depth > 0) llama::forward(*d.model, st, ids.data(), depth, logits.data());
  };
  for (int r = 0; r < reps; ++r) {
    if (np > 0) {
      start_at_depth();
      const double t0 = now_s();
      llama::forward(*d.model, st, &ids[size_t(depth)], np, logits.data());
      pre.push_back(np / (now_s() - t0));
    }
    if (nd > 0) {
      start_at_depth();
      const double t0 = now_s();
      for (int i = 0; i < nd; ++i) llama::forward(*d.model, st, &ids[size_t(depth + i)], 1, logits.data());
      dec.push_back(nd / (now_s() - t0));
    }
  }
  const double prefill = median(pre), decode = median(dec);
  const std::string dtype = dtype_name(d.model->weight_dtype());
  if (p.has("--json")) {
    std::printf(
        "{\"model\": \"%s\", \"format\": \"%s\", \"weight_dtype\": \"%s\", \"n_prompt\": %d, \"n_gen\": %d, "
        "\"reps\": %d, \"depth\": %d, \"threads\": %d, \"prefill_tok_s\": %.3f, \"decode_tok_s\": %.3f, \"load_ms\": %.3f, "
        "\"peak_rss_mb\": %.1f, \"model_bytes\": %llu, \"kv_cache_bytes\": %llu, \"kv_type\": \"%s\", \"isa\": \"%s\"}\n",
        json_escape(d.model->path()).c_str(), d.model->format().c_str(), dtype.c_str(), np, nd, reps, depth, num_threads(), prefill,
        decode, d.load_ms, peak_rss_mb(), (unsigned long long)d.model->file_bytes(),
        (unsigned long long)st.kv_bytes(), dtype_name(kv), kern::isa_name(kern::active_isa()));
  } else {
    std::printf("model        %s (%s, %s)\n", d.model->path().c_str(), d.model->format().c_str(), dtype.c_str());
    std::printf("threads      %d (kernels: %s)\n", num_threads(), kern::isa_name(kern::active_isa()));
    std::printf("load         %.1f ms\n", d.load_ms);
    if (np > 0) std::printf("prefill pp%-4d %10.2f tok/s\n", np, prefill);
    if (nd > 0) std::printf("decode  tg%-4d %10.2f tok/s\n", nd, decode);
    std::printf("peak RSS     %.1f MB (model file %.1f MB, KV cache %.1f MB %s)\n", peak_rss_mb(),
                double(d.model->file_bytes()) / 1048576.0, double(st.kv_bytes()) / 1048576.0, dtype_name(kv));
  }
  return 0;
}

}  // namespace sprout::app
