#include "app/classify_common.h"

#include <cstdio>
#include <iostream>

#include "app/args.h"
#include "app/cli_common.h"
#include "app/registry.h"
#include "engine/error.h"

namespace sprout::app {

std::string format_predictions(const std::vector<fasttext::Prediction>& p) {
  std::string out;
  char buf[32];
  for (size_t i = 0; i < p.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%g", double(p[i].prob));  // == std::ostream's default precision 6
    if (i) out += ' ';
    out += p[i].label + ' ' + buf;
  }
  return out;
}

std::string predictions_json(const std::vector<fasttext::Prediction>& p) {
  std::string out = "{\"predictions\":[";
  char buf[32];
  for (size_t i = 0; i < p.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%.9g", double(p[i].prob));
    if (i) out += ',';
    out += "{\"label\":\"" + json_escape(p[i].label) + "\",\"prob\":" + buf + "}";
  }
  return out + "]}";
}

int run_classify_command(const char* name, const char* what, bool default_lid, int argc, char** argv) {
  ArgParser p(name, default_lid ? "[--model FILE] [-k K] [--json]" : "--model FILE [-k K] [--json]",
              std::string("Reads stdin line by line and prints the top-K ") + what +
                  " labels of each line with their probabilities, as `fasttext predict-prob` does:\n"
                  "\"__label__xx P __label__yy P ...\" (or one JSON object per line with --json).");
  p.option("--model", "FILE",
           default_lid ? "fastText supervised model (.bin/.ftz; default: the shipped lid176)" : "fastText supervised model (.bin/.ftz)");
  p.option("-k", "K", "how many labels per line (0: all)", "1");
  p.flag("--json", "print {\"predictions\":[{\"label\":...,\"prob\":...}]} per line");
  if (!p.parse(argc, argv)) return 0;
  if (!p.positionals().empty()) throw UsageError(p.positionals()[0], "unexpected argument");
  const std::string model = default_lid && !p.has("--model") ? resolve_model("lid176").model : resolve_model(p.require("--model")).model;
  const int k = int(p.get_int("-k", 0, 1 << 20));
  const bool json = p.has("--json");
  const fasttext::Classifier clf(model);
  std::string line;
  while (std::getline(std::cin, line)) {
    const auto preds = clf.predict(line, k);
    const std::string s = json ? predictions_json(preds) : format_predictions(preds);
    std::fwrite(s.data(), 1, s.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace sprout::app
