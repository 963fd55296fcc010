// Row/elementwise kernels and attention at model shapes, scalar vs SIMD.
//
// The last argument of each benchmark is the ISA: 0 = scalar reference, 1 = the
// SIMD table this CPU runs (AVX2 or NEON). Kernel benchmarks call one kernel on
// one thread; Attention* go through engine attention() with 1 or 2 threads.
//   build/bench/sprout_bench_kernels --benchmark_filter='Ops|Attn' --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true
// Counters: items_per_second = elements (or KV rows x heads for attention) per second;
// bytes_per_second for attention = K and V bytes read.
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <vector>

#include "engine/arena.h"
#include "engine/attention.h"
#include "engine/kv_cache.h"
#include "engine/threads.h"
#include "kernels/act/act.h"
#include "kernels/lstm/lstm.h"
#include "kernels/norm/norm.h"
#include "kernels/rope/rope.h"
#include "kernels/softmax/softmax.h"

using namespace sprout;

namespace {

kern::Isa isa_arg(const benchmark::State& st, int i) {
  return st.range(i) ? kern::simd_family(kern::detected_isa()) : kern::Isa::scalar;
}

std::vector<float> randv(size_t n, uint32_t seed, float lo = -3.f, float hi = 3.f) {
  std::mt19937 r(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = d(r);
  return v;
}

void label(benchmark::State& st, kern::Isa isa) { st.SetLabel(kern::isa_name(isa)); }

void OpsRmsNorm(benchmark::State& st) {
  const int n = int(st.range(0));
  const auto isa = isa_arg(st, 1);
  auto x = randv(size_t(n), 1), w = randv(size_t(n), 2);
  std::vector<float> y(static_cast<size_t>(n));
  const auto k = kern::norm_kernels(isa).rmsnorm;
  for (auto _ : st) {
    k(x.data(), w.data(), 1e-6f, n, y.data());
    benchmark::DoNotOptimize(y.data());
  }
  st.SetItemsProcessed(st.iterations() * n);
  label(st, isa);
}

void OpsLayerNorm(benchmark::State& st) {
  const int n = int(st.range(0));
  const auto isa = isa_arg(st, 1);
  auto x = randv(size_t(n), 1), g = randv(size_t(n), 2), b = randv(size_t(n), 3);
  std::vector<float> y(static_cast<size_t>(n));
  const auto k = kern::norm_kernels(isa).layernorm;
  for (auto _ : st) {
    k(x.data(), g.data(), b.data(), 1e-5f, n, y.data());
    benchmark::DoNotOptimize(y.data());
  }
  st.SetItemsProcessed(st.iterations() * n);
  label(st, isa);
}

void OpsSoftmax(benchmark::State& st) {
  const int n = int(st.range(0));
  const auto isa = isa_arg(st, 1);
  const auto x0 = randv(size_t(n), 4, -10.f, 10.f);
  auto x = x0;
  const auto k = kern::softmax_kernels(isa).softmax;
  for (auto _ : st) {
    k(x.data(), n);  // in place: the row stays a valid distribution input
    benchmark::DoNotOptimize(x.data());
  }
  st.SetItemsProcessed(st.iterations() * n);
  label(st, isa);
}

// range(0): n, range(1): isa, range(2): which activation
void OpsAct(benchmark::State& st) {
  const int n = int(st.range(0));
  const auto isa = isa_arg(st, 1);
  const kern::ActKernels& k = kern::act_kernels(isa);
  const auto x0 = randv(size_t(n), 5);
  auto up = randv(size_t(n), 6);
  auto x = x0;
  std::vector<float> y(static_cast<size_t>(n));
  static const char* names[] = {"silu", "gelu_erf", "gelu_tanh", "swiglu"};
  const int which = int(st.range(2));
  for (auto _ : st) {
    st.PauseTiming();
    x = x0;  // keep inputs in range (in-place ops would drift)
    st.ResumeTiming();
    switch (which) {
      case 0: k.silu(x.data(), n); break;
      case 1: k.gelu_erf(x.data(), n); break;
      case 2: k.gelu_tanh(x.data(), n); break;
      default: k.swiglu(x.data(), up.data(), n, y.data()); break;
    }
    benchmark::DoNotOptimize(x.data());
    benchmark::DoNotOptimize(y.data());
  }
  st.SetItemsProcessed(st.iterations() * n);
  st.SetLabel(std::string(names[which]) + " " + kern::isa_name(isa));
}

void OpsRope(benchmark::State& st) {
  const int heads = 16, hd = 128;
  const auto isa = isa_arg(st, 1);
  const bool inter = st.range(0) != 0;
  auto x = randv(size_t(heads * hd), 7, -1.f, 1.f);
  std::vector<float> c(hd / 2), s(hd / 2);
  for (int i = 0; i < hd / 2; ++i) c[size_t(i)] = std::cos(0.1f * float(i)), s[size_t(i)] = std::sin(0.1f * float(i));
  const auto& rk = kern::rope_kernels(isa);
  const auto k = inter ? rk.interleaved : rk.rotate_half;
  for (auto _ : st) {
    k(x.data(), heads, hd, c.data(), s.data());  // a rotation: values stay bounded
    benchmark::DoNotOptimize(x.data());
  }
  st.SetItemsProcessed(st.iterations() * heads * hd);
  st.SetLabel(std::string(inter ? "interleaved " : "rotate_half ") + kern::isa_name(isa));
}

void OpsLstmCell(benchmark::State& st) {
  const int H = int(st.range(0));
  const auto isa = isa_arg(st, 1);
  auto g = randv(size_t(4 * H), 8);
  auto c = randv(size_t(H), 9, -1.f, 1.f);
  std::vector<float> h(static_cast<size_t>(H));
  const auto k = kern::lstm_kernels(isa).lstm_cell;
  for (auto _ : st) {
    k(g.data(), c.data(), h.data(), H);
    benchmark::DoNotOptimize(h.data());
  }
  st.SetItemsProcessed(st.iterations() * H);
  label(st, isa);
}

// Decode attention: one query token, heads x head_dim, over `ctx` cached tokens.
// range(0): ctx, range(1): isa, range(2): threads, range(3): 1 = f16 cache, 0 = f32
void AttnDecode(benchmark::State& st) {
  const int heads = 16, kvh = 16, hd = 128;
  const int ctx = int(st.range(0));
  const auto isa = isa_arg(st, 1);
  const DType dt = st.range(3) ? DType::f16 : DType::f32;
  KvCache cache(1, ctx, kvh, hd, dt);
  const auto k = randv(size_t(ctx) * kvh * hd, 10, -1.f, 1.f), v = randv(size_t(ctx) * kvh * hd, 11, -1.f, 1.f);
  cache.write(0, 0, ctx, k.data(), v.data());
  const auto q = randv(size_t(heads * hd), 12, -1.f, 1.f);
  std::vector<float> out(q.size());
  AttentionArgs a;
  a.n_q = 1, a.n_kv = ctx, a.n_heads = heads, a.n_kv_heads = kvh, a.head_dim = hd;
  a.scale = 1.f / std::sqrt(float(hd)), a.causal = true, a.q_pos0 = ctx - 1;
  Arena arena;
  const kern::Isa before = kern::active_isa();
  kern::set_active_isa(isa);
  set_num_threads(int(st.range(2)));
  for (auto _ : st) {
    attention(a, q.data(), cache, 0, out.data(), arena);
    benchmark::DoNotOptimize(out.data());
  }
  set_num_threads(0);
  kern::set_active_isa(before);
  st.SetBytesProcessed(st.iterations() * int64_t(cache.bytes()));
  st.SetItemsProcessed(st.iterations() * int64_t(ctx) * heads);
  st.SetLabel(std::string(dt == DType::f16 ? "f16 " : "f32 ") + kern::isa_name(isa) + " t" + std::to_string(st.range(2)));
}

}  // namespace

BENCHMARK(OpsRmsNorm)->ArgsProduct({{2048}, {0, 1}});
BENCHMARK(OpsLayerNorm)->ArgsProduct({{384, 1024}, {0, 1}});
BENCHMARK(OpsSoftmax)->ArgsProduct({{2048}, {0, 1}});
BENCHMARK(OpsAct)->ArgsProduct({{5504}, {0, 1}, {0, 1, 2, 3}});
BENCHMARK(OpsRope)->ArgsProduct({{0, 1}, {0, 1}});
BENCHMARK(OpsLstmCell)->ArgsProduct({{64}, {0, 1}});
BENCHMARK(AttnDecode)->ArgsProduct({{512}, {0, 1}, {1, 2}, {1, 0}})->UseRealTime();
