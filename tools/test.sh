#!/usr/bin/env bash
# Builds Sprout and runs every test: the aarch64 NEON kernel tests under qemu,
# the whole suite under ASan+UBSan, short fuzz runs, and last the main suite
# (its ctest summary line is the final word).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
jobs=$(nproc)
# ctest runs two test binaries at once on two cores: OpenMP teams that spin while
# waiting would take the cores from each other, so waiting threads sleep here.
export OMP_WAIT_POLICY=passive

# 1. NEON kernels, cross-built for aarch64, run under qemu on two CPU models.
if [[ -f cmake/aarch64-toolchain.cmake ]]; then
  cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-toolchain.cmake -DSPROUT_KERNELS_ONLY=ON \
        -DSPROUT_BUILD_BENCH=OFF >/dev/null
  cmake --build build-arm64 -j"$jobs"
  # QEMU_CPU picks qemu-aarch64's CPU model; SPROUT_EXPECT_ISA makes Isa.ReportAndExpect
  # fail if the model did not take effect (cortex-a72: NEON only; max: NEON + dotprod).
  for cpu in cortex-a72:neon max:neon_dot; do
    echo "== aarch64 kernel tests under qemu -cpu ${cpu%%:*}"
    QEMU_CPU=${cpu%%:*} SPROUT_EXPECT_ISA=${cpu##*:} ctest --test-dir build-arm64 --output-on-failure -j"$jobs"
  done
fi

# 2. The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer.
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSPROUT_SANITIZE=ON -DSPROUT_BUILD_BENCH=OFF >/dev/null
cmake --build build-asan -j"$jobs"
echo "== tests under ASan+UBSan"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --test-dir build-asan --output-on-failure -j"$jobs"

# 3. Fuzz targets, a fixed number of runs each (clang-14 libFuzzer).
if [[ -x tools/fuzz.sh ]]; then tools/fuzz.sh; fi

# 4. The main Release suite.
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$jobs"
echo "== tests (Release)"
ctest --test-dir build --output-on-failure -j"$jobs"
