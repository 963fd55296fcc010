// sprout inspect — see the command-line contract.
#include "app/args.h"
#include "app/commands.h"
#include "engine/error.h"

namespace sprout::app {

int cmd_inspect(int argc, char** argv) {
  ArgParser p("inspect", "[options]");
  if (!p.parse(argc, argv)) return 0;
  throw Error("inspect", "not implemented yet");
}

}  // namespace sprout::app
