#!/bin/sh
# End-to-end `sprout embed` vs llama.cpp `llama-embedding` on one MiniLM-L12-shaped GGUF
# (tools/bert_reference/make_bench_model.py), same text input, same threads, same sentences per
# batch. Prints one row per run: wall seconds (load + tokenize + encode + print), sentences/s
# over the wall time, peak RSS (MiB).
#
# usage: compare_llamacpp.sh BENCH_DIR SPROUT_BINARY LLAMA_EMBEDDING_BINARY [RUNS]
set -eu
D=$1 SPROUT=$2 LLAMA=$3 RUNS=${4:-3}
M=$D/minilm-l12-bench.gguf

# median_run STDIN CMD...: median wall time over RUNS runs and that run's peak RSS: "<seconds> <KiB>"
median_run() {
  in=$1; shift
  for i in $(seq "$RUNS"); do
    /usr/bin/time -f "%e %M" -o /tmp/cmp_time.$$ "$@" <"$in" >/dev/null 2>/tmp/cmp_err.$$ || { cat /tmp/cmp_err.$$ >&2; exit 1; }
    cat /tmp/cmp_time.$$
  done | sort -n | awk -v n="$RUNS" 'NR == int((n + 1) / 2) { print }'
}

printf "%-8s %6s %5s %7s %9s %8s %8s\n" engine tokens batch threads wall_s sent/s rss_MiB
for n in 16 64; do
  for b in 1 32; do
    for t in 1 2; do
      tok=$((n * b))
      set -- $(median_run "$D/sentences$n.txt" "$SPROUT" embed --model "$M" --threads "$t" --batch "$b")
      printf "%-8s %6d %5d %7d %9.2f %8.1f %8.0f\n" sprout "$n" "$b" "$t" "$1" "$(echo "256 / $1" | bc -l)" "$(echo "$2 / 1024" | bc -l)"
      set -- $(median_run /dev/null "$LLAMA" -m "$M" -f "$D/sentences$n.txt" -t "$t" -b "$tok" -ub "$tok" -c "$tok" \
               --pooling mean --embd-normalize 2 --embd-output-format array)
      printf "%-8s %6d %5d %7d %9.2f %8.1f %8.0f\n" llama.cpp "$n" "$b" "$t" "$1" "$(echo "256 / $1" | bc -l)" "$(echo "$2 / 1024" | bc -l)"
    done
  done
done
rm -f /tmp/cmp_time.$$ /tmp/cmp_err.$$
