# Cross build for aarch64 Linux with Debian's g++-aarch64-linux-gnu; tests run
# under qemu-user. Used by tools/test.sh for the NEON kernel tests:
#   cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-toolchain.cmake \
#         -DSPROUT_KERNELS_ONLY=ON -DSPROUT_BUILD_BENCH=OFF
#   cmake --build build-arm64 && QEMU_CPU=cortex-a72 ctest --test-dir build-arm64
# qemu-aarch64 reads the CPU model from QEMU_CPU (cortex-a72: NEON without the
# dot-product extension; max: with it). GoogleTest is built from Debian's
# source package (/usr/src/googletest) for the target, see tests/CMakeLists.txt.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# Every test command (and gtest_discover_tests' listing run) goes through this.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L /usr/aarch64-linux-gnu)
