"""Reference M2M100 / NLLB-200 in plain PyTorch: forward pass and generation.

Written from the published architecture (Hugging Face transformers
`modeling_m2m100.py`, and the generation code of the 4.2x series that NLLB's
generation_config.json names), so that Sprout's C++ graph can be checked
against it without needing the `transformers` package:

  encoder:  x = shared[ids] * sqrt(d_model) + sinpos(ids)
            per layer (pre-LN):  x += SelfAttn(LN(x), key mask = ids != pad)
                                 x += fc2(relu(fc1(LN(x))))
            x = LN_final(x)
  decoder:  y = shared[ids] * sqrt(d_model) + sinpos(ids, past)
            per layer:  y += CausalSelfAttn(LN(y)); y += CrossAttn(LN(y), enc); y += FFN(LN(y))
            logits = LN_final(y) @ shared^T            (lm_head tied to shared)

Sinusoidal positions (M2M100SinusoidalPositionalEmbedding): row p of a table
whose first half is sin(p * f_i), second half cos(p * f_i), f_i = exp(-i *
ln(10000) / (half - 1)); row padding_idx is zero. Position of a token =
padding_idx + (number of non-pad tokens up to and including it) + past, and
padding_idx for pad tokens - pads neither move positions nor get one.

Generation follows HF semantics: decoder starts with decoder_start_token_id
(</s> = 2), step 1 is forced to the target-language token (ForcedBOS: every
other score -inf, the forced one 0), greedy = argmax, beam search =
BeamSearchScorer (top 2*N candidates of log_softmax + beam score, </s> in the
top N closes a hypothesis scored sum_logprobs / len(hyp)^length_penalty,
early_stopping / heuristic is_done, finalize at max_length).
"""
import math

import torch
import torch.nn.functional as F

# --------------------------------------------------------------------------- config


class Config:
    def __init__(self, d):
        self.d_model = d["d_model"]
        self.encoder_layers = d["encoder_layers"]
        self.decoder_layers = d["decoder_layers"]
        self.encoder_heads = d["encoder_attention_heads"]
        self.decoder_heads = d["decoder_attention_heads"]
        self.encoder_ffn = d["encoder_ffn_dim"]
        self.decoder_ffn = d["decoder_ffn_dim"]
        self.vocab_size = d["vocab_size"]
        self.pad = d["pad_token_id"]
        self.eos = d["eos_token_id"]
        self.decoder_start = d["decoder_start_token_id"]
        self.scale_embedding = d.get("scale_embedding", False)
        self.max_positions = d["max_position_embeddings"]
        assert d.get("activation_function", "relu") == "relu"


# --------------------------------------------------------------------------- weights


def random_weights(cfg, seed):
    """Seeded random weights with HF names; non-trivial biases and norms."""
    g = torch.Generator().manual_seed(seed)
    D = cfg.d_model

    def rnd(*shape, std=0.02 * 8):
        return torch.randn(*shape, generator=g) * std

    def norm(prefix, w):
        w[prefix + ".weight"] = 1.0 + rnd(D, std=0.2)
        w[prefix + ".bias"] = rnd(D, std=0.2)

    def lin(prefix, w, out_f, in_f):
        w[prefix + ".weight"] = rnd(out_f, in_f, std=1.0 / math.sqrt(in_f))
        w[prefix + ".bias"] = rnd(out_f, std=0.1)

    def attn(prefix, w):
        for p in ("q_proj", "k_proj", "v_proj", "out_proj"):
            lin(f"{prefix}.{p}", w, D, D)

    def layer(prefix, w, ffn, cross_attn):
        attn(prefix + ".self_attn", w)
        norm(prefix + ".self_attn_layer_norm", w)
        if cross_attn:
            attn(prefix + ".encoder_attn", w)
            norm(prefix + ".encoder_attn_layer_norm", w)
        lin(prefix + ".fc1", w, ffn, D)
        lin(prefix + ".fc2", w, D, ffn)
        norm(prefix + ".final_layer_norm", w)

    w = {}
    w["model.shared.weight"] = rnd(cfg.vocab_size, D, std=1.0 / math.sqrt(D))
    for i in range(cfg.encoder_layers):
        layer(f"model.encoder.layers.{i}", w, cfg.encoder_ffn, cross_attn=False)
    norm("model.encoder.layer_norm", w)
    for i in range(cfg.decoder_layers):
        layer(f"model.decoder.layers.{i}", w, cfg.decoder_ffn, cross_attn=True)
    norm("model.decoder.layer_norm", w)
    return w


