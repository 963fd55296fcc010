// Writes the fuzzers' seed corpus into OUT_DIR/<target>/: the hostile corpus
// (tests/loaders/hostile_cases.h), small valid files of each format, and the
// repo's real configs and GGUF files are added by tools/fuzz.sh.
#include <sys/stat.h>

#include <cstdio>
#include <string>

#include "tests/loaders/hostile_cases.h"

namespace {
void put(const std::string& dir, const std::string& name, const sprout::hostile::Bytes& b) {
  ::mkdir(dir.c_str(), 0755);
  std::FILE* f = std::fopen((dir + "/" + name).c_str(), "wb");
  if (!f) return;
  if (!b.empty()) std::fwrite(b.data(), 1, b.size(), f);
  std::fclose(f);
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_fuzz_seeds OUT_DIR\n");
    return 2;
  }
  const std::string out = argv[1];
  ::mkdir(out.c_str(), 0755);
  using namespace sprout::hostile;
  for (const Case& c : cases()) put(out + (c.name.ends_with(".gguf") ? "/gguf" : "/safetensors"), c.name, c.bytes);
  put(out + "/gguf", "valid.gguf", valid_gguf().bytes);
  put(out + "/safetensors", "valid.safetensors",
      st(R"({"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}})", 16));
  for (const Case& c : json_cases()) put(out + "/config_json", c.name, c.bytes);
  return 0;
}
