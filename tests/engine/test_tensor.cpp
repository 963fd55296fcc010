#include <gtest/gtest.h>

#include <cstdint>

#include "engine/tensor.h"

using namespace sprout;

TEST(Tensor, ZeroDimBesideHugeDimsDoesNotOverflow) {
  // A hostile file may declare [0, 2^34, 2^58]: zero bytes, but the product of the
  // other dims exceeds 64 bits. Views, strides and counts must stay defined.
  const int64_t shape[3] = {0, int64_t(1) << 34, int64_t(1) << 58};
  const Tensor t = make_tensor(DType::f32, shape, 3, nullptr);
  EXPECT_EQ(t.numel(), 0);
  EXPECT_EQ(t.nbytes(), 0u);
  EXPECT_EQ(t.stride[0], INT64_MAX);  // saturated, never wrapped
  EXPECT_TRUE(t.contiguous());
}

TEST(Tensor, StridesAndRows) {
  const int64_t shape[3] = {2, 3, 64};
  const Tensor t = make_tensor(DType::q8_0, shape, 3, nullptr);
  EXPECT_EQ(t.stride[1], 2 * 34);
  EXPECT_EQ(t.stride[0], 3 * 2 * 34);
  EXPECT_EQ(t.rows(), 6);
  EXPECT_EQ(t.nbytes(), 6u * 68u);
  EXPECT_TRUE(t.contiguous());
}