# --------------------------------------------------------------------------- model


def sinusoidal_table(num_embeddings, dim, padding_idx):
    """M2M100SinusoidalPositionalEmbedding.get_embedding, same float32 arithmetic."""
    half = dim // 2
    step = math.log(10000) / (half - 1)
    freq = torch.exp(torch.arange(half, dtype=torch.int64).float() * -step)
    arg = torch.arange(num_embeddings, dtype=torch.int64).float().unsqueeze(1) * freq.unsqueeze(0)
    emb = torch.cat([torch.sin(arg), torch.cos(arg)], dim=1).view(num_embeddings, -1)
    if dim % 2 == 1:
        emb = torch.cat([emb, torch.zeros(num_embeddings, 1)], dim=1)
    emb[padding_idx, :] = 0
    return emb


def position_ids(ids, pad, past=0):
    """create_position_ids_from_input_ids: pads keep padding_idx and do not advance."""
    mask = ids.ne(pad).int()
    inc = (torch.cumsum(mask, dim=1).type_as(mask) + past) * mask
    return inc.long() + pad


class M2M100:
    def __init__(self, cfg, weights):
        self.cfg = cfg
        self.w = {k: v.float() for k, v in weights.items()}
        # Tied aliases: whichever of the names is present gives the shared table.
        for name in ("model.shared.weight", "model.encoder.embed_tokens.weight",
                     "model.decoder.embed_tokens.weight", "lm_head.weight"):
            if name in self.w:
                self.shared = self.w[name]
                break
        self.embed_scale = math.sqrt(cfg.d_model) if cfg.scale_embedding else 1.0
        self.pos_table = sinusoidal_table(cfg.max_positions + 2, cfg.d_model, cfg.pad)

    def positions(self, ids, past=0):
        pos = position_ids(ids, self.cfg.pad, past)
        need = int(pos.max()) + 1
        if need > self.pos_table.shape[0]:  # HF grows the table on demand
            self.pos_table = sinusoidal_table(need + 2, self.cfg.d_model, self.cfg.pad)
        return self.pos_table[pos]

    def ln(self, x, p):
        return F.layer_norm(x, (x.shape[-1],), self.w[p + ".weight"], self.w[p + ".bias"], 1e-5)

    def lin(self, x, p):
        return F.linear(x, self.w[p + ".weight"], self.w[p + ".bias"])

    def attn(self, p, heads, xq, k, v, mask):
        """xq [B,Tq,D]; k, v [B,H,Tk,hd] already projected; mask additive [B,1,Tq|1,Tk] or None."""
        B, Tq, D = xq.shape
        hd = D // heads
        q = self.lin(xq, p + ".q_proj") * (hd ** -0.5)           # HF scales q after the bias
        q = q.view(B, Tq, heads, hd).transpose(1, 2)             # [B,H,Tq,hd]
        s = q @ k.transpose(-1, -2)                              # [B,H,Tq,Tk]
        if mask is not None:
            s = s + mask
        a = torch.softmax(s, dim=-1) @ v                         # [B,H,Tq,hd]
        a = a.transpose(1, 2).reshape(B, Tq, D)
        return self.lin(a, p + ".out_proj")

    def kv(self, p, heads, x):
        B, T, D = x.shape
        hd = D // heads
        k = self.lin(x, p + ".k_proj").view(B, T, heads, hd).transpose(1, 2)
        v = self.lin(x, p + ".v_proj").view(B, T, heads, hd).transpose(1, 2)
        return k, v

    @staticmethod
    def key_mask(ids, pad):
        """[B,1,1,T] additive: 0 for real tokens, -inf for pads."""
        m = torch.zeros(ids.shape, dtype=torch.float32)
        m[ids.eq(pad)] = float("-inf")
        return m[:, None, None, :]

    def encode(self, ids):
        """ids [B,S] (pads allowed anywhere) -> encoder hidden [B,S,D]."""
        c = self.cfg
        mask = self.key_mask(ids, c.pad)
        x = self.shared[ids] * self.embed_scale + self.positions(ids)
        for i in range(c.encoder_layers):
            p = f"model.encoder.layers.{i}"
            h = self.ln(x, p + ".self_attn_layer_norm")
            k, v = self.kv(p + ".self_attn", c.encoder_heads, h)
            x = x + self.attn(p + ".self_attn", c.encoder_heads, h, k, v, mask)
            h = self.ln(x, p + ".final_layer_norm")
            x = x + self.lin(torch.relu(self.lin(h, p + ".fc1")), p + ".fc2")
        return self.ln(x, "model.encoder.layer_norm")

    def cross_kv(self, enc):
        """Cross-attention K/V of every decoder layer, computed once per source."""
        c = self.cfg
        return [self.kv(f"model.decoder.layers.{i}.encoder_attn", c.decoder_heads, enc)
                for i in range(c.decoder_layers)]

    def decode(self, ids, cross, src_mask, cache=None):
        """ids [B,T] new decoder tokens; cache: list of per-layer (k, v) [B,H,past,hd] or None
        (then past = 0). Returns logits [B,T,V] and the updated cache."""
        c = self.cfg
        B, T = ids.shape
        past = 0 if cache is None else cache[0][0].shape[2]
        causal = torch.full((T, past + T), float("-inf")).triu(past + 1)[None, None]
        y = self.shared[ids] * self.embed_scale + self.positions(ids, past)
        new_cache = []
        for i in range(c.decoder_layers):
            p = f"model.decoder.layers.{i}"
            h = self.ln(y, p + ".self_attn_layer_norm")
            k, v = self.kv(p + ".self_attn", c.decoder_heads, h)
            if cache is not None:
                k = torch.cat([cache[i][0], k], dim=2)
                v = torch.cat([cache[i][1], v], dim=2)
            new_cache.append((k, v))
            y = y + self.attn(p + ".self_attn", c.decoder_heads, h, k, v, causal)
            h = self.ln(y, p + ".encoder_attn_layer_norm")
            ck, cv = cross[i]
            y = y + self.attn(p + ".encoder_attn", c.decoder_heads, h, ck, cv, src_mask)
            h = self.ln(y, p + ".final_layer_norm")
            y = y + self.lin(torch.relu(self.lin(h, p + ".fc1")), p + ".fc2")
        y = self.ln(y, "model.decoder.layer_norm")
        return y @ self.shared.t(), new_cache


