// GEMV (decode: one activation row) through engine linear(), per weight dtype, at
// Qwen1.5-1.8B and MiniLM shapes, 1 and 2 threads; plus a read-bandwidth probe.
//
// Counters:
//   bytes_per_second  weight bytes streamed per second (the GEMV's useful traffic)
//   probe_GBs         read bandwidth measured by the probe with the same thread count
//                     just before this benchmark's timing loop (same run, same neighbours)
//   pct_bw            GEMV weight GB/s as a fraction of probe_GBs
//   GFLOPs            2*N*K per call
//
//   build/bench/sprout_bench_kernels --benchmark_filter=Gemv --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true
// Scalar-vs-SIMD: the Gemv/.../isa:0 rows run the scalar kernels (SPROUT_ISA-style override).
#include <benchmark/benchmark.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <random>
#include <vector>

#include "engine/linear.h"
#include "engine/quantize.h"
#include "engine/threads.h"
#include "kernels/common/dispatch.h"

using namespace sprout;

namespace {

// Read-bandwidth probe: every thread sums its contiguous share of a 1 GiB buffer,
// larger than the caches (this VM reports a 480 MiB shared L3), as two halves
// read in lockstep: two streams per core, the access pattern of the GEMV (which
// pairs rows from two halves of each tile, engine/linear.cpp). One stream per
// core reads 15-20% less on the Xeon development VM; that single-stream figure
// understated the ceiling (f32/f16 GEMVs measured above 100% of it).
struct Probe {
  std::vector<uint64_t> buf;
  Probe() : buf((size_t(1) << 30) / 8) {
    for (size_t i = 0; i < buf.size(); ++i) buf[i] = i * 0x9E3779B97F4A7C15ull;
  }
  uint64_t pass(int threads) const {
    uint64_t total = 0;
    const size_t n = buf.size();
#pragma omp parallel num_threads(threads) reduction(+ : total)
    {
      const int t = omp_get_thread_num(), nt = omp_get_num_threads();
      const size_t b = n * size_t(t) / size_t(nt), e = n * size_t(t + 1) / size_t(nt);
      const size_t half = (e - b) / 2 / 4 * 4;  // whole steps of 4 per stream
      const uint64_t* p = buf.data() + b;
      const uint64_t* q = p + half;
      uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (size_t i = 0; i < half; i += 4) {
        s0 += p[i] + q[i];
        s1 += p[i + 1] + q[i + 1];
        s2 += p[i + 2] + q[i + 2];
        s3 += p[i + 3] + q[i + 3];
      }
      total += s0 + s1 + s2 + s3;
    }
    return total;
  }
  // Bytes one pass reads (each thread's share rounded down to whole steps).
  size_t bytes_read(int threads) const {
    size_t total = 0;
    const size_t n = buf.size();
    for (int t = 0; t < threads; ++t) {
      const size_t b = n * size_t(t) / size_t(threads), e = n * size_t(t + 1) / size_t(threads);
      total += 2 * ((e - b) / 2 / 4 * 4) * 8;
    }
    return total;
  }
  // GB/s over ~`ms` milliseconds of passes (best pass: the least disturbed).
  double measure(int threads, int ms = 150) const {
    double best = 0;
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    do {
      const auto t0 = std::chrono::steady_clock::now();
      benchmark::DoNotOptimize(pass(threads));
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      best = std::max(best, double(bytes_read(threads)) / s / 1e9);
    } while (std::chrono::steady_clock::now() < until);
    return best;
  }
};

const Probe& probe() {
  static const Probe p;
  return p;
}

void BM_ReadBandwidth(benchmark::State& state) {
  const int threads = int(state.range(0));
  const Probe& p = probe();
  for (auto _ : state) benchmark::DoNotOptimize(p.pass(threads));
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(p.bytes_read(threads)));
}
BENCHMARK(BM_ReadBandwidth)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

const DType kTypes[] = {DType::f32,  DType::f16,  DType::bf16, DType::q8_0, DType::q4_0, DType::q4_1,
                        DType::q5_0, DType::q5_1, DType::q4_k, DType::q5_k, DType::q6_k, DType::i8_row};

// A weight matrix: 64 distinct quantized rows repeated to N rows (quantizing
// 311M values with the k-quant searches would take minutes; the memory traffic
// is the same).
struct Weights {
  std::vector<uint8_t> data;
  std::vector<float> scales;
  Tensor t;
};

// Decode streams every matrix of the model from DRAM once per token. A single
// Qwen-sized matrix called in a loop would instead sit in this VM's large L3, so
// the Qwen-shape benchmarks cycle through copies totalling >= 1 GiB.
struct WeightCopies {
  Weights w;
  std::vector<Tensor> copies;
  size_t bytes_per_copy = 0;
};

Weights make_weights(DType dt, int64_t N, int64_t K);

WeightCopies make_copies(DType dt, int64_t N, int64_t K, bool from_dram) {
  WeightCopies c;
  Weights one = make_weights(dt, N, K);
  c.bytes_per_copy = one.data.size();
  const size_t n = from_dram ? std::max<size_t>(1, ((size_t(1) << 30) + c.bytes_per_copy - 1) / c.bytes_per_copy) : 1;
  c.w.scales = one.scales;
  c.w.data.resize(c.bytes_per_copy * n);
  for (size_t i = 0; i < n; ++i) {
    std::memcpy(&c.w.data[i * c.bytes_per_copy], one.data.data(), c.bytes_per_copy);
    Tensor t = make_tensor(dt, {N, K}, &c.w.data[i * c.bytes_per_copy]);
    if (dt == DType::i8_row) t.row_scale = c.w.scales.data();
    c.copies.push_back(t);
  }
  return c;
}

