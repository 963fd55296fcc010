// Prefill GEMM through engine linear(): the packed GEMM path (engine/linear_gemm.cpp)
// against the tiled dot-product path (gemm:0, the GEMM hook disabled), 1 and 2
// threads, plus an FMA-loop peak probe for the f32 figures.
//
// Counters:
//   GFLOPs  2*M*N*K per call (for int8 weights: GOP/s of multiply-adds)
//   FmaPeak/... reports the single-thread AVX2 FMA peak as GFLOPs
//
//   build/bench/sprout_bench_kernels --benchmark_filter='Gemm|FmaPeak' --benchmark_repetitions=3
//       --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <vector>

#include "engine/linear.h"
#include "engine/linear_gemm.h"
#include "engine/quantize.h"
#include "engine/threads.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

using namespace sprout;

namespace {

#if defined(__x86_64__)
// 12 independent FMA chains in registers (enough to cover latency x throughput
// on current cores): 12 * 8 lanes * 2 flops per iteration.
#define SPROUT_FMA12(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)
__attribute__((target("avx2,fma"))) float fma_loop(int64_t iters) {
  const __m256 a = _mm256_set1_ps(0.999f), b = _mm256_set1_ps(0.001f);
#define DECL(i) __m256 c##i = _mm256_set1_ps(float(i));
#define STEP(i) c##i = _mm256_fmadd_ps(c##i, a, b);
#define KEEP(i) asm volatile("" : "+x"(c##i));
#define SUM(i) s = _mm256_add_ps(s, c##i);
  SPROUT_FMA12(DECL)
  for (int64_t it = 0; it < iters; ++it) {
    SPROUT_FMA12(STEP)
    SPROUT_FMA12(KEEP)  // the chains stay live in registers: nothing is folded or hoisted
  }
  __m256 s = _mm256_setzero_ps();
  SPROUT_FMA12(SUM)
#undef DECL
#undef STEP
#undef KEEP
#undef SUM
  float out[8];
  _mm256_storeu_ps(out, s);
  return out[0];
}

void FmaPeak(benchmark::State& st) {
  const int64_t iters = 1 << 22;
  for (auto _ : st) benchmark::DoNotOptimize(fma_loop(iters));
  st.counters["GFLOPs"] = benchmark::Counter(double(iters) * 12 * 16 * double(st.iterations()) / 1e9,
                                             benchmark::Counter::kIsRate);
}
BENCHMARK(FmaPeak)->Unit(benchmark::kMillisecond);
#endif

struct Weights {
  std::vector<uint8_t> data;
  Tensor W;
};

Weights make_weights(DType t, int64_t N, int64_t K) {
  std::vector<float> row(static_cast<size_t>(K));
  Weights w;
  const size_t rb = *row_bytes(t, uint64_t(K));
  w.data.resize(rb * size_t(N));
  uint32_t s = 12345;
  for (int64_t r = 0; r < N; ++r) {
    for (auto& v : row) {
      s = s * 1664525u + 1013904223u;
      v = float(int32_t(s >> 8) - (1 << 23)) / float(1 << 23) * 0.05f;
    }
    quantize_row(t, row.data(), K, w.data.data() + size_t(r) * rb);
  }
  w.W = make_tensor(t, {N, K}, w.data.data());
  return w;
}

// args: dtype, M, N, K, threads, gemm on/off
void Gemm(benchmark::State& st) {
  const DType t = DType(st.range(0));
  const int64_t M = st.range(1), N = st.range(2), K = st.range(3);
  const Weights w = make_weights(t, N, K);
  std::vector<float> x(size_t(M * K)), y(size_t(M * N));
  for (size_t i = 0; i < x.size(); ++i) x[i] = float(int(i % 97) - 48) / 48.f;
  set_num_threads(int(st.range(4)));
  set_linear_gemm_enabled(st.range(5) != 0);
  for (auto _ : st) {
    linear(w.W, x.data(), M, y.data());
    benchmark::DoNotOptimize(y.data());
  }
  set_linear_gemm_enabled(true);
  set_num_threads(0);
  st.SetLabel(std::string(dtype_name(t)) + (st.range(5) ? " gemm" : " dot"));
  st.counters["GFLOPs"] =
      benchmark::Counter(2.0 * double(M * N * K) * double(st.iterations()) / 1e9, benchmark::Counter::kIsRate);
}

void GemmArgs(benchmark::internal::Benchmark* b) {
  for (int threads : {1, 2})
    for (int gemm : {1, 0}) {
      b->Args({int64_t(DType::f32), 512, 2048, 2048, threads, gemm});
      // Qwen1.5-1.8B f16 prefill (attention and FFN shapes), MiniLM (128 tokens, 384 wide).
      for (int64_t N : {2048, 5504}) b->Args({int64_t(DType::f16), 512, N, 2048, threads, gemm});
      b->Args({int64_t(DType::f32), 128, 384, 384, threads, gemm});
      b->Args({int64_t(DType::f32), 128, 1536, 384, threads, gemm});
      for (DType t : {DType::q8_0, DType::q4_0}) {
        for (int64_t N : {2048, 5504}) b->Args({int64_t(t), 512, N, 2048, threads, gemm});
        b->Args({int64_t(t), 512, 2048, 5504, threads, gemm});  // FFN down projection
      }
      // Q4_K_M files: q4_K attention / FFN gate-up, q6_K and q5_0 attn_v.
      for (int64_t N : {2048, 5504}) b->Args({int64_t(DType::q4_k), 512, N, 2048, threads, gemm});
      for (DType t : {DType::q6_k, DType::q5_0}) b->Args({int64_t(t), 512, 2048, 2048, threads, gemm});
    }
}
BENCHMARK(Gemm)->Apply(GemmArgs)->Unit(benchmark::kMillisecond)->MinTime(0.5)->UseRealTime();

}  // namespace
