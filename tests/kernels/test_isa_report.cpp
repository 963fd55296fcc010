// Reports which ISA the kernel tests exercise, and (when the CI sets
// SPROUT_EXPECT_ISA, e.g. under qemu -cpu cortex-a72 / max) fails if the CPU
// model did not give the expected one, so an emulator that ignored the CPU
// choice cannot pass silently.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/test_util.h"

using namespace sprout;
using namespace sprout::kern;

TEST(Isa, ReportAndExpect) {
  std::string simd;
  for (Isa i : test::simd_isas()) simd += std::string(" ") + isa_name(i);
  std::printf("[ isa ] detected=%s active=%s simd tested:%s\n", isa_name(detected_isa()), isa_name(active_isa()),
              simd.empty() ? " (none)" : simd.c_str());
  RecordProperty("detected_isa", isa_name(detected_isa()));
  if (const char* want = std::getenv("SPROUT_EXPECT_ISA"); want && *want) {
    EXPECT_STREQ(isa_name(detected_isa()), want);
  }
#if defined(__aarch64__)
  EXPECT_TRUE(isa_supported(Isa::neon));  // Advanced SIMD is mandatory on ARMv8-A
#endif
}
