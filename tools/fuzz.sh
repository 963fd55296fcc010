#!/usr/bin/env bash
# Builds every libFuzzer target (loaders/fuzz/fuzz_*.cpp) with clang-14 under
# ASan+UBSan in build-fuzz/, then runs each for a fixed number of inputs from
# its seed corpus: the hostile corpus (make_fuzz_seeds), small real files from
# tests/data, and loaders/fuzz/seeds/<name>/ when present. Any crash, leak,
# sanitizer report or non-sprout exception fails the script.
#   SPROUT_FUZZ_RUNS=N   inputs per target (default 20000)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${SPROUT_FUZZ_RUNS:-20000}
jobs=$(nproc)
out=build-fuzz/fuzz

cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSPROUT_FUZZ=ON -DSPROUT_SANITIZE=ON \
      -DSPROUT_BUILD_TESTS=OFF -DSPROUT_BUILD_BENCH=OFF \
      -DCMAKE_C_FLAGS=-fsanitize=fuzzer-no-link -DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link >/dev/null
targets=()
for f in loaders/fuzz/fuzz_*.cpp; do targets+=("$(basename "$f" .cpp)"); done
cmake --build build-fuzz -j"$jobs" --target make_fuzz_seeds "${targets[@]}"

seeds=$out/seeds
rm -rf "$seeds" "$out/corpus"
"$out/make_fuzz_seeds" "$seeds"
mkdir -p "$seeds/gguf" "$seeds/safetensors" "$seeds/config_json"
find tests/data -name '*.gguf' -size -400k -exec cp {} "$seeds/gguf/" \;
find tests/data -name '*.safetensors' -size -400k -exec sh -c 'cp "$1" "$2/$(echo "$1" | tr / _)"' _ {} "$seeds/safetensors" \;
find tests/data -name '*config*.json' -size -64k -exec sh -c 'cp "$1" "$2/$(echo "$1" | tr / _)"' _ {} "$seeds/config_json" \;

for t in "${targets[@]}"; do
  name=${t#fuzz_}
  corpus=$out/corpus/$name
  mkdir -p "$corpus"
  dirs=()
  [[ -d $seeds/$name ]] && dirs+=("$seeds/$name")
  [[ -d loaders/fuzz/seeds/$name ]] && dirs+=("loaders/fuzz/seeds/$name")
  echo "== fuzz $name: $runs runs"
  start=$SECONDS
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$out/$t" -runs="$runs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
      -print_final_stats=0 "$corpus" "${dirs[@]}" >"$out/$name.log" 2>&1 ||
    { tail -60 "$out/$name.log"; echo "fuzz: $name FAILED (log $out/$name.log)"; exit 1; }
  echo "   ok in $((SECONDS - start)) s ($(grep -o 'cov: [0-9]*' "$out/$name.log" | tail -1))"
done
