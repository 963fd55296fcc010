// sprout similar — see the command-line contract.
#include "app/args.h"
#include "app/commands.h"
#include "engine/error.h"

namespace sprout::app {

int cmd_similar(int argc, char** argv) {
  ArgParser p("similar", "[options]");
  if (!p.parse(argc, argv)) return 0;
  throw Error("similar", "not implemented yet");
}

}  // namespace sprout::app
