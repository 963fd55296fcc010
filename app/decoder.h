// What `sprout generate`, `chat` and `bench` share: loading a decoder with its
// tokenizer, the stop tokens, and the sample-feed loop.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "app/args.h"
#include "engine/sampler.h"
#include "loaders/tokenizer.h"
#include "models/llama/model.h"

namespace sprout::app {

struct Decoder {
  std::unique_ptr<llama::Model> model;
  std::unique_ptr<Tokenizer> tok;     // null when the model has no tokenizer files and none was needed
  std::vector<int32_t> stop_ids;      // EOS, <|im_end|>, <|endoftext|>; BOS for llama2.c (as run.c)
  double load_ms = 0;
};

// MODEL = path or registry name; tokenizer = --tokenizer (may be empty).
enum class TokenizerUse {
  none,      // ids only, stop ids from the model config (bench)
  optional,  // load it if the model has one (its stop tokens help), else ids only
  required,  // text in or out: Error when there is none
};
Decoder load_decoder(const std::string& model, const std::string& tokenizer, TokenizerUse use);

// The sampling flags every generating command takes (--temp, --top-k, ...).
void add_sampling_flags(ArgParser& p);
SamplerParams sampling_from_flags(const ArgParser& p);

// Context size for --ctx (0 = min(model's trained context, 2048)).
int context_size(const llama::Model& m, int requested);

// Feeds history[state.pos()..] (the tokens not yet in the cache: a prompt, a new turn),
// then samples up to max_new tokens, appending each to history and calling on_token(id);
// stops at a stop id (neither appended nor passed on), when on_token returns false, when
// *interrupt becomes true, or when the context is full. Returns the generated ids.
std::vector<int32_t> generate(const Decoder& d, llama::State& st, Sampler& sampler, std::vector<int32_t>& history,
                              int max_new, const std::function<bool(int32_t)>& on_token,
                              const std::atomic<bool>* interrupt = nullptr);

// Parses "1 2 3" (spaces/commas/newlines) into ids; UsageError(flag, ...) when malformed.
std::vector<int32_t> parse_ids(const std::string& text, const std::string& flag);

}  // namespace sprout::app