# --------------------------------------------------------------------------- generation


def no_repeat_ngram_banned(prefix, n):
    """HF NoRepeatNGramLogitsProcessor for one hypothesis (prefix incl. decoder start)."""
    cur_len = len(prefix)
    if n <= 0 or cur_len + 1 < n:
        return []
    seen = {}
    for i in range(cur_len - n + 1):
        seen.setdefault(tuple(prefix[i:i + n - 1]), []).append(prefix[i + n - 1])
    return seen.get(tuple(prefix[cur_len + 1 - n:cur_len]), [])


def process_scores(scores, prefixes, forced_bos, no_repeat):
    """HF logits processors in their order: no-repeat n-gram, then forced BOS at step 1."""
    scores = scores.clone()
    for r, prefix in enumerate(prefixes):
        banned = no_repeat_ngram_banned(prefix, no_repeat)
        if banned:
            scores[r, banned] = float("-inf")
        if len(prefix) == 1 and forced_bos is not None:
            scores[r, :] = float("-inf")
            scores[r, forced_bos] = 0.0
    return scores


def restrict(logits, allowed):
    """Output-vocabulary shortlist: every id outside `allowed` gets -inf before anything
    else, so log_softmax normalizes over the shortlist only (Sprout's --shortlist)."""
    if allowed is None:
        return logits
    out = torch.full_like(logits, float("-inf"))
    idx = torch.tensor(sorted(allowed))
    out[..., idx] = logits[..., idx]
    return out


