// sprout generate — completes a raw prompt (no chat template); see the command-line contract.
//
// Text mode prints the prompt and then the completion, streamed token by token
// (UTF-8 never split). --print-ids prints only the generated ids on one line.
#include <cstdio>
#include <string>
#include <vector>

#include "app/args.h"
#include "app/cli_common.h"
#include "app/commands.h"
#include "app/decoder.h"
#include "engine/error.h"

namespace sprout::app {

int cmd_generate(int argc, char** argv) {
  ArgParser p("generate", "--model MODEL (--prompt TEXT | --ids \"I I I\") [-n N] [options]",
              "Completes a raw prompt with a decoder model (Qwen1.5/Qwen2, Llama, llama2.c).");
  p.option("--model", "MODEL", "HF directory, .gguf, llama2.c .bin or registry name (default: stories260K)");
  p.option("--tokenizer", "FILE", "tokenizer for a llama2.c checkpoint (or to override the model's)");
  p.option("--prompt", "TEXT", "prompt text");
  p.option("--ids", "\"I I I\"", "prompt as token ids instead of text");
  p.option("-n", "N", "tokens to generate at most", "64");
  add_sampling_flags(p);
  add_threads_option(p);
  p.option("--ctx", "N", "context size in tokens (default: min(trained context, 2048))", "0");
  add_kv_type_option(p);
  p.flag("--truncate", "drop the oldest prompt tokens when the prompt does not fit the context");
  p.flag("--print-ids", "print only the generated ids, space-separated, on one line");
  if (!p.parse(argc, argv)) return 0;
  const DType kv = kv_type_option(p);

  const bool has_prompt = p.has("--prompt"), has_ids = p.has("--ids");
  if (has_prompt == has_ids) throw UsageError("--prompt", "give exactly one of --prompt TEXT or --ids \"I I I\"");
  const int n = int(p.get_int("-n", 0, 1 << 24));
  const SamplerParams sp = sampling_from_flags(p);
  apply_threads_option(p);
  const int ctx_req = int(p.get_int("--ctx", 0, 1 << 24));
  const bool print_ids = p.has("--print-ids");
  std::vector<int32_t> prompt_ids;
  if (has_ids) {
    prompt_ids = parse_ids(p.get("--ids"), "--ids");
    if (prompt_ids.empty()) throw UsageError("--ids", "no token ids given");
  }

  const std::string model = p.has("--model") ? p.get("--model") : "stories260K";
  Decoder d = load_decoder(model, p.get("--tokenizer"),
                           has_prompt || !print_ids ? TokenizerUse::required : TokenizerUse::optional);
  const llama::Config& c = d.model->config();
  if (has_prompt) {
    const std::string text = p.get("--prompt");
    prompt_ids = d.tok->encode(text, /*add_special=*/true);
    if (prompt_ids.empty() && d.tok->bos_id >= 0) prompt_ids.push_back(d.tok->bos_id);
    if (prompt_ids.empty()) throw UsageError("--prompt", "empty prompt and the model has no BOS token");
  }
  for (int32_t id : prompt_ids)
    if (id < 0 || id >= c.vocab)
      throw Error(has_ids ? "--ids" : "--prompt", "token id " + std::to_string(id) + " outside the vocabulary of " +
                                                      std::to_string(c.vocab));

  const int ctx = context_size(*d.model, ctx_req);
  if (int(prompt_ids.size()) > ctx) {
    if (!p.has("--truncate"))
      throw Error(has_ids ? "--ids" : "--prompt", "prompt of " + std::to_string(prompt_ids.size()) +
                                                      " tokens is longer than the context (" + std::to_string(ctx) +
                                                      "); use --truncate or a larger --ctx");
    // Keep the most recent tokens, leaving room for a little generation.
    const size_t keep = size_t(std::max(1, ctx - std::min(n, ctx / 2)));
    prompt_ids.erase(prompt_ids.begin(), prompt_ids.end() - long(keep));
  }

  llama::State st(*d.model, ctx, kv);
  Sampler sampler(sp);
  std::vector<int32_t> history = prompt_ids;
  Utf8Stream utf8;
  if (!print_ids && has_prompt) {
    std::fputs(p.get("--prompt").c_str(), stdout);
    std::fflush(stdout);
  }
  bool at_bos = d.tok && prompt_ids.back() == d.tok->bos_id;
  auto out = generate(d, st, sampler, history, n, [&](int32_t id) {
    if (print_ids) return true;
    std::string piece = d.tok->piece_bytes(id);
    // SentencePiece-style models: the first word after BOS carries a leading space marker.
    if (at_bos && !piece.empty() && piece[0] == ' ') piece.erase(0, 1);
    at_bos = false;
    std::fputs(utf8.push(piece).c_str(), stdout);
    std::fflush(stdout);
    return true;
  });
  if (print_ids) {
    std::printf("%s\n", join_ids(out).c_str());
  } else {
    std::printf("%s\n", utf8.flush().c_str());
  }
  return 0;
}

}  // namespace sprout::app
