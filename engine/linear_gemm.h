// Switch for linear()'s packed GEMM path (engine/linear_gemm.cpp), for tests and
// benchmarks that compare it with the dot-product path. Enabled by default;
// SPROUT_GEMM=0 in the environment disables it at start-up.
#pragma once
#include <cstdint>

#include "engine/dtype.h"

namespace sprout {

void set_linear_gemm_enabled(bool on);
bool linear_gemm_enabled();
// Whether linear_gemm takes a product of M rows with weights of dtype t (else
// linear() uses its dot path). It quantizes activations to q8_0 for every
// integer type, where the dot path uses q8_K for q4_k / q5_k / q6_k.
bool linear_gemm_takes(DType t, int64_t M);

}  // namespace sprout
