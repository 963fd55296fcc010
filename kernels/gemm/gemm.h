// Register-blocked GEMM micro-kernels for prefill: C = A · B^T with B the weight
// matrix stored row-major as [N][K] (one row per output feature).
//
// f32 (weights f32, f16 or bf16), BLIS-style: both operands are packed.
// gemm_pack_a copies `rows` (<= mr) rows of A, k in [k0, k0+kc), into a sliver
// [kc][mr] (rows beyond `rows` are 0); gemm_pack_b copies `cols` (<= nr) rows of
// B ([N][K]) into a panel [kc][nr] in f32 (f16/bf16 converted while packing,
// missing columns 0). f32_tile computes an mr x nr block of C from one sliver
// and one panel: C (+)= A[0:mr, 0:kc] · B[0:nr, 0:kc]^T, storing only the
// valid rows x cols. Accumulation per output runs over k in order in f32 (FMA
// in the SIMD variants, separate multiply/add in the scalar oracle); with
// `accumulate` the block sum is added to C afterwards, so a K-blocked product
// agrees with the scalar one to ~1e-6 of sum |a*b| (tested at 1e-5).
//
// int8 (q8_0, q4_0 weights; kernels/common/quant_blocks.h): A rows are q8_0
// activation rows (kernels/dot/dot.h layout). q8_tile computes a 4 x 4 block:
// C[i][j] = dot(W row j, A row i) for 4 activation rows and 4 weight rows, each
// loaded weight block feeding 4 activation rows from registers. Per 32-value
// block the int32 sum of q_w*q_a is exact; the block term float(sum) * (d_w*d_a)
// is summed over blocks in f32 in block order: the very terms of the scalar dot
// kernel, so results equal kernels/dot's to ~1e-6 relative.
// Reference: the scalar table (gemm_scalar.cpp), itself checked against naive
// loops in tests/kernels/test_gemm.cpp. Kernels are single-threaded.
#pragma once
#include <cstddef>
#include <cstdint>

#include "kernels/common/dispatch.h"

namespace sprout::kern {

enum class GemmB { f32, f16, bf16 };

// C[i*ldc + j] for i < rows, j < cols; sliver [kc][mr], panel [kc][nr].
using GemmF32Tile = void (*)(int kc, const float* sliver, const float* panel, float* C, size_t ldc, int rows, int cols,
                             bool accumulate);
// gemm_pack_b for one ISA (SIMD transposes / conversions); same layout and values.
using GemmPackB = void (*)(GemmB t, const void* B, size_t ldb, int n0, int cols, int k0, int kc, float* panel);
// 4 x 4 int8 tile: w = first of 4 weight rows (stride ws bytes, n/32 blocks each),
// a = first of 4 q8_0 activation rows (stride as bytes); n % 32 == 0.
using GemmQ8Tile = void (*)(int n, const void* w, size_t ws, const void* a, size_t as, float* C, size_t ldc);

struct GemmKernels {
  int mr, nr;  // f32 tile shape
  GemmF32Tile f32_tile;
  GemmQ8Tile q8_0_tile;
  GemmQ8Tile q4_0_tile;
  GemmPackB pack_b;  // panels of this table's nr
};

// Packs columns [n0, n0+cols) (cols <= nr) and k in [k0, k0+kc) of B ([N][K],
// row stride ldb elements, element type t) into panel[kc][nr] as f32.
void gemm_pack_b(GemmB t, const void* B, size_t ldb, int n0, int cols, int k0, int kc, int nr, float* panel);
// Packs rows [0, rows) (rows <= mr) of A (row stride lda), k in [k0, k0+kc),
// into sliver[kc][mr]; rows beyond `rows` are 0.
void gemm_pack_a(const float* A, size_t lda, int rows, int k0, int kc, int mr, float* sliver);

const GemmKernels& gemm_kernels(Isa isa);
inline const GemmKernels& gemm_kernels() { return gemm_kernels(active_isa()); }

extern const GemmKernels kGemmScalar;
extern const GemmKernels kGemmAvx2;
extern const GemmKernels kGemmNeon;

}  // namespace sprout::kern
