// sprout intent — a fastText intent classifier (e.g. one trained on CLINC150),
// one stdin line -> one line of intent labels and probabilities.
#include "app/classify_common.h"
#include "app/commands.h"

namespace sprout::app {

int cmd_intent(int argc, char** argv) { return run_classify_command("intent", "intent", false, argc, argv); }

}  // namespace sprout::app
