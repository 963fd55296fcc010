#!/usr/bin/env bash
# Checks that llama.cpp's own GGUF reader accepts what GgufWriter writes and
# sees the same keys, tensor types, shapes and bytes as Sprout's reader.
# Not part of the test suite (llama.cpp is not vendored):
#   tools/gguf_check/check_with_llamacpp.sh LLAMA_CPP_SOURCE_DIR
# needs a built Sprout in build/ (cmake --build build --target sprout_loaders).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
llama=${1:?usage: check_with_llamacpp.sh LLAMA_CPP_SOURCE_DIR}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# ggml-base's sources compiled directly (its CMake wants a full llama.cpp checkout).
src=$llama/ggml/src
inc="-I$llama/ggml/include -I$src -D_GNU_SOURCE -DNDEBUG -O1"
for f in ggml.c ggml-alloc.c ggml-quants.c; do gcc -std=gnu11 $inc -c "$src/$f" -o "$work/$f.o"; done
for f in ggml-backend.cpp ggml-opt.cpp ggml-threading.cpp gguf.cpp; do g++ -std=c++17 $inc -c "$src/$f" -o "$work/$f.o"; done
gcc -O1 -I"$llama/ggml/include" "$here/llamacpp_read.c" "$work"/*.o -lstdc++ -lm -lpthread -o "$work/llamacpp_read"

b=$repo/build
g++ -std=c++20 -O1 -I"$repo" "$here/sprout_write.cpp" "$b/loaders/libsprout_loaders.a" "$b/engine/libsprout_engine.a" \
    "$b/kernels/libsprout_kernels.a" -fopenmp -o "$work/sprout_write"

"$work/sprout_write" "$work/out.gguf" | sed -e 's/^kv \(.*\) [a-z0-9]*$/kv \1/' > "$work/sprout.txt"
"$work/llamacpp_read" "$work/out.gguf" | sed -e 's/^kv \(.*\) [a-z0-9]*$/kv \1/' -e 's/ q4_K / q4_k /; s/ q5_K / q5_k /; s/ q6_K / q6_k /' > "$work/llama.txt"
# llama.cpp lists general.alignment among the keys too; both print it.
if diff "$work/sprout.txt" "$work/llama.txt"; then
  echo "llama.cpp accepts GgufWriter output: $(grep -c '^tensor' "$work/llama.txt") tensors, $(grep -c '^kv' "$work/llama.txt") keys agree"
else
  echo "MISMATCH between Sprout and llama.cpp readers"; exit 1
fi
