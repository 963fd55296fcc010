// sprout maintain — see the command-line contract.
#include "app/args.h"
#include "app/commands.h"
#include "engine/error.h"

namespace sprout::app {

int cmd_maintain(int argc, char** argv) {
  ArgParser p("maintain", "[options]");
  if (!p.parse(argc, argv)) return 0;
  throw Error("maintain", "not implemented yet");
}

}  // namespace sprout::app
