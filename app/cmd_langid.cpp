// sprout langid — fastText language identification, one stdin line -> one line
// of labels and probabilities. Without --model it runs the shipped lid.176.ftz.
#include "app/classify_common.h"
#include "app/commands.h"

namespace sprout::app {

int cmd_langid(int argc, char** argv) { return run_classify_command("langid", "language", true, argc, argv); }

}  // namespace sprout::app
