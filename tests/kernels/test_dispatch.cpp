#include <gtest/gtest.h>

#include <cmath>

#include "kernels/common/dispatch.h"
#include "kernels/common/fp16.h"
#include "kernels/common/quant_blocks.h"

using namespace sprout::kern;

TEST(Dispatch, ParseNames) {
  Isa i;
  ASSERT_TRUE(parse_isa("avx2", &i));
  EXPECT_EQ(i, Isa::avx2);
  ASSERT_TRUE(parse_isa("avx2_vnni", &i));
  EXPECT_EQ(i, Isa::avx2_vnni);
  EXPECT_FALSE(parse_isa("avx512", &i));
  EXPECT_FALSE(parse_isa(nullptr, &i));
}

TEST(Dispatch, UnsupportedFallsBackToScalar) {
  const Isa before = active_isa();
#if defined(__x86_64__)
  set_active_isa(Isa::neon);
#else
  set_active_isa(Isa::avx2);
#endif
  EXPECT_EQ(active_isa(), Isa::scalar);
  set_active_isa(before);
  EXPECT_EQ(active_isa(), before);
}

TEST(Dispatch, VnniTierImpliesItsFamily) {
  // avx2_vnni runs the AVX2 tables of every family but the int8 GEMM, so it is
  // only reported where AVX2 runs too, and only with a VPDPBUSD encoding.
  if (isa_supported(Isa::avx2_vnni)) {
    EXPECT_TRUE(isa_supported(Isa::avx2));
    EXPECT_TRUE(cpu_has_avx_vnni() || cpu_has_avx512_vnni_vl());
  }
  EXPECT_EQ(simd_family(Isa::avx2_vnni), Isa::avx2);
  EXPECT_EQ(simd_family(Isa::neon_dot), Isa::neon_dot);
#if !defined(__x86_64__)
  EXPECT_FALSE(isa_supported(Isa::avx2_vnni));
#endif
}

TEST(Fp16, RoundTripAndRounding) {
  EXPECT_EQ(f32_to_f16(1.0f), 0x3c00);
  EXPECT_EQ(f32_to_f16(-2.0f), 0xc000);
  EXPECT_EQ(f32_to_f16(65504.f), 0x7bff);
  EXPECT_EQ(f32_to_f16(65520.f), 0x7c00);          // rounds up to inf
  EXPECT_EQ(f32_to_f16(5.9604645e-8f), 0x0001);    // smallest subnormal
  EXPECT_EQ(f32_to_f16(2.9802322e-8f), 0x0000);    // half of it: ties to even -> 0
  EXPECT_EQ(f32_to_f16(1.0f + 1.0f / 2048), 0x3c00);  // tie -> even
  EXPECT_EQ(f32_to_f16(1.0f + 3.0f / 2048), 0x3c02);  // tie -> even (up)
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const float f = f16_to_f32(f16_t(h));
    if (std::isnan(f)) continue;
    EXPECT_EQ(f32_to_f16(f), h) << h;
  }
}

TEST(Bf16, Rounding) {
  EXPECT_EQ(f32_to_bf16(1.0f), 0x3f80);
  EXPECT_EQ(bf16_to_f32(0x3f80), 1.0f);
  // 1 + 2^-8 is a tie between 1 and 1+2^-7: rounds to even (1).
  EXPECT_EQ(f32_to_bf16(1.0f + 1.0f / 256), 0x3f80);
  EXPECT_EQ(f32_to_bf16(1.0f + 3.0f / 256), 0x3f82);
}
