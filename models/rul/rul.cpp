// The forward pass of the RUL model, top to bottom. Shapes: b samples in this
// chunk, T = window, F = features, C = conv channels, H = LSTM hidden size,
// D = directions, E = D*H, nh = heads, hd = E/nh.
#include "models/rul/rul.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <memory>

#include <omp.h>

#include "engine/attention.h"
#include "engine/linear.h"
#include "engine/ops.h"
#include "engine/threads.h"

namespace sprout::rul {

size_t RulModel::forward(const float* x, int64_t batch, float* rul, float* logits, Arena& arena) const {
  // Samples are independent: split the batch into chunks and give whole chunks to
  // threads (one parallel region per call). Ops inside a chunk then run on one
  // thread each, so no thread team is woken per LSTM step. A single chunk (small
  // batches) runs on the calling thread and lets the ops use the threads instead.
  const int64_t per_sample = int64_t(cfg_.window) * cfg_.n_features();
  const int threads = num_threads();
  int64_t chunk = chunk_;
  if (threads > 1) chunk = std::max<int64_t>(1, std::min<int64_t>(chunk, (batch + threads - 1) / threads));
  const int64_t chunks = (batch + chunk - 1) / chunk;
  const int nt = int(std::min<int64_t>(threads, chunks));
  auto run = [&](int64_t c, Arena& a) {
    const int64_t s = c * chunk, b = std::min<int64_t>(chunk, batch - s);
    forward_chunk(x + s * per_sample, b, rul + s, logits + s * cfg_.n_classes(), a);
  };
  if (nt <= 1) {
    for (int64_t c = 0; c < chunks; ++c) run(c, arena);
    return arena.peak();
  }
  std::vector<std::unique_ptr<Arena>> own(size_t(nt - 1));
  for (auto& a : own) a = std::make_unique<Arena>();
  std::exception_ptr error;
#pragma omp parallel for num_threads(nt) schedule(dynamic)
  for (int64_t c = 0; c < chunks; ++c) {
    const int tid = omp_get_thread_num();
    try {
      run(c, tid == 0 ? arena : *own[size_t(tid - 1)]);
    } catch (...) {
#pragma omp critical(rul_forward_error)
      if (!error) error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);
  size_t peak = arena.peak();
  for (const auto& a : own) peak += a->peak();
  return peak;
}

void RulModel::forward_chunk(const float* x, int64_t b, float* rul, float* logits, Arena& arena) const {
  const Arena::Mark start = arena.mark();
  const int64_t T = cfg_.window, H = cfg_.lstm_hidden, D = cfg_.directions(), E = cfg_.embed();

  // Two activation slots, each wide enough for any stage, used ping-pong: a stage
  // reads one and writes the other. [b, T, width]
  int64_t width = std::max<int64_t>(cfg_.n_features(), E);
  for (const Conv& c : convs_) width = std::max<int64_t>(width, c.cout);
  float* slot[2] = {arena.alloc<float>(size_t(b * T * width)), arena.alloc<float>(size_t(b * T * width))};
  int cur = 0;
  std::memcpy(slot[cur], x, sizeof(float) * size_t(b * T * cfg_.n_features()));

  // 1. Conv blocks: x [b, T, Cin] -> relu(conv(x) with BN folded) [b, T, Cout], "same" padding.
  for (const Conv& c : convs_) {
    for (int64_t i = 0; i < b; ++i)
      ops::conv1d(slot[cur] + i * T * c.cin, T, c.cin, c.w.data(), c.b.data(), c.cout, c.k,
                  slot[1 - cur] + i * T * c.cout);
    cur = 1 - cur;
    ops::relu(slot[cur], b * T * c.cout);
  }

  // 2. LSTM, layer by layer; each direction of a layer reads the whole input sequence.
  for (int l = 0; l < cfg_.lstm_layers; ++l) {
    const float* in = slot[cur];                         // [b, T, conv channels or E]
    float* out = slot[1 - cur];                          // [b, T, E]: forward half | backward half
    const Arena::Mark m = arena.mark();
    float* gx = arena.alloc<float>(size_t(b * T * 4 * H));   // input part of the gates [b*T, 4H]
    float* gates = arena.alloc<float>(size_t(b * 4 * H));    // [b, 4H]
    float* h = arena.alloc<float>(size_t(b * H));            // [b, H]
    float* c = arena.alloc<float>(size_t(b * H));            // [b, H]
    for (int d = 0; d < D; ++d) {
      const LstmDir& w = lstm_[size_t(l * D + d)];
      linear(w.w_ih, in, b * T, gx, w.bias.data());      // gx = in @ W_ih^T + b_ih + b_hh   [b*T, 4H]
      std::fill(h, h + b * H, 0.f);
      std::fill(c, c + b * H, 0.f);
      for (int64_t step = 0; step < T; ++step) {
        const int64_t t = d == 0 ? step : T - 1 - step;  // the reverse direction walks back in time
        if (step == 0) std::fill(gates, gates + b * 4 * H, 0.f);   // h = 0: no recurrent term
        else linear(w.w_hh, h, b, gates);                // gates = h @ W_hh^T            [b, 4H]
        for (int64_t i = 0; i < b; ++i) {
          float* g = gates + i * 4 * H;
          ops::add(g, gx + (i * T + t) * 4 * H, 4 * H, g);
          ops::lstm_cell(g, c + i * H, h + i * H, H);    // c, h updated in place
          std::memcpy(out + (i * T + t) * E + d * H, h + i * H, sizeof(float) * size_t(H));
        }
      }
    }
    arena.rewind(m);
    cur = 1 - cur;
  }

  // 3. LayerNorm over features: [b*T, E] -> xn [b*T, E] (in the free slot).
  float* xn = slot[1 - cur];
  ops::layernorm(slot[cur], ln_g_.data(), ln_b_.data(), cfg_.ln_eps, b * T, E, xn);
  float* y = slot[cur];  // attention output goes here

  // 4. Self-attention (non-causal), nh heads of hd, residual: y = xn + out_proj(attn(xn)).
  {
    const int nh = cfg_.heads, hd = int(E / nh);
    const Arena::Mark m = arena.mark();
    float* qkv = arena.alloc<float>(size_t(b * T * 3 * E));  // [b*T, 3E] = q | k | v per row
    linear(in_proj_.w, xn, b * T, qkv, in_proj_.b.data());
    float* att = arena.alloc<float>(size_t(b * T * E));      // [b*T, nh*hd]
    float* q = arena.alloc<float>(size_t(3 * T * E));        // one sample's q, k, v: [T, nh, hd] each
    float* k = q + T * E;
    float* v = k + T * E;
    AttentionArgs args{};
    args.n_q = int(T);
    args.n_kv = int(T);
    args.n_heads = nh;
    args.n_kv_heads = nh;
    args.head_dim = hd;
    args.scale = 1.f / std::sqrt(float(hd));
    args.causal = false;
    args.q_pos0 = 0;
    args.key_mask = nullptr;
    for (int64_t i = 0; i < b; ++i) {
      for (int64_t t = 0; t < T; ++t) {
        const float* row = qkv + (i * T + t) * 3 * E;
        std::memcpy(q + t * E, row, sizeof(float) * size_t(E));
        std::memcpy(k + t * E, row + E, sizeof(float) * size_t(E));
        std::memcpy(v + t * E, row + 2 * E, sizeof(float) * size_t(E));
      }
      attention(args, q, k, v, att + i * T * E, arena);
    }
    linear(out_proj_.w, att, b * T, y, out_proj_.b.data());  // [b*T, E]
    if (cfg_.residual) ops::add(y, xn, b * T * E, y);
    arena.rewind(m);
  }

  // 5. Pool over time: [b, T, E] -> p [b, E].
  float* p = xn;  // xn is no longer needed
  for (int64_t i = 0; i < b; ++i) {
    const float* seq = y + i * T * E;
    float* o = p + i * E;
    switch (cfg_.pooling) {
      case Pooling::mean:
        std::fill(o, o + E, 0.f);
        for (int64_t t = 0; t < T; ++t) ops::add(o, seq + t * E, E, o);
        ops::scale(o, 1.f / float(T), E);
        break;
      case Pooling::max:
        std::memcpy(o, seq, sizeof(float) * size_t(E));
        for (int64_t t = 1; t < T; ++t)
          for (int64_t e = 0; e < E; ++e) o[e] = std::max(o[e], seq[t * E + e]);
        break;
      case Pooling::last:
        std::memcpy(o, seq + (T - 1) * E, sizeof(float) * size_t(E));
        break;
    }
  }

  // 6. Heads: rul = (relu(p @ W1^T + b1) @ W2^T + b2) * rul_scale   [b]
  //           logits = relu(p @ W1^T + b1) @ W2^T + b2               [b, classes]
  const int64_t hid = std::max(cfg_.rul_hidden, cfg_.health_hidden);
  float* hbuf = arena.alloc<float>(size_t(b * hid));
  linear(rul1_.w, p, b, hbuf, rul1_.b.data());
  ops::relu(hbuf, b * cfg_.rul_hidden);
  linear(rul2_.w, hbuf, b, rul, rul2_.b.data());
  ops::scale(rul, cfg_.rul_scale, b);
  linear(health1_.w, p, b, hbuf, health1_.b.data());
  ops::relu(hbuf, b * cfg_.health_hidden);
  linear(health2_.w, hbuf, b, logits, health2_.b.data());
  arena.rewind(start);
}

}  // namespace sprout::rul