def greedy(model, src_row, tgt, max_length, no_repeat=0, allowed=None, with_score=False):
    """One sentence (its padded batch row). Returns ids (start, lang, ..., </s>) and the raw
    logits of every step, and the smallest top-1/top-2 logit gap of the free steps; with
    with_score also the sum of the chosen tokens' log-probs (free steps). `allowed`: a
    shortlist of output ids (see restrict)."""
    c = model.cfg
    score = 0.0
    src = torch.tensor([src_row])
    enc = model.encode(src)
    cross, mask = model.cross_kv(enc), model.key_mask(src, c.pad)
    ids, cache, rows, gap = [c.decoder_start], None, [], float("inf")
    while len(ids) < max_length:
        logits, cache = model.decode(torch.tensor([[ids[-1]]]), cross, mask, cache)
        logits = restrict(logits[:, -1, :], allowed)
        rows.append(logits[0].clone())
        s = process_scores(logits, [ids], tgt, no_repeat)[0]
        if len(ids) > 1:
            top = torch.topk(s, 2).values
            gap = min(gap, float(top[0] - top[1]))
        ids.append(int(torch.argmax(s)))
        if len(ids) > 2:
            score += float(F.log_softmax(s, dim=-1)[ids[-1]])
        if ids[-1] == c.eos:
            break
    if with_score:
        return ids, torch.stack(rows), gap, score
    return ids, torch.stack(rows), gap


class BeamHypotheses:
    """HF BeamHypotheses: the n best finished hypotheses of one sentence."""

    def __init__(self, n, length_penalty, early_stopping):
        self.n, self.lp, self.early = n, length_penalty, early_stopping
        self.beams, self.worst = [], 1e9

    def add(self, hyp, sum_logprobs):
        score = sum_logprobs / (len(hyp) ** self.lp)
        if len(self.beams) < self.n or score > self.worst:
            self.beams.append((score, hyp))
            if len(self.beams) > self.n:
                order = sorted((s, i) for i, (s, _) in enumerate(self.beams))
                del self.beams[order[0][1]]
                self.worst = order[1][0]
            else:
                self.worst = min(score, self.worst)

    def is_done(self, best_sum_logprobs, cur_len):
        if len(self.beams) < self.n:
            return False
        if self.early:
            return True
        return self.worst >= best_sum_logprobs / cur_len ** self.lp


def beam_search(model, src_row, tgt, num_beams, max_length, length_penalty=1.0,
                early_stopping=False, no_repeat=0, allowed=None):
    """HF beam search for one sentence. Returns (ids, score, min gap between consecutive
    top-(2N+1) candidate scores over the free steps)."""
    c = model.cfg
    N = num_beams
    src = torch.tensor([src_row] * N)
    enc = model.encode(src)
    cross, mask = model.cross_kv(enc), model.key_mask(src, c.pad)
    ids = [[c.decoder_start] for _ in range(N)]
    beam_scores = torch.zeros(N)
    beam_scores[1:] = -1e9
    hyps = BeamHypotheses(N, length_penalty, early_stopping)
    cache, done, gap = None, False, float("inf")
    while True:
        cur_len = len(ids[0])
        logits, cache = model.decode(torch.tensor([[b[-1]] for b in ids]), cross, mask, cache)
        V = logits.shape[-1]
        scores = F.log_softmax(restrict(logits[:, -1, :], allowed), dim=-1)
        scores = process_scores(scores, ids, tgt, no_repeat)
        scores = scores + beam_scores[:, None]
        top_s, top_i = torch.topk(scores.view(-1), 2 * N + 1, largest=True, sorted=True)
        if cur_len > 1:
            fin = top_s[torch.isfinite(top_s)]
            if len(fin) > 1:
                gap = min(gap, float((fin[:-1] - fin[1:]).min()))
        top_s, top_i = top_s[:2 * N], top_i[:2 * N]
        nxt_scores, nxt_tokens, nxt_beams = [], [], []
        for rank in range(2 * N):
            tok, s, b = int(top_i[rank] % V), top_s[rank], int(top_i[rank] // V)
            if tok == c.eos:
                if rank >= N:
                    continue
                hyps.add(list(ids[b]), float(s))
            else:
                nxt_scores.append(s)
                nxt_tokens.append(tok)
                nxt_beams.append(b)
            if len(nxt_scores) == N:
                break
        done = hyps.is_done(float(top_s.max()), cur_len)
        beam_scores = torch.stack(nxt_scores)
        ids = [ids[b] + [t] for b, t in zip(nxt_beams, nxt_tokens)]
        sel = torch.tensor(nxt_beams)
        cache = [(k[sel], v[sel]) for k, v in cache]
        if done or len(ids[0]) >= max_length:
            break
    if not done:
        for b in range(N):
            hyps.add(list(ids[b]), float(beam_scores[b]))
    best_score, best = sorted(hyps.beams, key=lambda x: x[0])[-1]
    out = best + [c.eos] if len(best) < max_length else best
    return out, best_score, gap
