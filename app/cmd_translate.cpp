// sprout translate — see the command-line contract.
#include "app/args.h"
#include "app/commands.h"
#include "engine/error.h"

namespace sprout::app {

int cmd_translate(int argc, char** argv) {
  ArgParser p("translate", "[options]");
  if (!p.parse(argc, argv)) return 0;
  throw Error("translate", "not implemented yet");
}

}  // namespace sprout::app