Weights make_weights(DType dt, int64_t N, int64_t K) {
  Weights w;
  const int64_t distinct = std::min<int64_t>(64, N);
  std::mt19937 rng(1);
  std::normal_distribution<float> nd(0.f, 0.02f);
  std::vector<float> row(static_cast<size_t>(K));
  const size_t rb = dt == DType::i8_row ? size_t(K) : size_t(*row_bytes(dt, uint64_t(K)));
  w.data.resize(rb * size_t(N));
  w.scales.resize(size_t(N));
  for (int64_t r = 0; r < distinct; ++r) {
    for (float& v : row) v = nd(rng);
    if (dt == DType::i8_row) w.scales[size_t(r)] = quantize_row_i8(row.data(), K, reinterpret_cast<int8_t*>(&w.data[size_t(r) * rb]));
    else quantize_row(dt, row.data(), K, &w.data[size_t(r) * rb]);
  }
  for (int64_t r = distinct; r < N; ++r) {
    std::memcpy(&w.data[size_t(r) * rb], &w.data[size_t(r % distinct) * rb], rb);
    w.scales[size_t(r)] = w.scales[size_t(r % distinct)];
  }
  w.t = make_tensor(dt, {N, K}, w.data.data());
  if (dt == DType::i8_row) w.t.row_scale = w.scales.data();
  return w;
}

// args: dtype index, N, K, threads, isa (0 scalar, 1 best available)
void BM_Gemv(benchmark::State& state) {
  const DType dt = kTypes[state.range(0)];
  const int64_t N = state.range(1), K = state.range(2);
  const int threads = int(state.range(3));
  const kern::Isa isa = state.range(4) ? kern::simd_family(kern::detected_isa()) : kern::Isa::scalar;
  const bool from_dram = N * K >= 2048 * 2048;
  WeightCopies wc = make_copies(dt, N, K, from_dram);
  std::vector<float> x(static_cast<size_t>(K)), y(static_cast<size_t>(N));
  std::mt19937 rng(2);
  std::uniform_real_distribution<float> ud(-1.f, 1.f);
  for (float& v : x) v = ud(rng);
  set_num_threads(threads);
  const kern::Isa saved = kern::active_isa();
  kern::set_active_isa(isa);
  linear(wc.copies[0], x.data(), 1, y.data());  // warm-up (thread team, scratch)
  const double bw = probe().measure(threads);
  size_t next = 0;
  for (auto _ : state) {
    linear(wc.copies[next], x.data(), 1, y.data());
    next = next + 1 == wc.copies.size() ? 0 : next + 1;
    benchmark::ClobberMemory();
  }
  kern::set_active_isa(saved);
  set_num_threads(0);
  const double bytes = double(wc.bytes_per_copy);
  state.SetBytesProcessed(int64_t(double(state.iterations()) * bytes));
  state.SetLabel(std::string(dtype_name(dt)) + " " + kern::isa_name(isa) + (from_dram ? " dram" : " cache"));
  state.counters["probe_GBs"] = bw;
  state.counters["pct_bw"] = benchmark::Counter(bytes / 1e9 / bw, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["GFLOPs"] = benchmark::Counter(2.0 * double(N) * double(K) / 1e9, benchmark::Counter::kIsIterationInvariantRate);
}

void gemv_args(benchmark::internal::Benchmark* b) {
  b->ArgNames({"dtype", "N", "K", "threads", "isa"});
  const int64_t shapes[][2] = {{2048, 2048}, {5504, 2048}, {2048, 5504}, {151936, 2048}, {384, 384}, {1536, 384}};
  for (int64_t d = 0; d < int64_t(std::size(kTypes)); ++d)
    for (auto& s : shapes)
      for (int64_t t : {1, 2}) {
        if (s[0] == 151936 && kTypes[d] == DType::f32) continue;  // 1.2 GB; f16/bf16 cover the float path
        b->Args({d, s[0], s[1], t, 1});
        if (s[0] == 5504 && t == 1) b->Args({d, s[0], s[1], t, 0});  // scalar oracle for the SIMD ratio
      }
}
BENCHMARK(BM_Gemv)->Apply(gemv_args)->UseRealTime()->Unit(benchmark::kMicrosecond);

// Kernel throughput without the memory wall: one thread, 256 KiB of weight rows
// (cache resident) dotted with one activation row, per dtype and ISA. Weight
// GB/s here is the ceiling the kernel could feed; compare with probe_GBs / threads.
void BM_DotInCache(benchmark::State& state) {
  const DType dt = kTypes[state.range(0)];
  const kern::Isa isa = state.range(1) ? kern::simd_family(kern::detected_isa()) : kern::Isa::scalar;
  const int64_t K = 2048;
  const size_t rb = dt == DType::i8_row ? size_t(K) : size_t(*row_bytes(dt, uint64_t(K)));
  const int64_t N = std::max<int64_t>(1, int64_t((256u << 10) / rb));
  Weights w = make_weights(dt, N, K);
  std::vector<float> x(static_cast<size_t>(K)), y(static_cast<size_t>(N));
  for (size_t i = 0; i < x.size(); ++i) x[i] = float(int(i % 17) - 8) * 0.1f;
  set_num_threads(1);
  const kern::Isa saved = kern::active_isa();
  kern::set_active_isa(isa);
  for (auto _ : state) {
    linear(w.t, x.data(), 1, y.data());
    benchmark::ClobberMemory();
  }
  kern::set_active_isa(saved);
  set_num_threads(0);
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(w.data.size()));
  state.SetLabel(std::string(dtype_name(dt)) + " " + kern::isa_name(isa));
}
BENCHMARK(BM_DotInCache)->ArgNames({"dtype", "isa"})->ArgsProduct({{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, {0, 1}});

}  // namespace

BENCHMARK_MAIN();
