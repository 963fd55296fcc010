// sprout perplexity — perplexity of a decoder on a text, and (--kl-base) how far its
// next-token distributions are from a base model's: mean KL(base || model), top-1
// agreement and the change of perplexity, the standard way to report what quantization
// costs. Windowing and statistics: models/llama/perplexity.h (llama-perplexity's scheme).
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "app/args.h"
#include "app/cli_common.h"
#include "app/commands.h"
#include "app/decoder.h"
#include "app/registry.h"
#include "engine/error.h"
#include "loaders/mmap.h"
#include "models/llama/perplexity.h"

namespace sprout::app {

namespace {

constexpr uint64_t kMaxInputBytes = 256ull << 20;

void print_text(const llama::PerplexityResult& r, const std::string& model, const std::string& base) {
  std::printf("model: %s\n", model.c_str());
  std::printf("perplexity: %.4f +/- %.4f  (mean nll %.6f nats)\n", r.ppl, r.ppl_se, r.nll_mean);
  if (!r.has_base) return;
  std::printf("base: %s\n", base.c_str());
  std::printf("base perplexity: %.4f +/- %.4f\n", r.base_ppl, r.base_ppl_se);
  std::printf("delta ppl: %+.4f +/- %.4f  (ln(ppl/base) %+.6f +/- %.6f)\n", r.delta_ppl, r.delta_ppl_se, r.ln_ratio,
              r.ln_ratio_se);
  std::printf("mean KL(base||model): %.6f +/- %.6f nats\n", r.kl_mean, r.kl_se);
  std::printf("KL median %.6f  p90 %.6f  p99 %.6f  max %.6f\n", r.kl_median, r.kl_p90, r.kl_p99, r.kl_max);
  std::printf("top-1 agreement: %.2f +/- %.2f %%\n", 100 * r.top1, 100 * r.top1_se);
}

void print_json(const llama::PerplexityResult& r, const std::string& model, const std::string& base, int ctx,
                int first, size_t n_tokens) {
  std::string s = "{\"model\": \"" + json_escape(model) + "\"";
  auto num = [&](const char* k, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    s += std::string(", \"") + k + "\": " + buf;
  };
  num("tokens", double(n_tokens));
  num("ctx", ctx);
  num("first_scored", first);
  num("windows", r.windows);
  num("scored", r.scored);
  num("nll_mean", r.nll_mean);
  num("ppl", r.ppl);
  num("ppl_se", r.ppl_se);
  if (r.has_base) {
    s += ", \"base\": \"" + json_escape(base) + "\"";
    num("base_ppl", r.base_ppl);
    num("base_ppl_se", r.base_ppl_se);
    num("delta_ppl", r.delta_ppl);
    num("delta_ppl_se", r.delta_ppl_se);
    num("ln_ppl_ratio", r.ln_ratio);
    num("ln_ppl_ratio_se", r.ln_ratio_se);
    num("kl_mean", r.kl_mean);
    num("kl_se", r.kl_se);
    num("kl_median", r.kl_median);
    num("kl_p90", r.kl_p90);
    num("kl_p99", r.kl_p99);
    num("kl_max", r.kl_max);
    num("top1", r.top1);
    num("top1_se", r.top1_se);
  }
  std::printf("%s}\n", s.c_str());
}

}  // namespace

int cmd_perplexity(int argc, char** argv) {
  ArgParser p("perplexity", "--model MODEL (--file TEXT | --ids-file F) [--ctx N] [--kl-base BASE] [options]",
              "Perplexity of a decoder model on a text (or token ids), llama-perplexity style: the tokens are cut\n"
              "into non-overlapping windows of --ctx tokens (a trailing partial window is dropped), each\n"
              "evaluated from an empty cache; in text mode each window starts with BOS when the tokenizer adds\n"
              "one. The second half of every window is scored (every token but the first with --score-all).\n"
              "With --kl-base, the base model (e.g. the f32 original of a quantized MODEL) runs on the same\n"
              "tokens: mean KL(base||model), its percentiles, top-1 agreement and the change of perplexity.");
  p.option("--model", "MODEL", "HF directory, .gguf, llama2.c .bin or registry name");
  p.option("--tokenizer", "FILE", "tokenizer for a llama2.c checkpoint (or to override the model's)");
  p.option("--file", "TEXT", "UTF-8 text file to score");
  p.option("--ids-file", "F", "token ids to score (whitespace-separated), used as they are");
  p.option("--ctx", "N", "window length in tokens (default: min(trained context, 512))", "0");
  p.option("--chunks", "N", "score at most N windows (0 = all)", "0");
  p.flag("--score-all", "score every token of a window but the first (default: the second half)");
  p.option("--kl-base", "BASE", "base model to compare with (same vocabulary)");
  add_kv_type_option(p, "--kv-type", "KV cache type: f16 (as generation), f32 or q8_0");
  add_kv_type_option(p, "--kl-base-kv-type", "the base model's KV cache type (default: --kv-type's), e.g. "
                                             "--kl-base MODEL --kv-type q8_0 --kl-base-kv-type f16 measures the cache");
  add_threads_option(p);
  p.flag("--json", "print one JSON object");
  p.flag("--quiet", "no per-window progress on stderr");
  if (!p.parse(argc, argv)) return 0;

  if (!p.has("--model")) throw UsageError("--model", "required (see 'sprout perplexity --help')");
  const bool has_file = p.has("--file"), has_ids = p.has("--ids-file");
  if (has_file == has_ids) throw UsageError("--file", "give exactly one of --file TEXT or --ids-file F");
  const int ctx_req = int(p.get_int("--ctx", 0, 1 << 20));
  if (ctx_req == 1) throw UsageError("--ctx", "windows need at least 2 tokens");
  const int chunks = int(p.get_int("--chunks", 0, 1 << 30));
  apply_threads_option(p);
  const DType kv = kv_type_option(p);
  const DType base_kv = p.has("--kl-base-kv-type") ? kv_type_option(p, "--kl-base-kv-type") : kv;  // default: the same
  const bool json = p.has("--json"), quiet = p.has("--quiet") || json;

  const std::string model_arg = p.get("--model");
  Decoder d = load_decoder(model_arg, p.get("--tokenizer"), has_file ? TokenizerUse::required : TokenizerUse::none);
  const llama::Config& c = d.model->config();

  const std::string input = has_file ? p.get("--file") : p.get("--ids-file");
  const std::string flag = has_file ? "--file" : "--ids-file";
  std::vector<int32_t> tokens;
  llama::PerplexityOptions opt;
  if (has_file) {
    tokens = d.tok->encode(read_file(input, kMaxInputBytes), /*add_special=*/true);
    // Every window starts with BOS when the tokenizer begins a text with it (as llama-perplexity).
    opt.bos_first = !tokens.empty() && d.tok->bos_id >= 0 && tokens[0] == d.tok->bos_id;
    opt.bos_id = d.tok->bos_id;
  } else {
    try {
      tokens = parse_ids(read_file(input, kMaxInputBytes), input);
    } catch (const UsageError& e) {
      throw Error(input, e.what());  // a malformed file is a runtime error, not a usage error
    }
  }
  for (int32_t t : tokens)
    if (t < 0 || t >= c.vocab)
      fail(input, "token id " + std::to_string(t) + " outside the vocabulary of " + std::to_string(c.vocab));
  const int ctx = ctx_req > 0 ? ctx_req : std::min(c.max_ctx, 512);
  if (ctx < 2) fail(model_arg, "trained context of " + std::to_string(c.max_ctx) + " tokens; give --ctx");
  if (tokens.size() < size_t(ctx))
    fail(input, std::to_string(tokens.size()) + " tokens, fewer than one window of " + std::to_string(ctx) +
                    " (give a longer text or a smaller --ctx)");
  opt.ctx = ctx;
  opt.first = p.has("--score-all") ? 0 : ctx / 2;
  opt.max_windows = chunks;
  opt.kv_dtype = kv;
  opt.base_kv_dtype = base_kv;

  std::unique_ptr<llama::Model> base;
  std::string base_path;
  if (p.has("--kl-base")) {
    base_path = resolve_model(p.get("--kl-base")).model;
    base = llama::Model::load(base_path);
    if (base->config().vocab != c.vocab)
      fail(base_path, "vocabulary of " + std::to_string(base->config().vocab) + " tokens differs from the model's " +
                          std::to_string(c.vocab));
  }
  llama::check_kv_dtype(*d.model, kv);  // before any output
  if (base) llama::check_kv_dtype(*base, base_kv);

  if (!quiet)
    std::fprintf(stderr, "perplexity: %zu tokens, %zu windows of %d, scoring positions %d..%d of each\n",
                 tokens.size(), chunks > 0 ? std::min(tokens.size() / size_t(ctx), size_t(chunks))
                                           : tokens.size() / size_t(ctx), ctx, opt.first + 1, ctx - 1);
  const auto progress = [&](int w, int n, double ppl) {
    if (quiet) return;
    std::fprintf(stderr, "[%d/%d] %.4f\n", w + 1, n, ppl);
  };
  const llama::PerplexityResult r = llama::perplexity(*d.model, base.get(), tokens, opt, progress);
  if (json) print_json(r, d.model->path(), base_path, ctx, opt.first, tokens.size());
  else print_text(r, d.model->path(), base_path);
  return 0;
}

}  // namespace sprout::app
