// RUL model speed and memory (tools/rul/bench_vs_torch.py drives this binary
// and PyTorch in the same run and writes the tables in docs/rul.md).
//
//   sprout_bench_rul [--benchmark_filter=...]         latency / throughput
//   sprout_bench_rul --memory BATCH [--int8]            one forward, prints JSON:
//       {"batch":B,"peak_rss_mb":..,"arena_peak_mb":..,"rss_before_mb":..}
//
// Inputs are the last windows of the FD001 test units, repeated to fill the batch.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "engine/arena.h"
#include "engine/threads.h"
#include "models/rul/cmapss.h"
#include "models/rul/rul.h"

namespace {

using namespace sprout;

const std::string kModel = std::getenv("SPROUT_RUL_MODEL") ? std::getenv("SPROUT_RUL_MODEL") : std::string(SPROUT_SOURCE_DIR) + "/app/assets/rul_fd001";
const std::string kData = std::string(SPROUT_SOURCE_DIR) + "/tests/data/rul/test_FD001.txt";

std::vector<float> inputs(const rul::RulConfig& cfg, int64_t batch) {
  const auto units = rul::read_cmapss(kData);
  const int64_t per = int64_t(cfg.window) * cfg.n_features();
  std::vector<float> x(size_t(batch * per));
  for (int64_t i = 0; i < batch; ++i) rul::last_window(cfg, units[size_t(i) % units.size()], x.data() + i * per);
  return x;
}

// Peak resident set of this process image (VmHWM). Not getrusage's ru_maxrss:
// that survives exec, so a child of a big parent would report the parent's peak.
double max_rss_mb() {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (!f) return -1;
  char line[256];
  double kb = -1;
  while (std::fgets(line, sizeof(line), f))
    if (std::sscanf(line, "VmHWM: %lf kB", &kb) == 1) break;
  std::fclose(f);
  return kb / 1024.0;
}

// args: batch, threads, int8
void BM_RulForward(benchmark::State& st) {
  const int64_t batch = st.range(0);
  set_num_threads(int(st.range(1)));
  rul::RulLoadOptions opt;
  opt.int8 = st.range(2) != 0;
  static const rul::RulModel f32 = rul::RulModel::load(kModel);
  static const rul::RulModel q8 = rul::RulModel::load(kModel, {true, 16});
  const rul::RulModel& m = opt.int8 ? q8 : f32;
  const auto x = inputs(m.config(), batch);
  std::vector<float> rul(static_cast<size_t>(batch));
  std::vector<float> logits(static_cast<size_t>(batch * m.config().n_classes()));
  Arena arena;
  size_t peak = 0;
  for (auto _ : st) {
    peak = m.forward(x.data(), batch, rul.data(), logits.data(), arena);
    benchmark::DoNotOptimize(rul.data());
  }
  st.SetItemsProcessed(st.iterations() * batch);
  st.counters["arena_peak_mb"] = double(peak) / (1 << 20);
  set_num_threads(0);
}
BENCHMARK(BM_RulForward)
    ->ArgNames({"batch", "threads", "int8"})
    ->Args({1, 1, 0})->Args({1, 2, 0})->Args({256, 1, 0})->Args({256, 2, 0})
    ->Args({1, 1, 1})->Args({256, 1, 1})
    ->Unit(benchmark::kMillisecond)->UseRealTime();

// One thread: the table is about memory; a second thread adds one chunk's arena.
int memory_run(int64_t batch, bool int8) {
  set_num_threads(1);
  const double before_load = max_rss_mb();
  const rul::RulModel m = rul::RulModel::load(kModel, {int8, 16});
  const auto x = inputs(m.config(), batch);
  std::vector<float> rul(static_cast<size_t>(batch));
  std::vector<float> logits(static_cast<size_t>(batch * m.config().n_classes()));
  const double before = max_rss_mb();
  Arena arena;
  const size_t peak = m.forward(x.data(), batch, rul.data(), logits.data(), arena);
  std::printf("{\"batch\": %lld, \"int8\": %s, \"peak_rss_mb\": %.2f, \"arena_peak_mb\": %.3f, "
              "\"rss_before_forward_mb\": %.2f, \"rss_at_start_mb\": %.2f, \"weight_mb\": %.3f, \"rul0\": %.4f}\n",
              (long long)batch, int8 ? "true" : "false", max_rss_mb(), double(peak) / (1 << 20), before,
              before_load, double(m.weight_bytes()) / (1 << 20), double(rul[0]));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 3 && std::strcmp(argv[1], "--memory") == 0) {
    const bool int8 = argc >= 4 && std::strcmp(argv[3], "--int8") == 0;
    return memory_run(std::atoll(argv[2]), int8);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
