#!/usr/bin/python3
"""Sprout vs PyTorch on NLLB-200-distilled-600M shapes, random weights, same run.

    /usr/bin/python3 tools/m2m100_reference/bench_m2m100.py [--sentences 64] [--reps 3] [--configs ...]

A configuration is engine:weights:beam:threads[:shortlist] (shortlist = output ids, 0 = the
full vocabulary; Sprout only). Each run is its own process (peak RSS is per process); every
configuration runs --reps times, interleaved round-robin so that a change of machine load
hits all alike, and the table gives medians:
  sprout:  build/bench/sprout_bench_m2m100 --benchmark_filter=Translate/<type>/beam:<n>/threads:<t>/shortlist:<k>/
  torch:   this script with --torch (the reference model of m2m100_ref.py, f32, KV cache,
           cross K/V once per sentence; greedy batched over 32 sentences, beam per sentence)
Both translate the same number of 20-token sources to max_length 22 with </s> banned, so
every sentence yields 21 target tokens. Prints a markdown table (tok/s, sentences/s,
tokens per CPU-second, peak RSS).
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
SHAPES = {"d_model": 1024, "encoder_layers": 12, "decoder_layers": 12, "encoder_attention_heads": 16,
          "decoder_attention_heads": 16, "encoder_ffn_dim": 4096, "decoder_ffn_dim": 4096,
          "vocab_size": 256206, "max_position_embeddings": 1024, "pad_token_id": 1, "eos_token_id": 2,
          "decoder_start_token_id": 2, "scale_embedding": True, "activation_function": "relu"}
MAX_LENGTH = 22


def sources(n):
    r, out = 12345, []
    for _ in range(n):
        s = [256047]
        for _ in range(18):
            r = (r * 1664525 + 1013904223) % (1 << 32)
            s.append(4 + (r >> 8) % 200000)
        out.append(s + [2])
    return out


def torch_run(n, beam, threads):
    import torch
    sys.path.insert(0, HERE)
    import m2m100_ref as ref
    torch.set_num_threads(threads)
    cfg = ref.Config(SHAPES)
    t0 = time.time()
    with torch.no_grad():
        w = ref.random_weights(cfg, 1)
        model = ref.M2M100(cfg, w)
        del w
        setup = time.time() - t0
        src = sources(n)
        cpu0, t0 = time.process_time(), time.time()
        tokens = 0
        if beam == 1:
            for i in range(0, n, 32):
                batch = torch.tensor(src[i:i + 32])
                enc = model.encode(batch)
                cross, mask = model.cross_kv(enc), model.key_mask(batch, 1)
                ids = torch.full((batch.shape[0], 1), 2)
                cache = None
                while ids.shape[1] < MAX_LENGTH:
                    logits, cache = model.decode(ids[:, -1:], cross, mask, cache)
                    s = logits[:, -1, :]
                    if ids.shape[1] == 1:
                        nxt = torch.full((batch.shape[0],), 256147)
                    else:
                        s[:, 2] = float("-inf")
                        nxt = s.argmax(-1)
                    ids = torch.cat([ids, nxt[:, None]], 1)
                tokens += batch.shape[0] * (ids.shape[1] - 1)
        else:
            # ref.beam_search stops at </s>; ban it like the Sprout run (min_length = max_length).
            orig = ref.process_scores

            def no_eos(scores, prefixes, forced, no_repeat):
                scores = orig(scores, prefixes, forced, no_repeat)
                if len(prefixes[0]) > 1:
                    scores[:, 2] = float("-inf")
                return scores
            ref.process_scores = no_eos
            for s in src:
                out, _, _ = ref.beam_search(model, s, 256147, beam, MAX_LENGTH)
                tokens += len(out) - 1
        secs, cpu = time.time() - t0, time.process_time() - cpu0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"tok_s": tokens / secs, "sent_s": n / secs, "tok_per_cpu_s": tokens / cpu, "peak_rss_mb": rss,
            "setup_s": setup}


def sprout_run(binary, n, dtype, beam, threads, shortlist=0):
    env = dict(os.environ, SPROUT_M2M100_SENTENCES=str(n))
    out = subprocess.run([binary, f"--benchmark_filter=Translate/{dtype}/beam:{beam}/threads:{threads}/shortlist:{shortlist}/",
                          "--benchmark_format=json"], env=env, capture_output=True, text=True, check=True)
    b = json.loads(out.stdout)["benchmarks"][0]
    return {k: b[k] for k in ("tok_s", "sent_s", "tok_per_cpu_s", "peak_rss_mb", "setup_s")}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sentences", type=int, default=64)
    ap.add_argument("--configs", nargs="*", default=[
        "sprout:q8_0:1:2", "torch:f32:1:2", "sprout:f32:1:2", "sprout:i8_row:1:2", "sprout:q8_0:4:2",
        "torch:f32:4:2", "sprout:q8_0:1:1", "torch:f32:1:1"])
    ap.add_argument("--reps", type=int, default=1)
    ap.add_argument("--binary", default=os.path.join(REPO, "build", "bench", "sprout_bench_m2m100"))
    ap.add_argument("--torch", nargs=2, type=int, metavar=("BEAM", "THREADS"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.torch:
        print(json.dumps(torch_run(a.sentences, *a.torch)))
        return
    def once(c):
        eng, dtype, beam, threads, *sl = c.split(":")
        if eng == "torch":
            out = subprocess.run([sys.executable, __file__, "--sentences", str(a.sentences), "--torch", beam, threads],
                                 capture_output=True, text=True, check=True)
            return json.loads(out.stdout.strip().splitlines()[-1])
        return sprout_run(a.binary, a.sentences, dtype, int(beam), int(threads), int(sl[0]) if sl else 0)

    runs = {c: [] for c in a.configs}
    for rep in range(a.reps):
        for c in a.configs:
            r = once(c)
            r["loadavg"] = open("/proc/loadavg").read().split()[0]
            runs[c].append(r)
            print(f"# rep {rep + 1} {c}: {json.dumps(r)}", file=sys.stderr, flush=True)

    def med(rs, k):
        v = sorted(r[k] for r in rs)
        return v[len(v) // 2] if len(v) % 2 else 0.5 * (v[len(v) // 2 - 1] + v[len(v) // 2])

    print("| engine | weights | beam | threads | shortlist | tok/s | sent/s | tok per CPU-s | peak RSS MB | load avg |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for c, rs in runs.items():
        eng, dtype, beam, threads, *sl = c.split(":")
        loads = "-".join(sorted({r["loadavg"] for r in rs}, key=float)[::max(1, len(rs) - 1)])
        print(f"| {eng} | {dtype} | {beam} | {threads} | {sl[0] if sl and sl[0] != '0' else 'full'} | "
              f"{med(rs, 'tok_s'):.1f} | {med(rs, 'sent_s'):.2f} | {med(rs, 'tok_per_cpu_s'):.1f} | "
              f"{med(rs, 'peak_rss_mb'):.0f} | {loads} |", flush=True)


if __name__ == "__main__":
    main()
