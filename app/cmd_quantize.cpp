// sprout quantize — see the command-line contract.
#include "app/args.h"
#include "app/commands.h"
#include "engine/error.h"

namespace sprout::app {

int cmd_quantize(int argc, char** argv) {
  ArgParser p("quantize", "[options]");
  if (!p.parse(argc, argv)) return 0;
  throw Error("quantize", "not implemented yet");
}

}  // namespace sprout::app
