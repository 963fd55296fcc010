// sprout quantize IN OUT --type TYPE — writes a GGUF file (see app/gguf_export.h).
#include <cstdio>

#include "app/args.h"
#include "app/cli_common.h"
#include "app/commands.h"
#include "app/gguf_export.h"
#include "engine/error.h"

namespace sprout::app {

int cmd_quantize(int argc, char** argv) {
  ArgParser p("quantize", "IN OUT --type TYPE",
              "Writes OUT as a GGUF file with weights of TYPE (norms and biases stay f32). IN is a Hugging Face\n"
              "model directory (llama / qwen2), a .gguf file or a llama2.c checkpoint .bin (written as arch\n"
              "\"llama\" without a vocabulary: run the result with --tokenizer FILE). Tensors whose rows do not\n"
              "fit TYPE's block fall back per tensor (said in the output). OUT is written whole or not at all.");
  p.positional("IN", "model directory, .gguf or llama2.c .bin");
  p.positional("OUT", "the .gguf file to write");
  p.option("--type", "TYPE", "one of " + quantize_type_names());
  add_threads_option(p, "threads for re-encoding (default: physical cores)");
  if (!p.parse(argc, argv)) return 0;
  if (p.positionals().size() != 2) throw UsageError("quantize", "needs IN and OUT (see 'sprout quantize --help')");
  const std::string type = p.require("--type");
  apply_threads_option(p);
  const std::string& in = p.positionals()[0];
  const std::string& out = p.positionals()[1];
  if (in == out) throw UsageError(out, "OUT must differ from IN");
  const QuantizeReport rep = quantize_to_gguf(in, out, type, nullptr);
  for (const std::string& n : rep.notes) std::printf("note: %s\n", n.c_str());
  std::printf("wrote %s: %d tensors, %.1f MiB (input %.1f MiB)\n", out.c_str(), rep.tensors,
              double(rep.out_bytes) / (1 << 20), double(rep.in_bytes) / (1 << 20));
  return 0;
}

}  // namespace sprout::app
