// sprout tokenize — see the command-line contract: all of stdin is one text; the ids
// go to stdout space-separated on one line.
#include <cstdio>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>

#include "app/args.h"
#include "app/cli_common.h"
#include "app/registry.h"
#include "app/commands.h"
#include "engine/error.h"
#include "loaders/tokenizer.h"

namespace sprout::app {

int cmd_tokenize(int argc, char** argv) {
  ArgParser p("tokenize", "--model MODEL [--no-special]",
              "Reads all of stdin as one UTF-8 text (a trailing newline is part of it) and prints its\n"
              "token ids space-separated on one line, as the model's Hugging Face tokenizer would.");
  p.option("--model", "MODEL", "model directory (tokenizer files suffice), .gguf, llama2.c tokenizer .bin, or registry name");
  p.option("--tokenizer", "FILE", "tokenizer to use instead of MODEL's (a llama2.c checkpoint's tokenizer .bin)");
  p.flag("--no-special", "do not add the special tokens the tokenizer adds by default (BOS, [CLS]/[SEP] ...)");
  if (!p.parse(argc, argv)) return 0;
  // A registry name (e.g. the default stories260K) resolves to its files; a
  // llama2.c checkpoint entry brings its own tokenizer file.
  const ResolvedModel rm = resolve_model(p.require("--model"));
  const std::string& model = rm.model;
  std::unique_ptr<Tokenizer> tk;
  if (p.has("--tokenizer") || !rm.tokenizer.empty()) {
    tk = Tokenizer::load(p.has("--tokenizer") ? p.get("--tokenizer") : rm.tokenizer);
  } else {
    try {
      tk = Tokenizer::load(model);
    } catch (const Error& e) {
      // A llama2.c checkpoint is not a tokenizer: say what to do.
      if (model.size() > 4 && model.compare(model.size() - 4, 4, ".bin") == 0 && e.subject() == model)
        throw Error(model, e.cause() + " (a llama2.c checkpoint? give its tokenizer with --tokenizer FILE)");
      throw;
    }
  }
  std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  if (std::cin.bad()) throw Error("stdin", "read error");
  std::vector<int32_t> ids = tk->encode(text, !p.has("--no-special"));
  const std::string line = join_ids(ids) + '\n';
  std::fwrite(line.data(), 1, line.size(), stdout);
  return 0;
}

}  // namespace sprout::app
