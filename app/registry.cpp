#include "app/registry.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>
#include <unistd.h>

#include "engine/error.h"

#ifndef SPROUT_ASSETS_DIR
#define SPROUT_ASSETS_DIR ""
#endif

namespace sprout::app {

namespace fs = std::filesystem;

const std::vector<RegistryEntry>& registry() {
  static const std::vector<RegistryEntry> r = {
      {"stories260K", "stories260K.bin", "tok512.bin",
       "Karpathy's TinyStories Llama (260K parameters, llama2.c format, MIT): tells tiny stories"},
      {"lid176", "lid.176.ftz", "",
       "fastText language identification, 176 languages (CC-BY-SA-3.0): the default of `sprout langid`"},
  };
  return r;
}

const RegistryEntry& default_model() { return registry().front(); }

namespace {

std::vector<fs::path> asset_dirs() {
  std::vector<fs::path> dirs;
  if (const char* env = std::getenv("SPROUT_ASSETS"); env && *env) dirs.emplace_back(env);
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path bin = exe.parent_path();
    dirs.push_back(bin / "assets");
    dirs.push_back(bin / ".." / "app" / "assets");
    dirs.push_back(bin / ".." / "share" / "sprout" / "assets");
  }
  if (*SPROUT_ASSETS_DIR) dirs.emplace_back(SPROUT_ASSETS_DIR);
  return dirs;
}

}  // namespace

std::string find_assets_dir(const std::string& relative) {
  std::error_code ec;
  for (const fs::path& d : asset_dirs())
    if (fs::is_regular_file(d / relative, ec)) return d.string();
  return "";
}

ResolvedModel resolve_model(const std::string& name) {
  for (const RegistryEntry& e : registry()) {
    if (e.name != name) continue;
    const std::string dir = find_assets_dir(e.model_file);
    if (dir.empty())
      fail(name, "registry model files (" + e.model_file + ") not found; set SPROUT_ASSETS to the app/assets directory");
    ResolvedModel r{(fs::path(dir) / e.model_file).lexically_normal().string(), ""};
    if (!e.tokenizer.empty()) r.tokenizer = (fs::path(dir) / e.tokenizer).lexically_normal().string();
    return r;
  }
  return {name, ""};
}

}  // namespace sprout::app
