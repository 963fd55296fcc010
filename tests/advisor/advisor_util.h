// Helpers for the advisor tests: fixtures, goldens and running the binary.
#pragma once
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "tests/test_util.h"

namespace sprout::test {

inline std::string fixture(const std::string& rel) { return repo_path("tests/data/fasttext/" + rel); }
inline std::string lid_model() { return repo_path("app/assets/lid.176.ftz"); }
inline std::string intent_model() { return fixture("clinc150_ft.ftz"); }

inline std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::string> lines;
  std::string l;
  while (std::getline(in, l)) lines.push_back(l);
  return lines;
}

inline std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write_all(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary).write(data.data(), std::streamsize(data.size()));
}

// A scratch directory removed at scope exit.
struct Scratch {
  std::string dir;
  Scratch() {
    std::random_device rd;
    dir = (std::filesystem::temp_directory_path() / ("sprout_advisor_" + std::to_string(::getpid()) + "_" + std::to_string(rd()))).string();
    std::filesystem::create_directories(dir);
  }
  ~Scratch() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::string file(const std::string& name) const { return dir + "/" + name; }
};

struct CliResult {
  int code;
  std::string out, err;
};

// Runs `sprout ARGS` with stdin from a file holding `input`.
inline CliResult run_sprout(const std::string& args, const std::string& input = "") {
  Scratch s;
  write_all(s.file("in"), input);
  const std::string cmd = std::string(SPROUT_BINARY_DIR) + "/sprout " + args + " <" + s.file("in") + " >" +
                          s.file("out") + " 2>" + s.file("err");
  const int st = std::system(cmd.c_str());
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, read_all(s.file("out")), read_all(s.file("err"))};
}

inline std::string q(const std::string& s) { return "'" + s + "'"; }

inline int count_lines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

}  // namespace sprout::test
