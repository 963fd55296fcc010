// Runs the built `sprout` binary for CLI tests: arguments, optional stdin text,
// captured stdout / stderr and the exit code. Temp files are per process and
// per call, since ctest runs test binaries in parallel.
#pragma once
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace sprout::test {

struct CliResult {
  int code = -1;
  std::string out, err;
};

inline std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

// `args` is pasted into a shell command line: quote paths with spaces yourself.
inline CliResult run_sprout(const std::string& args, const std::string& stdin_text = "") {
  static std::atomic<int> counter{0};
  const char* tmp = std::getenv("TMPDIR");
  const std::string base = std::string(tmp && *tmp ? tmp : "/tmp") + "/sprout-cli-" + std::to_string(::getpid()) +
                           "-" + std::to_string(counter++);
  { std::ofstream(base + ".in", std::ios::binary) << stdin_text; }
  const std::string cmd = std::string(SPROUT_BINARY_DIR) + "/sprout " + args + " <" + base + ".in >" + base +
                          ".out 2>" + base + ".err";
  const int status = std::system(cmd.c_str());
  CliResult r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(base + ".out");
  r.err = slurp(base + ".err");
  for (const char* ext : {".in", ".out", ".err"}) std::remove((base + ext).c_str());
  return r;
}

}  // namespace sprout::test
