// sprout generate — see the command-line contract.
#include "app/args.h"
#include "app/commands.h"
#include "engine/error.h"

namespace sprout::app {

int cmd_generate(int argc, char** argv) {
  ArgParser p("generate", "[options]");
  if (!p.parse(argc, argv)) return 0;
  throw Error("generate", "not implemented yet");
}

}  // namespace sprout::app
