// sprout chat — see the command-line contract.
#include "app/args.h"
#include "app/commands.h"
#include "engine/error.h"

namespace sprout::app {

int cmd_chat(int argc, char** argv) {
  ArgParser p("chat", "[options]");
  if (!p.parse(argc, argv)) return 0;
  throw Error("chat", "not implemented yet");
}

}  // namespace sprout::app
