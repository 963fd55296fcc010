// Switch for linear()'s packed GEMM path (engine/linear_gemm.cpp), for tests and
// benchmarks that compare it with the dot-product path. Enabled by default;
// SPROUT_GEMM=0 in the environment disables it at start-up.
#pragma once

namespace sprout {

void set_linear_gemm_enabled(bool on);
bool linear_gemm_enabled();

}  // namespace sprout
