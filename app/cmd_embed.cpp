// sprout embed — see the command-line contract.
#include "app/args.h"
#include "app/commands.h"
#include "engine/error.h"

namespace sprout::app {

int cmd_embed(int argc, char** argv) {
  ArgParser p("embed", "[options]");
  if (!p.parse(argc, argv)) return 0;
  throw Error("embed", "not implemented yet");
}

}  // namespace sprout::app
