#include "engine/threads.h"

#include <omp.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <utility>

namespace sprout {

int physical_cores() {
  static const int n = [] {
    // Count distinct (physical id, core id) pairs; fall back to logical CPUs.
    std::ifstream in("/proc/cpuinfo");
    std::set<std::pair<int, int>> cores;
    std::string line;
    int phys = 0;
    while (std::getline(in, line)) {
      auto val = [&] { return std::atoi(line.c_str() + line.find(':') + 1); };
      if (line.rfind("physical id", 0) == 0) phys = val();
      else if (line.rfind("core id", 0) == 0) cores.insert({phys, val()});
    }
    const int logical = int(std::thread::hardware_concurrency());
    const int c = cores.empty() ? logical : int(cores.size());
    return c > 0 ? c : 1;
  }();
  return n;
}

namespace {
int default_threads() {
  if (const char* e = std::getenv("SPROUT_THREADS")) {
    const int n = std::atoi(e);
    if (n > 0) return n;
  }
  return physical_cores();
}
int g_threads = 0;
}  // namespace

int num_threads() {
  if (g_threads <= 0) g_threads = default_threads();
  return g_threads;
}

void set_num_threads(int n) {
  g_threads = n > 0 ? n : default_threads();
  omp_set_num_threads(g_threads);
}

}  // namespace sprout
