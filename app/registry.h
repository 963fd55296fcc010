// Model names -> files. `sprout chat` with no --model runs the registry's default,
// the stories260K checkpoint shipped in app/assets/ (llama2.c format + its tokenizer).
//
// A name resolves to files under the first assets directory that has them:
//   $SPROUT_ASSETS, <dir of the sprout binary>/assets, <binary>/../app/assets,
//   <binary>/../share/sprout/assets, and the source tree's app/assets (build-time path).
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace sprout::app {

struct RegistryEntry {
  std::string name;         // "stories260K"
  std::string model_file;   // relative to the assets directory
  std::string tokenizer;    // relative; empty when the model file carries it
  std::string description;
};

const std::vector<RegistryEntry>& registry();
const RegistryEntry& default_model();

struct ResolvedModel {
  std::string model;      // path to give the loader
  std::string tokenizer;  // empty: the model's own tokenizer files
};

// A registry name -> its files (Error if the name is known but its files are missing);
// anything else is returned as a path unchanged.
ResolvedModel resolve_model(const std::string& name_or_path);

// The first assets directory (in the order above) that holds the regular file
// `relative` (e.g. "rul_fd001/config.json"); empty when none does.
std::string find_assets_dir(const std::string& relative);

}  // namespace sprout::app
