// Shared by `sprout langid` and `sprout intent`: one stdin line -> one line of
// fastText predictions, either as `fasttext predict-prob` prints them
// ("__label__en 0.974317 __label__nl 0.00264153") or as JSON.
#pragma once
#include <string>
#include <vector>

#include "models/fasttext/fasttext.h"

namespace sprout::app {

// "__label__en 0.974317 ..." — the fastText CLI's format (6 significant digits).
std::string format_predictions(const std::vector<fasttext::Prediction>& p);
// {"predictions":[{"label":"__label__en","prob":0.974317},...]}
std::string predictions_json(const std::vector<fasttext::Prediction>& p);

// The body of `sprout langid` / `sprout intent`.
int run_classify_command(const char* name, const char* what, bool default_lid, int argc, char** argv);

}  // namespace sprout::app
