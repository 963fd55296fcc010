#include "engine/attention.h"

#include <omp.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "engine/error.h"
#include "engine/threads.h"
#include "kernels/attn/attn.h"
#include "kernels/gemm/gemm.h"
#include "kernels/softmax/softmax.h"

namespace sprout {
namespace {

constexpr int kMinBlockedQueries = 8;  // from here on attend_blocked()
constexpr int kVBlock = 256;           // keys per packed V panel
constexpr int kKeyBlock = 16;          // keys per block in attend()'s decode walk

// Key/value rows (f32, f16 or q8_0): row j of kv head g starts at element
// (j * n_kv_heads + g) * head_dim (for q8_0 at block (j * n_kv_heads + g) * head_dim / 32).
struct KvView {
  DType type;
  const void* k;
  const void* v;
};

// Element offset -> the typed pointer the attn kernels take.
const float* f32_at(const void* p, int64_t off) { return static_cast<const float*>(p) + off; }
const kern::f16_t* f16_at(const void* p, int64_t off) { return static_cast<const kern::f16_t*>(p) + off; }
const kern::block_q8_0* q8_at(const void* p, int64_t off) {
  return static_cast<const kern::block_q8_0*>(p) + off / kern::QK8_0;
}

// q8_0 rows j0 .. j0 + n of one head (hd values from element off of each row, rows
// `stride` elements apart) as f32 [n, hd] in dst, for the GEMM tile's packers.
void dequant_rows(const kern::AttnKernels& ak, const void* kv, int64_t off, int64_t stride, int j0, int n, int hd,
                  float* dst) {
  for (int j = 0; j < n; ++j) ak.from_q8_0(q8_at(kv, (j0 + j) * stride + off), hd, dst + int64_t(j) * hd);
}

void check(const AttentionArgs& a) {
  auto bad = [](const std::string& why) { fail("attention", why); };
  if (a.n_q < 0 || a.n_kv < 0) bad("negative token count");
  if (a.n_heads <= 0 || a.n_kv_heads <= 0 || a.head_dim <= 0) bad("heads and head_dim must be positive");
  if (a.n_heads % a.n_kv_heads != 0)
    bad(std::to_string(a.n_heads) + " query heads not a multiple of " + std::to_string(a.n_kv_heads) + " kv heads");
  if (a.causal && a.q_pos0 < 0) bad("negative q_pos0");
}

// Prefill-sized calls: per (block of queries, head), the scores S = Q K^T and the
// output P V as small GEMMs on kernels/gemm's f32 tile. Q (and P per key block)
// are packed into mr-row slivers; K rows are packed (f16 converted) once per
// block of keys and V slices once per block of queries, not once per query as
// in attend(); accumulation is f32 FMA as in the dot kernels. q8_0 rows are first
// dequantized to f32 (K per panel of nr keys, V per block of kVBlock keys).
// Keys past a query's causal limit inside a block are computed and then zeroed
// after the softmax, so they add nothing to P V.
void attend_blocked(const AttentionArgs& a, const float* q, KvView kv, float* out, Arena& scratch) {
  const kern::GemmKernels& g = kern::gemm_kernels();
  const kern::AttnKernels& ak = kern::attn_kernels();
  const auto softmax = kern::softmax_kernels().softmax;
  const bool q8 = kv.type == DType::q8_0;
  const kern::GemmB bt = kv.type == DType::f16 ? kern::GemmB::f16 : kern::GemmB::f32;
  const int hd = a.head_dim, group = a.n_heads / a.n_kv_heads, mr = g.mr, nr = g.nr;
  const int64_t kv_stride = int64_t(a.n_kv_heads) * hd, q_stride = int64_t(a.n_heads) * hd;
  const int qb = (32 + mr - 1) / mr * mr;  // queries per task
  const int nqb = (a.n_q + qb - 1) / qb;
  const int64_t tasks = int64_t(nqb) * a.n_heads;
  const int nt = int(std::min<int64_t>(num_threads(), tasks));
  const int64_t lds = (int64_t(a.n_kv) + nr - 1) / nr * nr;
  const int64_t panel_floats = int64_t(std::max(hd, kVBlock)) * nr;
  const int64_t sliver_floats = int64_t(std::max(hd, kVBlock)) * qb;  // packed Q, or P's slivers for one key block
  const int64_t rows_floats = q8 ? int64_t(std::max(nr, kVBlock)) * hd : 0;  // dequantized q8_0 K or V rows
  const int64_t per_thread = (int64_t(qb) * lds + panel_floats + sliver_floats + rows_floats + 15) / 16 * 16;
  const Arena::Mark mark = scratch.mark();
  float* buf = scratch.alloc<float>(size_t(per_thread) * size_t(nt));

#pragma omp parallel for num_threads(nt) schedule(dynamic, 1) if (nt > 1)
  for (int64_t t = 0; t < tasks; ++t) {
    const int h = int(t / nqb), i0 = int(t % nqb) * qb, rows = std::min(qb, a.n_q - i0);
    float* S = buf + per_thread * (nt > 1 ? omp_get_thread_num() : 0);
    float* panel = S + int64_t(qb) * lds;
    float* slivers = panel + panel_floats;
    float* deq = slivers + sliver_floats;
    const float* qh = q + int64_t(i0) * q_stride + int64_t(h) * hd;
    float* oh = out + int64_t(i0) * q_stride + int64_t(h) * hd;
    const int64_t base = int64_t(h / group) * hd;
    auto visible = [&](int r) { return a.causal ? int(std::min<int64_t>(a.n_kv, int64_t(a.q_pos0) + i0 + r + 1)) : a.n_kv; };
    const int nmax = std::max(visible(rows - 1), 0);
    if (nmax == 0) {
      for (int r = 0; r < rows; ++r) std::memset(oh + r * q_stride, 0, sizeof(float) * size_t(hd));
      continue;
    }
    for (int m = 0; m < rows; m += mr)  // Q as mr-row slivers, packed once for every key panel
      kern::gemm_pack_a(qh + m * q_stride, size_t(q_stride), std::min(mr, rows - m), 0, hd, mr,
                        slivers + int64_t(m) * hd);
    for (int j0 = 0; j0 < nmax; j0 += nr) {  // S = Q K^T
      const int cols = std::min(nr, nmax - j0);
      if (q8) {
        dequant_rows(ak, kv.k, base, kv_stride, j0, cols, hd, deq);
        g.pack_b(kern::GemmB::f32, deq, size_t(hd), 0, cols, 0, hd, panel);
      } else {
        const void* K = kv.type == DType::f16 ? static_cast<const void*>(f16_at(kv.k, base)) : f32_at(kv.k, base);
        g.pack_b(bt, K, size_t(kv_stride), j0, cols, 0, hd, panel);
      }
      for (int m = 0; m < rows; m += mr)
        g.f32_tile(hd, slivers + int64_t(m) * hd, panel, S + m * lds + j0, size_t(lds), std::min(mr, rows - m), cols,
                   false);
    }
    for (int r = 0; r < rows; ++r) {  // P = softmax(scale * S + mask), zero past the visible keys
      float* s = S + r * lds;
      const int nvis = std::max(visible(r), 0);
      for (int j = 0; j < nvis; ++j) s[j] = s[j] * a.scale + (a.key_mask ? a.key_mask[j] : 0.f);
      if (nvis > 0) softmax(s, nvis);
      for (int j = nvis; j < nmax; ++j) s[j] = 0.f;
    }
    for (int k0 = 0; k0 < nmax; k0 += kVBlock) {  // out = P V, keys in blocks of kVBlock
      const int kc = std::min(kVBlock, nmax - k0);
      if (q8) dequant_rows(ak, kv.v, base, kv_stride, k0, kc, hd, deq);
      for (int m = 0; m < rows; m += mr)
        kern::gemm_pack_a(S + m * lds, size_t(lds), std::min(mr, rows - m), k0, kc, mr, slivers + int64_t(m) * kc);
      for (int d0 = 0; d0 < hd; d0 += nr) {
        const int cols = std::min(nr, hd - d0);
        for (int j = 0; j < kc; ++j) {
          const int64_t at = int64_t(k0 + j) * kv_stride + base + d0;
          float* p = panel + int64_t(j) * nr;
          if (q8) std::memcpy(p, deq + int64_t(j) * hd + d0, sizeof(float) * size_t(cols));
          else if (kv.type == DType::f16) ak.from_f16(f16_at(kv.v, at), cols, p);
          else std::memcpy(p, f32_at(kv.v, at), sizeof(float) * size_t(cols));
          for (int c = cols; c < nr; ++c) p[c] = 0.f;
        }
        for (int m = 0; m < rows; m += mr)
          g.f32_tile(kc, slivers + int64_t(m) * kc, panel, oh + m * q_stride + d0, size_t(q_stride),
                     std::min(mr, rows - m), cols, k0 > 0);
      }
    }
  }
  scratch.rewind(mark);
}

// Decode-sized calls: per query, the heads are split into one contiguous range per
// thread. A thread walks the keys in blocks of kKeyBlock and, within a block, runs
// the multi-key kernels for every head of its range: its heads' slices of a cache
// row are adjacent, so each [position][kv_head][head_dim] row is read as one
// stretch, and the hardware prefetchers see long forward runs; walking one head
// over all keys instead reads one 256-byte piece per 4 KiB row (Qwen1.5-1.8B
// shape), a new page per key, where those prefetchers stop. (Software prefetch
// of the next block's stretches measured no gain on top of this.)
// Scores, then the softmax over all visible keys per head, then the weighted V sum
// block by block (partial sums added to the output row).
void attend(const AttentionArgs& a, const float* q, KvView kv, float* out, Arena& scratch) {
  check(a);
  if (a.n_q >= kMinBlockedQueries) return attend_blocked(a, q, kv, out, scratch);
  const int hd = a.head_dim, group = a.n_heads / a.n_kv_heads;
  const int64_t kv_stride = int64_t(a.n_kv_heads) * hd;  // elements between consecutive key rows
  const int64_t work = int64_t(a.n_q) * a.n_heads * int64_t(a.n_kv) * hd;
  const int threads = work >= (1 << 15) ? num_threads() : 1;
  const int ranges = std::min(threads, a.n_heads), per_range = (a.n_heads + ranges - 1) / ranges;
  const int64_t tasks = int64_t(a.n_q) * ranges;
  const int nt = int(std::min<int64_t>(threads, std::max<int64_t>(tasks, 1)));
  const Arena::Mark mark = scratch.mark();
  // Per thread: one score row per head of a range (padded to a cache line) and one partial output row.
  const int64_t row = (std::max(a.n_kv, 1) + 15) / 16 * 16;
  const int64_t per_thread = row * per_range + (hd + 15) / 16 * 16;
  float* buf = scratch.alloc<float>(size_t(per_thread) * size_t(nt));
  const kern::AttnKernels& ak = kern::attn_kernels();
  const auto softmax = kern::softmax_kernels().softmax;

#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
  for (int64_t t = 0; t < tasks; ++t) {
    const int i = int(t / ranges), h0 = int(t % ranges) * per_range, h1 = std::min(h0 + per_range, a.n_heads);
    float* S = buf + per_thread * (nt > 1 ? omp_get_thread_num() : 0);
    float* part = S + row * per_range;
    const float* qi = q + int64_t(i) * a.n_heads * hd;
    float* oi = out + int64_t(i) * a.n_heads * hd;
    const int nvis = a.causal ? int(std::min<int64_t>(a.n_kv, int64_t(a.q_pos0) + i + 1)) : a.n_kv;
    if (h0 >= h1) continue;
    if (nvis <= 0) {
      std::memset(oi + int64_t(h0) * hd, 0, sizeof(float) * size_t(h1 - h0) * size_t(hd));
      continue;
    }
    for (int j0 = 0; j0 < nvis; j0 += kKeyBlock) {  // scores, all heads of the range per key block
      const int nb = std::min(kKeyBlock, nvis - j0);
      for (int h = h0; h < h1; ++h) {
        const int64_t off = int64_t(j0) * kv_stride + int64_t(h / group) * hd;
        const float* qh = qi + int64_t(h) * hd;
        float* s = S + row * (h - h0) + j0;
        switch (kv.type) {
          case DType::f16: ak.scores_f16(qh, f16_at(kv.k, off), kv_stride, nb, hd, a.scale, s); break;
          case DType::q8_0: ak.scores_q8_0(qh, q8_at(kv.k, off), kv_stride / kern::QK8_0, nb, hd, a.scale, s); break;
          default: ak.scores_f32(qh, f32_at(kv.k, off), kv_stride, nb, hd, a.scale, s); break;
        }
      }
    }
    for (int h = h0; h < h1; ++h) {  // probabilities
      float* s = S + row * (h - h0);
      if (a.key_mask)
        for (int j = 0; j < nvis; ++j) s[j] += a.key_mask[j];
      softmax(s, nvis);
    }
    for (int j0 = 0; j0 < nvis; j0 += kKeyBlock) {  // out = P V, all heads of the range per key block
      const int nb = std::min(kKeyBlock, nvis - j0);
      for (int h = h0; h < h1; ++h) {
        const int64_t off = int64_t(j0) * kv_stride + int64_t(h / group) * hd;
        const float* p = S + row * (h - h0) + j0;
        float* o = oi + int64_t(h) * hd;
        float* dst = j0 == 0 ? o : part;
        switch (kv.type) {
          case DType::f16: ak.weighted_sum_f16(p, f16_at(kv.v, off), kv_stride, nb, hd, dst); break;
          case DType::q8_0: ak.weighted_sum_q8_0(p, q8_at(kv.v, off), kv_stride / kern::QK8_0, nb, hd, dst); break;
          default: ak.weighted_sum_f32(p, f32_at(kv.v, off), kv_stride, nb, hd, dst); break;
        }
        if (j0 > 0)
          for (int d = 0; d < hd; ++d) o[d] += part[d];
      }
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
  attend(a, q, KvView{cache.dtype(), cache.keys(layer), cache.values(layer)}, out, scratch);
}

void attention(const AttentionArgs& a, const float* q, const float* k, const float* v, float* out, Arena& scratch) {
  attend(a, q, KvView{DType::f32, k, v}, out, scratch);
}

}  // namespace sprout
