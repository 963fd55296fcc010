// sprout bench — see the command-line contract.
#include "app/args.h"
#include "app/commands.h"
#include "engine/error.h"

namespace sprout::app {

int cmd_bench(int argc, char** argv) {
  ArgParser p("bench", "[options]");
  if (!p.parse(argc, argv)) return 0;
  throw Error("bench", "not implemented yet");
}

}  // namespace sprout::app
