// Decode attention at depth: one query token, 16 heads x head_dim 128 (Qwen1.5-1.8B
// shape), f16 cache laid out [position][kv_head][head_dim], over `ctx` cached tokens.
//
// range(0): ctx; range(1): path; range(2): threads; range(3): 1 = cold (the cache's
// lines flushed before every iteration, as in a real decode step, where the weights
// stream through the caches between two visits of a layer's KV; x86 only).
// Paths: 0 = engine attention() on the scalar kernels, 1 = one dot_f16 / axpy_f16
// call per key (the row-at-a-time form, kept here for comparison), 2 = engine
// attention() on the multi-key scores_f16 / weighted_sum_f16 kernels, 3 = the same
// over a q8_0 cache (scores_q8_0 / weighted_sum_q8_0), 4 = 3 on the scalar kernels.
//   build/bench/sprout_bench_kernels --benchmark_filter=AttnDepth
//       --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
// Counters: bytes_per_second = K and V bytes read per call.
#include <benchmark/benchmark.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "engine/arena.h"
#include "engine/attention.h"
#include "engine/kv_cache.h"
#include "engine/threads.h"
#include "kernels/attn/attn.h"
#include "kernels/softmax/softmax.h"

using namespace sprout;

namespace {

constexpr int kHeads = 16, kHeadDim = 128;

std::vector<float> randv(size_t n, uint32_t seed) {
  std::mt19937 r(seed);
  std::uniform_real_distribution<float> d(-1.f, 1.f);
  std::vector<float> v(n);
  for (float& x : v) x = d(r);
  return v;
}

// The row-at-a-time decode form: per head, one function-pointer dot per key, a
// softmax, then one axpy per key into the output row.
void attend_per_key(const AttentionArgs& a, const float* q, const KvCache& c, float* out, float* scores, int nt) {
  const kern::AttnKernels& ak = kern::attn_kernels();
  const auto softmax = kern::softmax_kernels().softmax;
  const int hd = a.head_dim, n = a.n_kv;
  const int64_t stride = int64_t(a.n_kv_heads) * hd;
  const auto* K = static_cast<const kern::f16_t*>(c.keys(0));
  const auto* V = static_cast<const kern::f16_t*>(c.values(0));
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
  for (int h = 0; h < a.n_heads; ++h) {
    float* s = scores + int64_t(n) * (nt > 1 ? omp_get_thread_num() : 0);
    const float* qr = q + int64_t(h) * hd;
    float* o = out + int64_t(h) * hd;
    std::memset(o, 0, sizeof(float) * size_t(hd));
    for (int j = 0; j < n; ++j) s[j] = ak.dot_f16(qr, K + j * stride + h * hd, hd) * a.scale;
    softmax(s, n);
    for (int j = 0; j < n; ++j)
      if (s[j] != 0.f) ak.axpy_f16(s[j], V + j * stride + h * hd, hd, o);
  }
}

void flush(const KvCache& c) {
#if defined(__x86_64__)
  const size_t half = c.bytes() / 2;
  for (const void* base : {c.keys(0), c.values(0)}) {
    const auto* p = static_cast<const char*>(base);
    for (size_t off = 0; off < half; off += 64) _mm_clflush(p + off);
  }
  _mm_mfence();
#else
  (void)c;
#endif
}

void AttnDepth(benchmark::State& st) {
  const int ctx = int(st.range(0)), path = int(st.range(1)), nt = int(st.range(2));
  const bool cold = st.range(3) != 0;
  const bool q8 = path >= 3;
  KvCache cache(1, ctx, kHeads, kHeadDim, q8 ? DType::q8_0 : DType::f16);
  const auto k = randv(size_t(ctx) * kHeads * kHeadDim, 10), v = randv(size_t(ctx) * kHeads * kHeadDim, 11);
  cache.write(0, 0, ctx, k.data(), v.data());
  const auto q = randv(size_t(kHeads * kHeadDim), 12);
  std::vector<float> out(q.size()), scores(size_t(ctx) * size_t(nt));
  AttentionArgs a;
  a.n_q = 1, a.n_kv = ctx, a.n_heads = kHeads, a.n_kv_heads = kHeads, a.head_dim = kHeadDim;
  a.scale = 1.f / std::sqrt(float(kHeadDim)), a.causal = true, a.q_pos0 = ctx - 1;
  Arena arena;
  const kern::Isa before = kern::active_isa();
  const kern::Isa isa = path == 0 || path == 4 ? kern::Isa::scalar : kern::simd_family(kern::detected_isa());
  kern::set_active_isa(isa);
  set_num_threads(nt);
  for (auto _ : st) {
    if (cold) {
      st.PauseTiming();
      flush(cache);
      st.ResumeTiming();
    }
    if (path == 1) attend_per_key(a, q.data(), cache, out.data(), scores.data(), nt);
    else attention(a, q.data(), cache, 0, out.data(), arena);
    benchmark::DoNotOptimize(out.data());
  }
  set_num_threads(0);
  kern::set_active_isa(before);
  st.SetBytesProcessed(st.iterations() * int64_t(cache.bytes()));
  static const char* names[] = {"scalar", "per-key", "multi-key", "multi-key q8_0", "scalar q8_0"};
  st.SetLabel(std::string(names[path]) + " " + kern::isa_name(isa) + " t" + std::to_string(nt) +
              (cold ? " cold" : " warm"));
}

}  // namespace

BENCHMARK(AttnDepth)->ArgsProduct({{512, 2048}, {1, 2}, {1, 2}, {0}})->UseRealTime();
BENCHMARK(AttnDepth)->ArgsProduct({{512, 2048}, {1, 2}, {1, 2}, {1}})->UseRealTime()->Iterations(100);
BENCHMARK(AttnDepth)->ArgsProduct({{512, 2048}, {0}, {1}, {0}})->UseRealTime();
BENCHMARK(AttnDepth)->ArgsProduct({{512, 2048}, {3}, {1, 2}, {0}})->UseRealTime();
BENCHMARK(AttnDepth)->ArgsProduct({{512, 2048}, {3}, {1, 2}, {1}})->UseRealTime()->Iterations(100);
BENCHMARK(AttnDepth)->ArgsProduct({{512, 2048}, {4}, {1}, {0}})->UseRealTime();
