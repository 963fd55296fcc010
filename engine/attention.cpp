#include "engine/attention.h"

#include <omp.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "engine/error.h"
#include "engine/threads.h"
#include "kernels/attn/attn.h"
#include "kernels/softmax/softmax.h"

namespace sprout {
namespace {

// Key/value rows of either dtype: row j of kv head g starts at element (j * n_kv_heads + g) * head_dim.
struct KvView {
  bool f16;
  const void* k;
  const void* v;
};

void check(const AttentionArgs& a) {
  auto bad = [](const std::string& why) { fail("attention", why); };
  if (a.n_q < 0 || a.n_kv < 0) bad("negative token count");
  if (a.n_heads <= 0 || a.n_kv_heads <= 0 || a.head_dim <= 0) bad("heads and head_dim must be positive");
  if (a.n_heads % a.n_kv_heads != 0)
    bad(std::to_string(a.n_heads) + " query heads not a multiple of " + std::to_string(a.n_kv_heads) + " kv heads");
  if (a.causal && a.q_pos0 < 0) bad("negative q_pos0");
}

void attend(const AttentionArgs& a, const float* q, KvView kv, float* out, Arena& scratch) {
  check(a);
  const int hd = a.head_dim, group = a.n_heads / a.n_kv_heads;
  const int64_t kv_stride = int64_t(a.n_kv_heads) * hd;  // elements between consecutive key rows
  const int64_t tasks = int64_t(a.n_q) * a.n_heads;
  const int64_t work = tasks * int64_t(a.n_kv) * hd;
  const int nt = int(std::min<int64_t>(work >= (1 << 15) ? num_threads() : 1, std::max<int64_t>(tasks, 1)));
  const Arena::Mark mark = scratch.mark();
  // One score row per thread, padded to a cache line.
  const int64_t row = (std::max(a.n_kv, 1) + 15) / 16 * 16;
  float* scores = scratch.alloc<float>(size_t(row) * size_t(nt));
  const kern::AttnKernels& ak = kern::attn_kernels();
  const auto softmax = kern::softmax_kernels().softmax;

#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
  for (int64_t t = 0; t < tasks; ++t) {
    const int i = int(t / a.n_heads), h = int(t % a.n_heads), g = h / group;
    float* s = scores + row * (nt > 1 ? omp_get_thread_num() : 0);
    const float* qr = q + (int64_t(i) * a.n_heads + h) * hd;
    float* o = out + (int64_t(i) * a.n_heads + h) * hd;
    std::memset(o, 0, sizeof(float) * size_t(hd));
    const int nvis = a.causal ? int(std::min<int64_t>(a.n_kv, int64_t(a.q_pos0) + i + 1)) : a.n_kv;
    if (nvis <= 0) continue;
    const int64_t base = int64_t(g) * hd;
    if (kv.f16) {
      const auto* K = static_cast<const kern::f16_t*>(kv.k) + base;
      for (int j = 0; j < nvis; ++j) s[j] = ak.dot_f16(qr, K + j * kv_stride, hd) * a.scale;
    } else {
      const auto* K = static_cast<const float*>(kv.k) + base;
      for (int j = 0; j < nvis; ++j) s[j] = ak.dot_f32(qr, K + j * kv_stride, hd) * a.scale;
    }
    if (a.key_mask)
      for (int j = 0; j < nvis; ++j) s[j] += a.key_mask[j];
    softmax(s, nvis);
    if (kv.f16) {
      const auto* V = static_cast<const kern::f16_t*>(kv.v) + base;
      for (int j = 0; j < nvis; ++j)
        if (s[j] != 0.f) ak.axpy_f16(s[j], V + j * kv_stride, hd, o);
    } else {
      const auto* V = static_cast<const float*>(kv.v) + base;
      for (int j = 0; j < nvis; ++j)
        if (s[j] != 0.f) ak.axpy_f32(s[j], V + j * kv_stride, hd, o);
    }
  }
  scratch.rewind(mark);
}

}  // namespace

void attention(const AttentionArgs& a, const float* q, const KvCache& cache, int layer, float* out, Arena& scratch) {
  if (a.n_kv_heads != cache.n_kv_heads() || a.head_dim != cache.head_dim())
    fail("attention", "kv heads / head_dim " + std::to_string(a.n_kv_heads) + "/" + std::to_string(a.head_dim) +
                          " do not match the cache's " + std::to_string(cache.n_kv_heads()) + "/" +
                          std::to_string(cache.head_dim()));
  if (a.n_kv > cache.max_tokens())
    fail("attention", "n_kv " + std::to_string(a.n_kv) + " exceeds cache capacity " + std::to_string(cache.max_tokens()));
  attend(a, q, KvView{cache.dtype() == DType::f16, cache.keys(layer), cache.values(layer)}, out, scratch);
}

void attention(const AttentionArgs& a, const float* q, const float* k, const float* v, float* out, Arena& scratch) {
  attend(a, q, KvView{false, k, v}, out, scratch);
}

}  // namespace sprout
