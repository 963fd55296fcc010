// Default GEMM hook for engine/linear.h: declines, so linear() uses its own
// tiled dot-product path. A packed/blocked GEMM (e.g. repacked int8 weights for
// prefill) replaces this definition and returns true for the shapes it takes.
#include "engine/linear.h"

namespace sprout {

bool linear_gemm(const Tensor&, const float*, int64_t, float*, const float*) { return false; }

}  // namespace sprout
