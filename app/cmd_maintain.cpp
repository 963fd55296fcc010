// sprout maintain — remaining useful life and health class per engine unit from
// a C-MAPSS-format sensor file (see the command-line contract and docs/rul.md).
//
//   sprout maintain --model app/assets/rul_fd001 --data test_FD001.txt [--json]
//
// Text output: one line per unit, "UNIT RUL HEALTH" (RUL in cycles). With
// --truth RUL_FILE (one true RUL per unit, in unit order) a true-RUL column is
// added and the RMSE and NASA score are printed to stderr (in --json: as keys).

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "app/args.h"
#include "app/cli_common.h"
#include "app/commands.h"
#include "app/registry.h"
#include "engine/arena.h"
#include "engine/error.h"
#include "engine/threads.h"
#include "models/rul/cmapss.h"
#include "models/rul/rul.h"

namespace sprout::app {
namespace {

namespace fs = std::filesystem;

// MODEL may be a model directory or the shipped model's short name, found in the
// assets directories the model registry searches (app/registry.h).
std::string resolve_rul_model(const std::string& model) {
  std::error_code ec;
  if (fs::exists(model, ec)) return model;
  if (model == "rul_fd001" || model == "rul") {
    const std::string dir = find_assets_dir("rul_fd001/config.json");
    if (!dir.empty()) return (fs::path(dir) / "rul_fd001").lexically_normal().string();
  }
  fail(model, "no such model directory (the shipped model is 'rul_fd001' or app/assets/rul_fd001)");
}

std::vector<double> read_truth(const std::string& path, size_t units) {
  std::ifstream in(path);
  if (!in) fail(path, "cannot open");
  std::vector<double> v;
  std::string tok;
  while (in >> tok) {
    char* end = nullptr;
    const double x = std::strtod(tok.c_str(), &end);
    if (end == tok.c_str() || *end != '\0' || !std::isfinite(x))
      fail(path, "entry " + std::to_string(v.size() + 1) + ": '" + tok.substr(0, 32) + "' is not a number");
    v.push_back(x);
  }
  if (v.size() != units)
    fail(path, std::to_string(v.size()) + " values for " + std::to_string(units) + " units");
  return v;
}

}  // namespace

int cmd_maintain(int argc, char** argv) {
  ArgParser p("maintain", "--model MODEL --data FILE [--json] [--truth FILE] [--int8] [--threads T]",
              "Remaining useful life (cycles) and health class for each unit of a C-MAPSS sensor file,\n"
              "from the window of its last cycles.");
  p.option("--model", "MODEL", "model directory (config.json + model.safetensors) or 'rul_fd001'");
  p.option("--data", "FILE", "C-MAPSS text file: 26 space-separated numbers per cycle");
  p.flag("--json", "print a JSON object with one entry per unit");
  p.option("--truth", "FILE", "true RUL per unit (e.g. RUL_FD001.txt): adds it and prints RMSE / NASA score");
  p.flag("--int8", "use int8 (q8_0) weights for the matrix products");
  p.option("--threads", "T", "threads (default: physical cores)", "0");
  if (!p.parse(argc, argv)) return 0;
  const std::string model_arg = p.require("--model");
  const std::string data = p.require("--data");
  set_num_threads(int(p.get_int("--threads", 0, 1024)));

  rul::RulLoadOptions opt;
  opt.int8 = p.has("--int8");
  const rul::RulModel model = rul::RulModel::load(resolve_rul_model(model_arg), opt);
  const rul::RulConfig& cfg = model.config();
  const std::vector<rul::CmapssUnit> units = rul::read_cmapss(data);
  std::vector<double> truth;
  if (p.has("--truth")) truth = read_truth(p.get("--truth"), units.size());

  // Every unit's last window, scaled: [units, window, features].
  const int64_t n = int64_t(units.size()), per = int64_t(cfg.window) * cfg.n_features();
  std::vector<float> x(static_cast<size_t>(n * per));
  std::vector<float> rul(static_cast<size_t>(n));
  std::vector<float> logits(static_cast<size_t>(n * cfg.n_classes()));
  for (int64_t u = 0; u < n; ++u) rul::last_window(cfg, units[size_t(u)], x.data() + u * per);
  Arena arena;
  model.forward(x.data(), n, rul.data(), logits.data(), arena);

  auto health = [&](int64_t u) {
    const float* l = logits.data() + u * cfg.n_classes();
    int best = 0;
    for (int c = 1; c < cfg.n_classes(); ++c)
      if (l[c] > l[best]) best = c;
    return cfg.classes[size_t(best)];
  };
  double se = 0, score = 0;
  for (size_t u = 0; u < truth.size(); ++u) {
    const double d = double(rul[u]) - truth[u];
    se += d * d;
    score += d < 0 ? std::exp(-d / 13.0) - 1 : std::exp(d / 10.0) - 1;
  }
  const double rmse = truth.empty() ? 0 : std::sqrt(se / double(truth.size()));

  if (p.has("--json")) {
    std::printf("{\"model\": \"%s\", \"data\": \"%s\", \"units\": [\n", json_escape(model_arg).c_str(),
                json_escape(data).c_str());
    for (int64_t u = 0; u < n; ++u) {
      std::printf("  {\"unit\": %d, \"rul\": %.4f, \"health\": \"%s\", \"logits\": [", units[size_t(u)].id,
                  double(rul[size_t(u)]), json_escape(health(u)).c_str());
      for (int c = 0; c < cfg.n_classes(); ++c)
        std::printf("%s%.5f", c ? ", " : "", double(logits[size_t(u * cfg.n_classes() + c)]));
      std::printf("]");
      if (!truth.empty()) std::printf(", \"true_rul\": %g", truth[size_t(u)]);
      std::printf("}%s\n", u + 1 < n ? "," : "");
    }
    std::printf("]");
    if (!truth.empty()) std::printf(", \"rmse\": %.4f, \"nasa_score\": %.4f", rmse, score);
    std::printf("}\n");
  } else {
    for (int64_t u = 0; u < n; ++u) {
      std::printf("%d %.4f %s", units[size_t(u)].id, double(rul[size_t(u)]), health(u).c_str());
      if (!truth.empty()) std::printf(" %g", truth[size_t(u)]);
      std::printf("\n");
    }
    if (!truth.empty()) std::fprintf(stderr, "rmse %.4f nasa_score %.4f units %lld\n", rmse, score, (long long)n);
  }
  return 0;
}

}  // namespace sprout::app
