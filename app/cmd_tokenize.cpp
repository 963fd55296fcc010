// sprout tokenize — see the command-line contract.
#include "app/args.h"
#include "app/commands.h"
#include "engine/error.h"

namespace sprout::app {

int cmd_tokenize(int argc, char** argv) {
  ArgParser p("tokenize", "[options]");
  if (!p.parse(argc, argv)) return 0;
  throw Error("tokenize", "not implemented yet");
}

}  // namespace sprout::app
